/* The indicator editor's keys: Alt+↑ / Alt+↓ move the current row, Ctrl+Enter adds a row below
 * it; while the library's suggestions are open, the arrows, Enter and Escape are theirs. */

export function install(ed) {
  ed.tbody.addEventListener("keydown", (event) => {
    const cell = ed.focusedCell();
    if (!cell) return;
    const list = ed.openSuggestList();
    if (list && ed.handleSuggestKey(event, list)) return;
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      ed.moveRow(cell.uid, event.key === "ArrowUp" ? -1 : 1, cell.field);
    } else if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      const row = ed.rowByUid(cell.uid);
      if (row.placeholder) ed.addAfterGroup(cell.uid);
      else ed.addBelow(cell.uid);
    }
  });
}
