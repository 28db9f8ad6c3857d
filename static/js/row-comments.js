/*
 * The reviewers' open comments at the rows they are about, in the wizard.
 *
 * The step's comments are drawn by the server above the form (review/changes/
 * _step_comments.html), each with its replies and a reply form; those about a row
 * carry its key (data-row-key). Here each such row gets a badge with the number of its
 * open comments, and under the row the comments themselves — the same elements, moved,
 * so their reply forms work as they are; the badge folds and unfolds them.
 *
 * The indicator editor draws its table itself and draws it again on structural changes,
 * so the badges and comment rows are put back after every redraw (a MutationObserver on
 * the table body); the editor reads its rows from its own model, never from these
 * extra elements. Task rows are server-rendered and marked once.
 */
const source = document.getElementById("row-comments-data");
const comments = source ? JSON.parse(source.textContent) : [];
const count = {};
comments.forEach((comment) => {
  count[comment.key] = (count[comment.key] || 0) + 1;
});
// key -> the comment elements (with their replies and forms) moved to that row.
const threads = {};
// Unfolded to begin with: the filer reads what to fix without a click; the badge folds them.
const unfolded = new Set(Object.keys(count));

function take(key) {
  if (threads[key]) return threads[key];
  const found = Array.from(
    document.querySelectorAll('.step-comment[data-row-key="' + CSS.escape(key) + '"]')
  );
  if (!found.length) return null;
  // Where they stood, a line that says where they went.
  const where = document.createElement("p");
  where.className = "small mb-1 row-comment-moved";
  where.textContent = "有 " + found.length + " 条意见针对指标表中的某一行，已显示在该行的「意见」标记下。";
  found[0].before(where);
  threads[key] = found;
  return found;
}

function badge(key, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-sm row-comment-badge";
  button.dataset.commentsFor = key;
  button.setAttribute("aria-expanded", unfolded.has(key) ? "true" : "false");
  button.textContent = "意见" + count[key];
  // The name read out begins with what is shown (axe: label-content-name-mismatch).
  const more = document.createElement("span");
  more.className = "visually-hidden";
  more.textContent = "：" + label + "有 " + count[key] + " 条未处理的审核意见";
  button.appendChild(more);
  return button;
}

function commentRow(key, span) {
  const row = document.createElement("tr");
  row.className = "row-comment-row";
  row.dataset.for = key;
  row.id = "row-comments-" + key;
  row.hidden = !unfolded.has(key);
  const cell = document.createElement("td");
  cell.colSpan = span;
  // On a narrow screen the table scrolls sideways in its box: the comments stay in view,
  // as wide as the box, held at its left edge.
  const inner = document.createElement("div");
  inner.className = "row-comment-inner";
  const box = document.querySelector('[data-ie="rows"]').closest("table").parentElement;
  if (box && box.clientWidth) inner.style.maxWidth = Math.max(240, box.clientWidth - 48) + "px";
  threads[key].forEach((item) => inner.appendChild(item));
  cell.appendChild(inner);
  row.appendChild(cell);
  return row;
}

function markIndicatorRows(tbody) {
  Object.keys(count).forEach((key) => {
    const tr = tbody.querySelector('tr.ie-row[data-key="' + CSS.escape(key) + '"]');
    if (!tr || !take(key) || tr.querySelector(".row-comment-badge")) return;
    tr.classList.add("has-comment");
    const first = tr.querySelector("td");
    const button = badge(key, "第 " + first.textContent.trim() + " 行");
    button.setAttribute("aria-controls", "row-comments-" + key);
    first.appendChild(button);
    const stale = tbody.querySelector('tr.row-comment-row[data-for="' + CSS.escape(key) + '"]');
    if (stale) stale.remove();
    let after = tr;
    // Keep the row's own detail rows (explanation, basis) together with it.
    while (
      after.nextElementSibling &&
      !after.nextElementSibling.matches("tr.ie-row, tr.ie-group, tr.ie-group-foot, tr.row-comment-row")
    ) {
      after = after.nextElementSibling;
    }
    after.after(commentRow(key, tr.children.length || 6));
  });
}

function markTaskRows() {
  document.querySelectorAll("[data-task-row]").forEach((card) => {
    const input = card.querySelector('input[name="task-key"]');
    const key = input && input.value;
    if (!key || !count[key] || !take(key) || card.querySelector(".row-comment-badge")) return;
    card.classList.add("has-comment");
    const body = card.querySelector(".card-body") || card;
    const holder = document.createElement("div");
    holder.className = "col-12 row-comment-holder";
    holder.id = "row-comments-" + key;
    holder.hidden = !unfolded.has(key);
    threads[key].forEach((item) => holder.appendChild(item));
    const button = badge(key, "该项任务");
    button.setAttribute("aria-controls", holder.id);
    body.prepend(button);
    body.appendChild(holder);
  });
}

function toggle(button) {
  const key = button.dataset.commentsFor;
  const open = button.getAttribute("aria-expanded") !== "true";
  if (open) unfolded.add(key);
  else unfolded.delete(key);
  button.setAttribute("aria-expanded", String(open));
  const panel = document.getElementById("row-comments-" + key);
  if (!panel) return;
  panel.hidden = !open;
  if (open) {
    const field = panel.querySelector("textarea");
    if (field) field.focus();
  }
}

function start() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".row-comment-badge");
    if (!button) return;
    event.preventDefault();
    toggle(button);
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
