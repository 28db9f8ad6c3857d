/* 撤销 in the indicator editor: a deleted row, a paste and a move can be taken back for as long
 * as the page is open, the last first. Each is undone by its own inverse (the deleted row put
 * back where it was, the pasted rows taken out, the moved row put back), so that typing done
 * since in other rows stays; the undone table autosaves like any edit.
 *
 * The bar under the table (sticky at the bottom of the window while the table is in view)
 * says what the next 撤销 takes back; its button is in the Tab order, and Ctrl+Z does the
 * same while the focus is on one of the table's buttons (in a text field Ctrl+Z is the
 * field's own undo). */

export function install(ed) {
  const stack = [];
  const bar = ed.$("undo");
  const text = ed.$("undo-text");
  const button = ed.$("undo-button");

  function show(done) {
    const last = stack[stack.length - 1];
    if (!last && !done) {
      bar.classList.add("d-none");
      return;
    }
    bar.classList.remove("d-none");
    text.textContent = (done ? "已撤销" + done + "。" : "") + (last ? last.label : "");
    button.classList.toggle("d-none", !last);
    if (last) button.setAttribute("aria-label", "撤销：" + last.label);
  }

  // entry: {label: "已删除第 3 行「…」", undo(): focus for render, or false when it cannot}
  ed.remember = function remember(entry) {
    stack.push(entry);
    show();
  };

  // A table restored from the browser's copy is made of other rows: nothing to take back.
  ed.forgetUndo = function forgetUndo() {
    stack.length = 0;
    show();
  };

  function undo() {
    const entry = stack.pop();
    if (!entry) return;
    const focus = entry.undo();
    if (focus === false) {
      stack.push(entry);
      return;
    }
    const what = entry.label.replace(/^已/, "");
    show(what);
    ed.render(focus);
    if (!focus) (stack.length ? button : ed.$("add-end")).focus();
    ed.announce("已撤销" + what + "。修改会自动保存。");
    ed.changed();
  }

  button.addEventListener("click", undo);
  ed.root.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "z" || event.shiftKey) return;
    const active = document.activeElement;
    if (active && active.matches("input, textarea, select")) return;
    if (!stack.length) return;
    event.preventDefault();
    undo();
  });

  // The inverses, for rows.js and paste.js.
  ed.rememberRemoved = function rememberRemoved(row, index) {
    ed.remember({
      label: "已删除" + ed.rowLabel(row, index),
      undo() {
        if (ed.rows.length >= ed.config.max_rows) {
          ed.showBanner("三级指标最多 " + ed.config.max_rows + " 行，无法撤销删除。");
          return false;
        }
        ed.rows.splice(Math.min(index, ed.rows.length), 0, row);
        return { uid: row.uid, field: "name" };
      },
    });
  };

  ed.rememberMoved = function rememberMoved(row, from, to) {
    ed.remember({
      label: "已将" + ed.rowLabel(row, from) + "移到第 " + (to + 1) + " 行",
      undo() {
        const at = ed.rowIndex(row.uid);
        if (at < 0) return null;
        ed.rows.splice(at, 1);
        ed.rows.splice(Math.min(from, ed.rows.length), 0, row);
        return { uid: row.uid, field: "name" };
      },
    });
  };

  ed.rememberPasted = function rememberPasted(rows) {
    const uids = new Set(rows.map((row) => row.uid));
    ed.remember({
      label: "已粘贴 " + rows.length + " 条指标",
      undo() {
        ed.rows.splice(0, ed.rows.length, ...ed.rows.filter((row) => !uids.has(row.uid)));
        return null;
      },
    });
  };
}
