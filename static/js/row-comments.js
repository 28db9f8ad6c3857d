/*
 * The reviewers' comments next to the rows they are about, in the wizard.
 *
 * The comments come from the page (json_script "row-comments-data"), each with
 * the key of its row. The indicator editor draws its table itself and redraws
 * it on structural changes, so the comment rows are put back after every
 * redraw (a MutationObserver on the table body); the editor reads its rows from
 * its own model, never from these extra <tr>s. Task rows are server-rendered
 * and marked once.
 */
const source = document.getElementById("row-comments-data");
const comments = source ? JSON.parse(source.textContent) : [];
const byKey = {};
comments.forEach((comment) => {
  (byKey[comment.key] = byKey[comment.key] || []).push(comment);
});

function note(comment) {
  const div = document.createElement("div");
  div.className = "row-comment-note";
  const strong = document.createElement("strong");
  strong.textContent = "审核意见：";
  div.appendChild(strong);
  div.appendChild(document.createTextNode(comment.body));
  return div;
}

function markIndicatorRows(tbody) {
  Object.keys(byKey).forEach((key) => {
    const tr = tbody.querySelector('tr.ie-row[data-key="' + key + '"]');
    if (!tr) return;
    tr.classList.add("has-comment");
    if (tbody.querySelector('tr.row-comment-row[data-for="' + key + '"]')) return;
    let after = tr;
    // Keep the row's own detail rows (explanation, basis) together with it.
    while (
      after.nextElementSibling &&
      !after.nextElementSibling.matches("tr.ie-row, tr.ie-group, tr.row-comment-row")
    ) {
      after = after.nextElementSibling;
    }
    const row = document.createElement("tr");
    row.className = "row-comment-row";
    row.dataset.for = key;
    const cell = document.createElement("td");
    cell.colSpan = tr.children.length || 6;
    byKey[key].forEach((comment) => cell.appendChild(note(comment)));
    row.appendChild(cell);
    after.parentNode.insertBefore(row, after.nextSibling);
  });
}

function markTaskRows() {
  document.querySelectorAll("[data-task-row]").forEach((card) => {
    const input = card.querySelector('input[name="task-key"]');
    const key = input && input.value;
    if (!key || !byKey[key] || card.querySelector(".row-comment-note")) return;
    card.classList.add("has-comment");
    const body = card.querySelector(".card-body") || card;
    const holder = document.createElement("div");
    holder.className = "col-12";
    byKey[key].forEach((comment) => holder.appendChild(note(comment)));
    body.appendChild(holder);
  });
}

function findRow(key) {
  const task = document.querySelector('input[name="task-key"][value="' + key + '"]');
  return (
    document.querySelector('tr.ie-row[data-key="' + key + '"]') ||
    (task && task.closest("[data-task-row]"))
  );
}

function start() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.row-link");
    if (!link) return;
    event.preventDefault();
    const row = findRow(link.dataset.rowKey);
    if (!row) return;
    row.scrollIntoView({ behavior: "smooth", block: "center" });
    row.classList.add("row-comment-flash");
    window.setTimeout(() => row.classList.remove("row-comment-flash"), 1600);
  });
  markTaskRows();
  const tbody = document.querySelector('[data-ie="rows"]');
  if (!tbody) return;
  // The editor's module may run before or after this one: mark what is drawn now and
  // whatever it draws later.
  markIndicatorRows(tbody);
  new MutationObserver(() => markIndicatorRows(tbody)).observe(tbody, { childList: true });
}

// A module runs once the document is parsed.
if (comments.length) start();
