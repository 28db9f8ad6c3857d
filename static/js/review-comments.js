/*
 * The review page's comments beside the official form.
 *
 * Each row of the form names what a remark on it is about (data-anchor: row:<key>,
 * task:<key>, part:funds…) and each comment the anchor it is on. On a wide screen the
 * comments stand in the column beside the form, each level with its row (pushed down
 * only by the one above it); on a narrow one each is moved under its row, in a row of
 * the form's own table. A click on a row, or Enter on it, opens the comment box there
 * with the row chosen; hovering or focusing a comment lights its row up.
 *
 * Without this script the page still works: the comments are listed in order of the
 * rows and the box below them has the 针对 drop-down.
 */
const rail = document.querySelector("[data-comment-rail]");
// The form is drawn band by band, a table each (exports.document: each band its own widths):
// ``grid`` is the box of them all; a row's merged cells are those of its own table.
const grid = document.querySelector(".official-form .form-bands");
const box = document.getElementById("comment-form");
const wide = window.matchMedia("(min-width: 1200px)");
const GAP = 8;

function rowsOf(anchor) {
  return grid ? Array.from(grid.querySelectorAll('tr[data-anchor="' + CSS.escape(anchor) + '"]')) : [];
}

function items() {
  // The comments and, when opened at a row, the box: each with the anchor of its row.
  return Array.from(document.querySelectorAll(".comment-thread[data-anchor], #comment-form[data-anchor]"));
}

// --- Where the comments stand -----------------------------------------------------

function spanning(tr) {
  // The cells of rows above ``tr``'s place that reach below it (a 一级 or 绩效指标 label).
  const rows = Array.from(tr.closest("table").rows);
  const at = rows.indexOf(tr);
  const cells = [];
  rows.slice(0, at + 1).forEach((row, index) => {
    Array.from(row.cells).forEach((cell) => {
      if (index + cell.rowSpan - 1 > at) cells.push(cell);
    });
  });
  return cells;
}

function underRow(anchor) {
  // The form row that holds what is put under the last row of ``anchor``: merged cells
  // that run past it grow by one row, so the form keeps its shape around it.
  const rows = rowsOf(anchor);
  if (!rows.length) return null;
  const last = rows[rows.length - 1];
  let holder = last.nextElementSibling;
  if (!holder || !holder.matches("tr.comment-under") || holder.dataset.for !== anchor) {
    const covering = spanning(last);
    covering.forEach((cell) => {
      cell.rowSpan += 1;
    });
    holder = document.createElement("tr");
    holder.className = "comment-under";
    holder.dataset.for = anchor;
    holder.bumped = covering;
    const cell = document.createElement("td");
    cell.colSpan = 6 - covering.reduce((sum, c) => sum + c.colSpan, 0);
    const inner = document.createElement("div");
    inner.className = "comment-under-inner";
    cell.appendChild(inner);
    holder.appendChild(cell);
    last.after(holder);
  }
  return holder.querySelector(".comment-under-inner");
}

function removeHolders() {
  grid.querySelectorAll("tr.comment-under").forEach((tr) => {
    (tr.bumped || []).forEach((cell) => {
      cell.rowSpan -= 1;
    });
    tr.remove();
  });
}

function placeNarrow() {
  const scroller = grid && grid.closest(".form-scroll");
  items().forEach((item) => {
    item.style.marginTop = "";
    const inner = underRow(item.dataset.anchor);
    if (!inner) return; // a row since deleted: it stays in the column
    // Moved only when it is elsewhere: moving an element takes the focus out of it, and
    // the box just opened (its row grew the form, so this runs again) has the cursor.
    if (item.parentElement !== inner) inner.appendChild(item);
    // No wider than the scroll box shows, from where the cell begins.
    if (scroller) {
      const left = inner.parentElement.getBoundingClientRect().left;
      const room = scroller.getBoundingClientRect().right - Math.max(left, scroller.getBoundingClientRect().left);
      inner.style.width = Math.max(200, Math.floor(room) - 16) + "px";
    }
  });
}

