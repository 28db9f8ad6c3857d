/* The rows of the indicator editor: add, remove, move, change of 一级/二级, typing in a cell,
 * and the live preview of a value as the server parses it (定量 ≥ 30 户, 定性). */
import { getJson } from "./dom.js";
import { CHOSEN, TYPED } from "./details.js";

const PREVIEW_DELAY = 250;

export function install(ed) {
  const { config, urls, tbody, level1ById } = ed;

  ed.insertRow = function insertRow(index, data) {
    const row = ed.makeRow(data || {}, false);
    ed.rows.splice(index, 0, row);
    return row;
  };

  function added(row, at) {
    ed.render({ uid: row.uid, field: "name" });
    ed.announce("已在第 " + (at + 1) + " 行添加指标（" + ed.groupTitle(row) + "）");
    ed.changed();
  }

  ed.addBelow = function addBelow(uid) {
    const index = ed.rowIndex(uid);
    const source = ed.rows[index];
    added(ed.insertRow(index + 1, { level1: source.level1, level2: source.level2 }), index + 1);
  };

  // After the last row of the group, and after real rows under the same placeholder.
  ed.addAfterGroup = function addAfterGroup(uid) {
    const rows = ed.rows;
    const index = ed.rowIndex(uid);
    const source = rows[index];
    let at = index + 1;
    while (at < rows.length && !rows[at].placeholder && rows[at].level2 === source.level2) at++;
    added(ed.insertRow(at, { level1: source.level1, level2: source.level2 }), at);
  };

  function addAtEnd() {
    const rows = ed.rows;
    if (rows.length >= config.max_rows) {
      ed.showBanner("三级指标最多 " + config.max_rows + " 行。");
      return;
    }
    const last = rows[rows.length - 1];
    let data = {};
    if (last && !last.placeholder) data = { level1: last.level1, level2: last.level2 };
    else {
      const first = config.taxonomy.filter((level1) => level1.scope !== "overall")[0];
      if (first) data = { level1: first.id, level2: first.level2s[0].id };
    }
    const row = ed.insertRow(rows.length, data);
    added(row, rows.length - 1);
  }

  function removeRow(uid) {
    const rows = ed.rows;
    const index = ed.rowIndex(uid);
    const row = rows[index];
    if (row.placeholder) return;
    rows.splice(index, 1);
    const next = rows[index] || rows[index - 1];
    let focus = null;
    if (next && !next.placeholder) focus = { uid: next.uid, field: "remove" };
    else if (next) focus = { uid: next.uid, field: "add-under" };
    ed.rememberRemoved(row, index);
    ed.render(focus);
    if (!focus) ed.$("add-end").focus();
    ed.announce("已删除" + ed.rowLabel(row, index) + "。可以撤销；修改会自动保存。");
    ed.changed();
  }

  ed.moveRow = function moveRow(uid, step, field) {
    const rows = ed.rows;
    const index = ed.rowIndex(uid);
    const target = index + step;
    if (index < 0 || target < 0 || target >= rows.length) return;
    const moved = rows[index];
    if (moved.placeholder) return;
    rows[index] = rows[target];
    rows[target] = moved;
    ed.rememberMoved(moved, index, target);
    ed.render({ uid, field });
    const where = "（" + ed.groupTitle(moved) + "）";
    ed.announce(ed.rowLabel(moved, index) + " 已移到第 " + (target + 1) + " 行" + where);
    ed.changed();
  };

  function regrouped(row, field) {
    ed.render({ uid: row.uid, field });
    ed.announce(ed.rowLabel(row, ed.rowIndex(row.uid)) + " 的分类改为 " + ed.groupTitle(row));
    ed.changed();
  }

  tbody.addEventListener("input", (event) => {
    const target = event.target;
    const tr = target.closest("[data-uid]");
    const field = target.dataset.field;
    if (!tr || !["name", "value", ...TYPED].includes(field)) return;
    const row = ed.rowByUid(tr.dataset.uid);
    row[field] = target.value;
    if (row.errors[field]) {
      delete row.errors[field];
      target.classList.remove("is-invalid");
    }
    if (field === "value") ed.schedulePreview(row);
    if (field === "name") ed.scheduleSuggest(row, target);
    ed.changed();
  });

  tbody.addEventListener("change", (event) => {
    const target = event.target;
    const tr = target.closest("[data-uid]");
    if (!tr || !target.dataset.field) return;
    const row = ed.rowByUid(tr.dataset.uid);
    const field = target.dataset.field;
    if (field === "level1") {
      row.level1 = parseInt(target.value, 10) || null;
      const level1 = level1ById[row.level1];
      // A row always has a 二级, so that it can be saved: the first of the new 一级.
      row.level2 = level1 && level1.level2s.length ? level1.level2s[0].id : null;
      regrouped(row, "level1");
    } else if (field === "level2") {
      row.level2 = parseInt(target.value, 10) || null;
      regrouped(row, "level2");
    } else if (CHOSEN.includes(field)) {
      ed.readDetail(row, field, target);
      ed.changed();
    }
  });

  tbody.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "add-group") {
      ed.addAfterGroup(button.dataset.uid);
      return;
    }
    const uid = button.closest("[data-uid]").dataset.uid;
    const row = ed.rowByUid(uid);
    if (action === "up" || action === "down") ed.moveRow(uid, action === "up" ? -1 : 1, action);
    else if (action === "remove") removeRow(uid);
    else if (action === "add-under") ed.addAfterGroup(uid);
    else if (action === "library") ed.addToLibrary(row, button);
    else if (action === "details") {
      row.details = !row.details;
      ed.render({ uid, field: "details" });
      const textarea = row.details && tbody.querySelector("#ie-exp-" + uid);
      if (textarea) textarea.focus();
    }
  });

  ed.$("add-end").addEventListener("click", addAtEnd);

  const previewTimers = {};
  ed.schedulePreview = function schedulePreview(row) {
    window.clearTimeout(previewTimers[row.uid]);
    previewTimers[row.uid] = window.setTimeout(() => {
      const asked = row.value;
      getJson(urls.parse_value + "?value=" + encodeURIComponent(asked))
        .then((parsed) => {
          if (!parsed || row.value !== asked) return;
          row.value_type = parsed.value_type;
          row.operator = parsed.operator;
          row.number = parsed.number;
          row.unit = parsed.unit;
          ed.updatePreview(row);
        })
        .catch(() => {});
    }, PREVIEW_DELAY);
  };
}
