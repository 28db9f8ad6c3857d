/* Paste from Excel: several cells copied from a spreadsheet are read by the server
 * (urls.parse_paste) into rows, shown for a check, then added next to their 二级. */
import { el, post } from "./dom.js";
import { jsonOf } from "../autosave.js";

export function install(ed) {
  const { config, urls } = ed;
  const dialog = ed.$("paste-dialog");
  const pasteText = ed.$("paste-text");
  const pasteLevel2 = ed.$("paste-level2");
  const pastePreview = ed.$("paste-preview");
  const pasteAdd = ed.$("paste-add");
  let pasted = [];
  let pasteAnchor = null;
  let pasteTimer = null;

  pasteLevel2.appendChild(el("option", { value: "", text: "（请选择）" }));
  config.taxonomy.forEach((level1) => {
    const group = el("optgroup", { label: level1.name });
    level1.level2s.forEach((level2) => {
      group.appendChild(el("option", { value: level2.id, text: level2.name }));
    });
    pasteLevel2.appendChild(group);
  });

  function openPaste(text, anchorRow) {
    pasteAnchor = anchorRow ? anchorRow.uid : null;
    pasteLevel2.value = anchorRow && anchorRow.level2 ? String(anchorRow.level2) : "";
    pasteText.value = text || "";
    pastePreview.textContent = "";
    pasted = [];
    pasteAdd.disabled = true;
    dialog.showModal();
    pasteText.focus();
    if (text) readPaste();
  }

  function readPaste() {
    const text = pasteText.value;
    if (!text.trim()) {
      pastePreview.textContent = "";
      pasteAdd.disabled = true;
      return;
    }
    const body = JSON.stringify({ text, level2: pasteLevel2.value || null });
    post(urls.parse_paste, body, ed.csrf)
      .then((response) =>
        jsonOf(response).then((data) => {
          if (!response.ok) {
            pastePreview.textContent = data.error || "无法读取粘贴的内容（登录可能已过期）。";
            pasteAdd.disabled = true;
            return;
          }
          showPastePreview(data);
        })
      )
      .catch(() => {
        pastePreview.textContent = "网络连接中断，无法读取粘贴的内容。";
      });
  }

  function previewTable(rows) {
    const head = ["一级指标", "二级指标", "三级指标", "指标值"].map((text) =>
      el("th", { scope: "col", text })
    );
    const body = rows.map((row) =>
      el(
        "tr",
        {},
        [row.level1_name, row.level2_name, row.name, row.value].map((text) => el("td", { text }))
      )
    );
    return el("table", { className: "table table-sm table-bordered small mb-2" }, [
      el("caption", { className: "caption-top", text: "将添加 " + rows.length + " 条指标" }),
      el("thead", {}, [el("tr", {}, head)]),
      el("tbody", {}, body),
    ]);
  }

  function showPastePreview(data) {
    pasted = data.rows;
    pastePreview.textContent = "";
    if (pasted.length) pastePreview.appendChild(previewTable(pasted));
    if (data.problems.length) {
      const count = data.problems.length;
      pastePreview.appendChild(
        el("p", { className: "small text-danger mb-1", text: "以下 " + count + " 行需要注意：" })
      );
      const items = data.problems.map((problem) => {
        const line = problem.text.replace(/\t/g, " | ");
        return el("li", { text: "第 " + problem.line + " 行「" + line + "」：" + problem.message });
      });
      pastePreview.appendChild(el("ul", { className: "small text-danger" }, items));
    }
    if (!pasted.length && !data.problems.length) pastePreview.textContent = "没有读到指标。";
    pasteAdd.disabled = !pasted.length;
    pasteAdd.textContent = pasted.length ? "添加这 " + pasted.length + " 条指标" : "添加这些指标";
  }

  // Like the official form: next to the rows of the same 二级, else of the same 一级,
  // else before the first row of a later 一级.
  function insertionIndex(data) {
    const rows = ed.rows;
    let i;
    for (i = rows.length - 1; i >= 0; i--) if (rows[i].level2 === data.level2) return i + 1;
    for (i = rows.length - 1; i >= 0; i--) if (rows[i].level1 === data.level1) return i + 1;
    const position = ed.level1Order.indexOf(data.level1);
    for (i = 0; i < rows.length; i++) if (ed.level1Order.indexOf(rows[i].level1) > position) return i;
    return rows.length;
  }

  function addPasted() {
    if (ed.rows.length + pasted.length > config.max_rows) {
      const text = "三级指标最多 " + config.max_rows + " 行，请少粘贴一些。";
      pastePreview.appendChild(el("p", { className: "text-danger", text }));
      return;
    }
    let first = null;
    const added = [];
    let anchorIndex = pasteAnchor ? ed.rowIndex(pasteAnchor) : -1;
    pasted.forEach((data) => {
      const anchor = anchorIndex >= 0 ? ed.rows[anchorIndex] : null;
      const underAnchor = anchor && anchor.level2 === data.level2;
      const at = underAnchor ? anchorIndex + 1 : insertionIndex(data);
      const row = ed.insertRow(at, data);
      if (anchorIndex >= 0 && at <= anchorIndex) anchorIndex++;
      if (underAnchor) anchorIndex = at; // keep the pasted order
      first = first || row;
      added.push(row);
    });
    ed.rememberPasted(added);
    dialog.close();
    ed.render(first ? { uid: first.uid, field: "name" } : null);
    ed.announce("已添加 " + pasted.length + " 条指标，可以撤销；修改会自动保存。");
    ed.changed();
  }

  ed.$("open-paste").addEventListener("click", () => {
    const cell = ed.focusedCell();
    openPaste("", cell ? ed.rowByUid(cell.uid) : null);
  });
  pasteText.addEventListener("input", () => {
    window.clearTimeout(pasteTimer);
    pasteTimer = window.setTimeout(readPaste, 400);
  });
  pasteLevel2.addEventListener("change", readPaste);
  ed.$("paste-read").addEventListener("click", readPaste);
  pasteAdd.addEventListener("click", addPasted);

  // Several cells from a spreadsheet pasted into the table: read them as rows rather than
  // into one input.
  ed.tbody.addEventListener("paste", (event) => {
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text || (text.indexOf("\t") < 0 && text.replace(/\r?\n$/, "").indexOf("\n") < 0)) return;
    event.preventDefault();
    const cell = ed.focusedCell();
    openPaste(text, cell ? ed.rowByUid(cell.uid) : null);
  });
}