function placeWide() {
  // Back into the column, in the order of the rows, then each pushed down to its row.
  const ordered = items().sort((a, b) => order(a) - order(b));
  const wanted = box && !box.dataset.anchor ? [...ordered, box] : ordered;
  ordered.forEach((item) => {
    item.style.marginTop = "";
  });
  // As for the narrow screen: what already stands in order is left where it is, so that a
  // reply being typed in the column keeps the cursor when the rows move.
  const last = Array.from(rail.children).slice(-wanted.length);
  if (last.length !== wanted.length || wanted.some((item, index) => last[index] !== item)) {
    wanted.forEach((item) => rail.appendChild(item));
  }
  removeHolders();
  let bottom = -Infinity;
  ordered.forEach((item) => {
    const rows = rowsOf(item.dataset.anchor);
    const top = item.getBoundingClientRect().top + window.scrollY;
    let wanted = top;
    if (rows.length) wanted = rows[0].getBoundingClientRect().top + window.scrollY;
    const at = Math.max(wanted, bottom + GAP, top);
    item.style.marginTop = Math.round(at - top) + "px";
    bottom = item.getBoundingClientRect().bottom + window.scrollY;
  });
}

function order(item) {
  const rows = rowsOf(item.dataset.anchor);
  if (!rows.length) return item.dataset.anchor.startsWith("part:general") ? -1 : 1e9;
  return rows[0].getBoundingClientRect().top;
}

function place() {
  if (!rail || !grid) return;
  if (wide.matches) placeWide();
  else placeNarrow();
}

// --- Lighting a row up ------------------------------------------------------------

function light(anchor, on) {
  rowsOf(anchor).forEach((tr) => tr.classList.toggle("anchor-lit", on));
}

function watchThread(event, on) {
  const item = event.target.closest && event.target.closest(".comment-thread[data-anchor]");
  if (!item) return;
  if (!on && event.relatedTarget && item.contains(event.relatedTarget)) return;
  light(item.dataset.anchor, on);
}

// --- The comment box at a row -----------------------------------------------------

function openAt(anchor) {
  if (!box) return;
  const select = box.querySelector("select");
  if (!Array.from(select.options).some((option) => option.value === anchor)) return;
  select.value = anchor;
  box.dataset.anchor = anchor;
  box.classList.add("comment-box-open");
  box.querySelector("[data-comment-close]").hidden = false;
  document.querySelectorAll("tr.anchor-chosen").forEach((tr) => tr.classList.remove("anchor-chosen"));
  rowsOf(anchor).forEach((tr) => tr.classList.add("anchor-chosen"));
  place();
  box.scrollIntoView({ behavior: "smooth", block: "nearest" });
  box.querySelector("textarea").focus({ preventScroll: true });
}

function closeBox() {
  const anchor = box.dataset.anchor;
  delete box.dataset.anchor;
  box.classList.remove("comment-box-open");
  box.querySelector("[data-comment-close]").hidden = true;
  document.querySelectorAll("tr.anchor-chosen").forEach((tr) => tr.classList.remove("anchor-chosen"));
  place();
  const rows = anchor ? rowsOf(anchor) : [];
  if (rows.length) rows[0].focus();
}

function start() {
  grid.addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-anchor]");
    // Selecting text to quote it is not a click on the row.
    if (!tr || String(window.getSelection())) return;
    openAt(tr.dataset.anchor);
  });
  grid.addEventListener("keydown", (event) => {
    const tr = event.target.closest("tr[data-anchor]");
    if (!tr || event.target !== tr || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    openAt(tr.dataset.anchor);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".comment-on");
    if (button) openAt(button.dataset.target);
    if (event.target.closest("[data-comment-close]")) closeBox();
  });
  if (box) {
    box.querySelector("select").addEventListener("change", (event) => {
      if (box.dataset.anchor) openAt(event.target.value);
    });
  }
  rail.addEventListener("mouseover", (event) => watchThread(event, true));
  rail.addEventListener("mouseout", (event) => watchThread(event, false));
  grid.addEventListener("mouseover", (event) => watchThread(event, true));
  grid.addEventListener("mouseout", (event) => watchThread(event, false));
  document.addEventListener("focusin", (event) => watchThread(event, true));
  document.addEventListener("focusout", (event) => watchThread(event, false));
  wide.addEventListener("change", place);
  // Fonts, the findings above and replies unfolding all move the rows: place again.
  new ResizeObserver(() => window.requestAnimationFrame(place)).observe(grid);
  rail.addEventListener("toggle", place, true);
  place();
  // A link to one comment (a notification, a redirect after a reply): show it, lit.
  const target = window.location.hash && document.querySelector(window.location.hash);
  if (target && target.matches(".comment-thread")) {
    target.scrollIntoView({ block: "center" });
    light(target.dataset.anchor, true);
  }
}

if (rail && grid) start();
