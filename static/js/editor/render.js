/* Drawing the indicator table: rows grouped under 一级 › 二级, each with its selects, inputs,
 * parsed preview, feedback and buttons. The table is drawn again on structural changes only
 * (add, remove, move, 一级/二级 change), never while the filer types, so that the caret and
 * Chinese input-method composition are never disturbed. */
import { el } from "./dom.js";

export function install(ed) {
  const { config, urls, tbody, level1ById, level2ById } = ed;

  function groupKey(row) {
    return row.placeholder ? "placeholder" : row.level1 + ":" + row.level2;
  }

  function levelSelect(field, label, choices, selected) {
    const select = el("select", {
      className: "form-select form-select-sm",
      "data-field": field,
      "aria-label": label,
    });
    if (!selected) select.appendChild(el("option", { value: "", text: "请选择" }));
    choices.forEach((choice) => {
      select.appendChild(
        el("option", { value: choice.id, text: choice.name, selected: choice.id === selected })
      );
    });
    return select;
  }

  function actionButton(action, text, label, extraClass) {
    return el("button", {
      type: "button",
      className: "btn btn-sm " + (extraClass || "btn-outline-secondary"),
      "data-action": action,
      "aria-label": label,
      title: label,
      text,
    });
  }

  function rowFeedback(row) {
    const box = el("div", { className: "ie-feedback small", id: "ie-fb-" + row.uid });
    Object.keys(row.errors).forEach((field) => {
      box.appendChild(el("div", { className: "text-danger", text: row.errors[field] }));
    });
    row.findings.forEach((finding) => {
      const error = finding.severity === "error";
      box.appendChild(
        el("div", {
          className: error ? "text-danger" : "text-warning-emphasis",
          text: (error ? "错误：" : "提示：") + finding.message,
        })
      );
    });
    return box;
  }

  function previewBadge(row) {
    return el("span", {
      className: "badge ie-preview " + badgeClass(row),
      id: "ie-pv-" + row.uid,
      text: ed.previewText(row),
    });
  }

  function badgeClass(row) {
    return row.value_type === "quantitative" ? "text-bg-info" : "text-bg-light border";
  }

  function placeholderRow(tr, row, placeholderRun) {
    tr.classList.add("ie-placeholder");
    tr.appendChild(el("td", { text: level1ById[row.level1] ? level1ById[row.level1].name : "" }));
    tr.appendChild(el("td", { text: level2ById[row.level2] ? level2ById[row.level2].name : "" }));
    if (placeholderRun) {
      tr.appendChild(
        el("td", {
          colspan: 2,
          rowspan: placeholderRun,
          className: "ie-note text-center",
          text: config.input_note || "（投入管理指标说明，在基本信息中填写）",
        })
      );
    }
    const name = (level2ById[row.level2] || {}).name;
    tr.appendChild(
      el("td", { className: "ie-actions" }, [
        actionButton("add-under", "＋ 三级指标", "在「" + name + "」下添加三级指标", "btn-outline-primary"),
      ])
    );
    return [tr];
  }

  function nameCell(row, number) {
    const listId = "ie-list-" + row.uid;
    const input = el("input", {
      type: "text",
      className: "form-control form-control-sm" + (row.errors.name ? " is-invalid" : ""),
      "data-field": "name",
      value: row.name,
      maxlength: config.name_max,
      "aria-label": "第 " + number + " 行 三级指标",
      "aria-describedby": "ie-fb-" + row.uid,
      autocomplete: "off",
    });
    if (urls.library_suggest) {
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", listId);
    }
    // A popover: drawn in the top layer, above the table's scroll box (suggestions.js).
    const list = el("ul", {
      className: "ie-suggest list-unstyled",
      role: "listbox",
      id: listId,
      popover: "manual",
      "aria-label": "指标库建议",
    });
    return el("td", { className: "ie-name" }, [input, list, rowFeedback(row)]);
  }

  function valueCell(row, number) {
    const input = el("input", {
      type: "text",
      className: "form-control form-control-sm" + (row.errors.value ? " is-invalid" : ""),
      "data-field": "value",
      value: row.value,
      maxlength: config.value_max,
      placeholder: row.valueHint || "如 ≥90%、=5(个)、及时",
      "aria-label": "第 " + number + " 行 指标值",
      "aria-describedby": "ie-pv-" + row.uid,
      autocomplete: "off",
    });
    const box = el("div", { className: "ie-value d-flex gap-1 align-items-center" }, [
      input,
      previewBadge(row),
    ]);
    return el("td", {}, [box]);
  }

  function actionsCell(row, index) {
    const number = index + 1;
    const detailsWord = row.details ? "收起" : "详情";
    const cell = el("td", { className: "ie-actions" }, [
      // The name starts with the visible word (axe: label-content-name-mismatch).
      actionButton("details", detailsWord, detailsWord + "第 " + number + " 行 指标解释、设定依据、分值等"),
      actionButton("up", "↑", "第 " + number + " 行 上移"),
      actionButton("down", "↓", "第 " + number + " 行 下移"),
      actionButton("remove", "删除", "删除第 " + number + " 行", "btn-outline-danger"),
    ]);
    cell.querySelector('[data-action="details"]').setAttribute("aria-expanded", String(row.details));
    if (index === 0) cell.querySelector('[data-action="up"]').disabled = true;
    if (index === ed.rows.length - 1) cell.querySelector('[data-action="down"]').disabled = true;
    if (urls.library_add && row.key && row.name) cell.appendChild(libraryButton(row, index));
    return cell;
  }

  function libraryButton(row, index) {
    const label = "将第 " + (index + 1) + " 行纳入指标库";
    return actionButton("library", "纳入指标库", label, "btn-outline-success");
  }

  function renderRow(row, index, placeholderRun) {
    const number = index + 1;
    const tr = el("tr", { className: "ie-row", "data-uid": row.uid, "data-key": row.key });
    tr.appendChild(el("td", { className: "text-center text-body-secondary", text: String(number) }));
    if (row.placeholder) return placeholderRow(tr, row, placeholderRun);
    const level1 = level1ById[row.level1];
    tr.appendChild(
      el("td", {}, [levelSelect("level1", "第 " + number + " 行 一级指标", config.taxonomy, row.level1)])
    );
    tr.appendChild(
      el("td", {}, [
        levelSelect("level2", "第 " + number + " 行 二级指标", level1 ? level1.level2s : [], row.level2),
      ])
    );
    tr.appendChild(nameCell(row, number));
    tr.appendChild(valueCell(row, number));
    tr.appendChild(actionsCell(row, index));
    return row.details ? [tr, ed.detailsRow(row, number)] : [tr];
  }

  function groupHead(row) {
    const level1 = level1ById[row.level1];
    const level2 = level2ById[row.level2];
    const title = row.placeholder
      ? level1
        ? level1.name
        : ""
      : (level1 ? level1.name : "未分类") + " › " + (level2 ? level2.name : "请选择二级指标");
    return el("tr", { className: "ie-group" }, [el("th", { colspan: 6, scope: "rowgroup", text: title })]);
  }

  function groupFoot(row, last) {
    const level2 = level2ById[row.level2];
    const button = el("button", {
      type: "button",
      className: "btn btn-sm btn-link p-0",
      "data-action": "add-group",
      "data-uid": last.uid,
      text: "＋ 在「" + (level2 ? level2.name : "此组") + "」下添加指标",
    });
    return el("tr", { className: "ie-group-foot" }, [el("td", { colspan: 6 }, [button])]);
  }

  ed.render = function render(focus) {
    const rows = ed.rows;
    const fragment = document.createDocumentFragment();
    let i = 0;
    while (i < rows.length) {
      const row = rows[i];
      let end = i + 1;
      while (end < rows.length && groupKey(rows[end]) === groupKey(row)) end++;
      fragment.appendChild(groupHead(row));
      for (let j = i; j < end; j++) {
        const run = row.placeholder && j === i ? end - i : 0;
        renderRow(rows[j], j, run).forEach((tr) => fragment.appendChild(tr));
      }
      if (!row.placeholder) fragment.appendChild(groupFoot(row, rows[end - 1]));
      i = end;
    }
    if (!rows.length) {
      const text = "还没有指标：点击「添加指标」或「从 Excel 粘贴」。";
      fragment.appendChild(
        el("tr", {}, [el("td", { colspan: 6, className: "text-center text-body-secondary py-3", text })])
      );
    }
    tbody.textContent = "";
    tbody.appendChild(fragment);
    if (focus) ed.focusRow(focus.uid, focus.field);
  };

  ed.focusRow = function focusRow(uid, field) {
    const tr = tbody.querySelector('tr.ie-row[data-uid="' + uid + '"]');
    if (!tr) {
      ed.$("add-end").focus();
      return;
    }
    const target =
      (field && tbody.querySelector('[data-uid="' + uid + '"] [data-field="' + field + '"]')) ||
      (field && tr.querySelector('[data-action="' + field + '"]:not([disabled])')) ||
      tr.querySelector('[data-field="name"]') ||
      tr.querySelector("button:not([disabled])");
    if (target) target.focus();
  };

  // The row and the field (or button) that has the focus, if it is in the table.
  ed.focusedCell = function focusedCell() {
    const active = document.activeElement;
    if (!active || !tbody.contains(active)) return null;
    const tr = active.closest("tr[data-uid]");
    if (!tr) return null;
    return { uid: tr.dataset.uid, field: active.dataset.field || active.dataset.action || null };
  };

  ed.updatePreview = function updatePreview(row) {
    const badge = tbody.querySelector("#ie-pv-" + row.uid);
    if (!badge) return;
    badge.textContent = ed.previewText(row);
    badge.className = "badge ie-preview " + badgeClass(row);
  };

  ed.updateFeedback = function updateFeedback(row) {
    const old = tbody.querySelector("#ie-fb-" + row.uid);
    if (old) old.replaceWith(rowFeedback(row));
    ["name", "value"].forEach((field) => {
      const input = tbody.querySelector('[data-uid="' + row.uid + '"] [data-field="' + field + '"]');
      if (input) input.classList.toggle("is-invalid", !!row.errors[field]);
    });
  };

  // A row that got its key from a save can be offered to the library.
  ed.addLibraryButton = function addLibraryButton(row) {
    const tr = tbody.querySelector('tr.ie-row[data-uid="' + row.uid + '"]');
    if (!tr) return;
    tr.dataset.key = row.key;
    if (!urls.library_add || !row.key || !row.name || tr.querySelector('[data-action="library"]')) return;
    tr.querySelector(".ie-actions").appendChild(libraryButton(row, ed.rowIndex(row.uid)));
  };
}
