/*
 * The indicator editor (绩效指标): rows grouped under 一级/二级, add / remove / reorder
 * without reloading, a live parsed preview of each value, paste from Excel, library
 * suggestions, and an autosave that never loses more than a few seconds of typing.
 *
 * The page holds the whole table; every save sends it complete and in order with the
 * lock_version the page was showing (the server refuses a stale one with 409). Until a
 * save succeeds, a copy of the rows sits in localStorage, so a closed tab, an expired
 * session or a refused save loses nothing.
 *
 * Vanilla JS, no framework: the table is re-rendered on structural changes only
 * (add, remove, move, 一级/二级 change), never while the filer types, so that the
 * caret and Chinese input-method composition are never disturbed.
 */
(function () {
  "use strict";

  var root = document.getElementById("indicator-editor");
  if (!root) return;
  var config = JSON.parse(document.getElementById("indicator-editor-data").textContent);
  var csrf = root.dataset.csrf;
  var urls = config.urls;
  var AUTOSAVE_DELAY = 1200;
  var PREVIEW_DELAY = 250;
  var SUGGEST_DELAY = 200;
  var RETRY_DELAY = 5000;

  function $(name) {
    return root.querySelector('[data-ie="' + name + '"]');
  }
  var tbody = $("rows");
  var statusEl = $("status");
  var banner = $("banner");
  var live = $("live");

  // --- Taxonomy -------------------------------------------------------------------
  var level1ById = {};
  var level2ById = {};
  config.taxonomy.forEach(function (level1) {
    level1ById[level1.id] = level1;
    level1.level2s.forEach(function (level2) {
      level2ById[level2.id] = { id: level2.id, name: level2.name, level1: level1.id };
    });
  });
  var level1Order = config.taxonomy.map(function (level1) {
    return level1.id;
  });

  // --- State ----------------------------------------------------------------------
  var nextUid = 1;
  var rows = [];
  var changeSeq = 0; // grows with every change
  var savedSeq = 0; // the change the server has
  var inFlight = null;
  var queued = false;
  var blocked = false; // after a 409/403: saving again would overwrite someone's work
  var saveTimer = null;
  var retryTimer = null;
  var submittingWizard = false;

  function makeRow(data, placeholder) {
    var level2 = level2ById[data.level2];
    return {
      uid: "r" + nextUid++,
      key: data.key || "",
      level1: level2 ? level2.level1 : data.level1 || null,
      level2: level2 ? level2.id : null,
      name: data.name || "",
      value: data.value || "",
      explanation: data.explanation || "",
      basis: data.basis || "",
      value_type: data.value_type || "",
      operator: data.operator || "",
      number: data.number == null ? null : data.number,
      unit: data.unit || "",
      placeholder: !!placeholder,
      details: !!(data.explanation || data.basis),
      errors: {},
      findings: [],
      valueHint: "",
    };
  }

  function isInputBlock(data) {
    var level1 = level1ById[data.level1];
    return (
      config.is_overall &&
      level1 &&
      level1.scope === "overall" &&
      !(data.name || "").trim() &&
      !(data.value || "").trim()
    );
  }

  function serialize(row) {
    return {
      key: row.key,
      level2: row.level2,
      name: row.name,
      value: row.value,
      explanation: row.explanation,
      basis: row.basis,
    };
  }

  // --- Version: the shared convention is every input[name=lock_version] on the page --
  var versionInput = document.createElement("input");
  versionInput.type = "hidden";
  versionInput.name = "lock_version";
  versionInput.value = config.lock_version;
  versionInput.dataset.ie = "version";
  root.appendChild(versionInput);

  function currentVersion() {
    // The wizard's own autosave may have moved the version on; it updates our input too.
    return parseInt(versionInput.value, 10);
  }
  function setVersion(version) {
    document.querySelectorAll("input[name=lock_version]").forEach(function (input) {
      input.value = version;
    });
  }

  // --- Helpers --------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
  }
  function setStatus(text) {
    statusEl.textContent = text;
  }
  function showBanner(text, extra) {
    banner.textContent = text;
    if (extra) banner.appendChild(extra);
    banner.classList.remove("d-none");
  }
  function hideBanner() {
    banner.classList.add("d-none");
    banner.textContent = "";
  }
  function rowIndex(uid) {
    for (var i = 0; i < rows.length; i++) if (rows[i].uid === uid) return i;
    return -1;
  }
  function rowLabel(row, index) {
    return "第 " + (index + 1) + " 行" + (row.name ? "「" + row.name + "」" : "");
  }
  function post(url, body, contentType) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": contentType || "application/json",
        "X-CSRFToken": csrf,
        "X-Requested-With": "XMLHttpRequest",
        Accept: "application/json",
      },
      body: body,
    });
  }
  function readJson(response) {
    return response.json().catch(function () {
      return {};
    });
  }
  function previewText(row) {
    if (!row.value.trim()) return "";
    if (row.value_type === "quantitative") {
      return ["定量", row.operator, row.number, row.unit].filter(Boolean).join(" ");
    }
    return "定性";
  }

  // --- Rendering ------------------------------------------------------------------
  function groupKey(row) {
    return row.placeholder ? "placeholder" : row.level1 + ":" + row.level2;
  }

  function level1Select(row, index) {
    var select = el("select", {
      className: "form-select form-select-sm",
      "data-field": "level1",
      "aria-label": "第 " + (index + 1) + " 行 一级指标",
    });
    if (!row.level1) select.appendChild(el("option", { value: "", text: "请选择" }));
    config.taxonomy.forEach(function (level1) {
      select.appendChild(
        el("option", { value: level1.id, text: level1.name, selected: level1.id === row.level1 })
      );
    });
    return select;
  }

  function level2Select(row, index) {
    var select = el("select", {
      className: "form-select form-select-sm",
      "data-field": "level2",
      "aria-label": "第 " + (index + 1) + " 行 二级指标",
    });
    if (!row.level2) select.appendChild(el("option", { value: "", text: "请选择" }));
    var level1 = level1ById[row.level1];
    (level1 ? level1.level2s : []).forEach(function (level2) {
      select.appendChild(
        el("option", { value: level2.id, text: level2.name, selected: level2.id === row.level2 })
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
      text: text,
    });
  }

  function rowFeedback(row) {
    var box = el("div", { className: "ie-feedback small", id: "ie-fb-" + row.uid });
    Object.keys(row.errors).forEach(function (field) {
      box.appendChild(el("div", { className: "text-danger", text: row.errors[field] }));
    });
    row.findings.forEach(function (finding) {
      box.appendChild(
        el("div", {
          className: finding.severity === "error" ? "text-danger" : "text-warning-emphasis",
          text: (finding.severity === "error" ? "错误：" : "提示：") + finding.message,
        })
      );
    });
    return box;
  }

  function renderRow(row, index, placeholderRun) {
    var number = index + 1;
    var tr = el("tr", { className: "ie-row", "data-uid": row.uid, "data-key": row.key });
    tr.appendChild(el("td", { className: "text-center text-body-secondary", text: String(number) }));
    if (row.placeholder) {
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
      var actions = el("td", { className: "ie-actions" }, [
        actionButton(
          "add-under",
          "＋ 三级指标",
          "在「" + (level2ById[row.level2] || {}).name + "」下添加三级指标",
          "btn-outline-primary"
        ),
      ]);
      tr.appendChild(actions);
      return [tr];
    }
    tr.appendChild(el("td", {}, [level1Select(row, index)]));
    tr.appendChild(el("td", {}, [level2Select(row, index)]));

    var listId = "ie-list-" + row.uid;
    var nameInput = el("input", {
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
      nameInput.setAttribute("role", "combobox");
      nameInput.setAttribute("aria-autocomplete", "list");
      nameInput.setAttribute("aria-expanded", "false");
      nameInput.setAttribute("aria-controls", listId);
    }
    var nameCell = el("td", { className: "ie-name" }, [
      nameInput,
      el("ul", { className: "ie-suggest list-unstyled d-none", role: "listbox", id: listId, "aria-label": "指标库建议" }),
      rowFeedback(row),
    ]);
    tr.appendChild(nameCell);

    var valueInput = el("input", {
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
    var preview = el("span", {
      className: "badge ie-preview " + (row.value_type === "quantitative" ? "text-bg-info" : "text-bg-light border"),
      id: "ie-pv-" + row.uid,
      text: previewText(row),
    });
    tr.appendChild(el("td", {}, [el("div", { className: "ie-value d-flex gap-1 align-items-center" }, [valueInput, preview])]));

    var last = index === rows.length - 1;
    var actionsCell = el("td", { className: "ie-actions" }, [
      actionButton("details", row.details ? "收起" : "解释", "第 " + number + " 行 指标解释和设定依据"),
      actionButton("up", "↑", "第 " + number + " 行 上移"),
      actionButton("down", "↓", "第 " + number + " 行 下移"),
      actionButton("remove", "删除", "删除第 " + number + " 行", "btn-outline-danger"),
    ]);
    actionsCell.querySelector('[data-action="details"]').setAttribute("aria-expanded", String(row.details));
    if (index === 0) actionsCell.querySelector('[data-action="up"]').disabled = true;
    if (last) actionsCell.querySelector('[data-action="down"]').disabled = true;
    if (urls.library_add && row.key && row.name) {
      actionsCell.appendChild(actionButton("library", "纳入指标库", "将第 " + number + " 行纳入指标库", "btn-outline-success"));
    }
    tr.appendChild(actionsCell);
    var result = [tr];

    if (row.details) {
      var basis = el("select", {
        className: "form-select form-select-sm",
        "data-field": "basis",
        id: "ie-basis-" + row.uid,
      });
      basis.appendChild(el("option", { value: "", text: "（未选择）" }));
      config.basis_choices.forEach(function (choice) {
        basis.appendChild(el("option", { value: choice[0], text: choice[1], selected: choice[0] === row.basis }));
      });
      var explanation = el("textarea", {
        className: "form-control form-control-sm",
        rows: 2,
        "data-field": "explanation",
        id: "ie-exp-" + row.uid,
      });
      explanation.value = row.explanation;
      var details = el("tr", { className: "ie-details", "data-uid": row.uid }, [
        el("td", {}),
        el("td", { colspan: 3 }, [
          el("label", { className: "form-label small mb-0", for: "ie-exp-" + row.uid, text: "第 " + number + " 行 指标解释" }),
          explanation,
        ]),
        el("td", { colspan: 2 }, [
          el("label", { className: "form-label small mb-0", for: "ie-basis-" + row.uid, text: "设定依据" }),
          basis,
        ]),
      ]);
      result.push(details);
    }
    return result;
  }

  function render(focus) {
    var fragment = document.createDocumentFragment();
    var i = 0;
    while (i < rows.length) {
      var row = rows[i];
      var end = i + 1;
      while (end < rows.length && groupKey(rows[end]) === groupKey(row)) end++;
      var level1 = level1ById[row.level1];
      var level2 = level2ById[row.level2];
      var title = row.placeholder
        ? (level1 ? level1.name : "")
        : (level1 ? level1.name : "未分类") + " › " + (level2 ? level2.name : "请选择二级指标");
      fragment.appendChild(
        el("tr", { className: "ie-group" }, [el("th", { colspan: 6, scope: "rowgroup", text: title })])
      );
      for (var j = i; j < end; j++) {
        var run = row.placeholder && j === i ? end - i : 0;
        renderRow(rows[j], j, run).forEach(function (tr) {
          fragment.appendChild(tr);
        });
      }
      if (!row.placeholder) {
        var addButton = el("button", {
          type: "button",
          className: "btn btn-sm btn-link p-0",
          "data-action": "add-group",
          "data-uid": rows[end - 1].uid,
          text: "＋ 在「" + (level2 ? level2.name : "此组") + "」下添加指标",
        });
        fragment.appendChild(el("tr", { className: "ie-group-foot" }, [el("td", { colspan: 6 }, [addButton])]));
      }
      i = end;
    }
    if (!rows.length) {
      fragment.appendChild(
        el("tr", {}, [el("td", { colspan: 6, className: "text-center text-body-secondary py-3", text: "还没有指标：点击「添加指标」或「从 Excel 粘贴」。" })])
      );
    }
    tbody.textContent = "";
    tbody.appendChild(fragment);
    if (focus) focusRow(focus.uid, focus.field);
  }

  function focusRow(uid, field) {
    var tr = tbody.querySelector('tr.ie-row[data-uid="' + uid + '"]');
    if (!tr) {
      $("add-end").focus();
      return;
    }
    var target =
      (field && tbody.querySelector('[data-uid="' + uid + '"] [data-field="' + field + '"]')) ||
      (field && tr.querySelector('[data-action="' + field + '"]:not([disabled])')) ||
      tr.querySelector('[data-field="name"]') ||
      tr.querySelector("button:not([disabled])");
    if (target) target.focus();
  }

  function focusedCell() {
    var active = document.activeElement;
    if (!active || !tbody.contains(active)) return null;
    var tr = active.closest("tr[data-uid]");
    if (!tr) return null;
    return { uid: tr.dataset.uid, field: active.dataset.field || active.dataset.action || null };
  }

  // --- Changes --------------------------------------------------------------------
  function changed() {
    changeSeq++;
    storeLocal();
    setStatus("有未保存的修改…");
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(save, AUTOSAVE_DELAY);
  }

  function insertRow(index, data) {
    var row = makeRow(data || {}, false);
    rows.splice(index, 0, row);
    return row;
  }

  function addBelow(uid) {
    var index = rowIndex(uid);
    var source = rows[index];
    var row = insertRow(index + 1, { level1: source.level1, level2: source.level2 });
    render({ uid: row.uid, field: "name" });
    announce("已在第 " + (index + 2) + " 行添加指标（" + groupTitle(row) + "）");
    changed();
  }

  function addAfterGroup(uid) {
    // After the last row of the group, and after real rows under the same placeholder.
    var index = rowIndex(uid);
    var source = rows[index];
    var at = index + 1;
    while (at < rows.length && !rows[at].placeholder && rows[at].level2 === source.level2) at++;
    var row = insertRow(at, { level1: source.level1, level2: source.level2 });
    render({ uid: row.uid, field: "name" });
    announce("已在第 " + (at + 1) + " 行添加指标（" + groupTitle(row) + "）");
    changed();
  }

  function addAtEnd() {
    if (rows.length >= config.max_rows) {
      showBanner("三级指标最多 " + config.max_rows + " 行。");
      return;
    }
    var last = rows[rows.length - 1];
    var data = {};
    if (last && !last.placeholder) data = { level1: last.level1, level2: last.level2 };
    else {
      var first = config.taxonomy.filter(function (l1) {
        return l1.scope !== "overall";
      })[0];
      if (first) data = { level1: first.id, level2: first.level2s[0].id };
    }
    var row = insertRow(rows.length, data);
    render({ uid: row.uid, field: "name" });
    announce("已在第 " + rows.length + " 行添加指标（" + groupTitle(row) + "）");
    changed();
  }

  function groupTitle(row) {
    var level1 = level1ById[row.level1];
    var level2 = level2ById[row.level2];
    return (level1 ? level1.name : "") + (level2 ? " › " + level2.name : "");
  }

  function removeRow(uid) {
    var index = rowIndex(uid);
    var row = rows[index];
    if (row.placeholder) return;
    rows.splice(index, 1);
    var next = rows[index] || rows[index - 1];
    var focus = null;
    if (next && !next.placeholder) focus = { uid: next.uid, field: "remove" };
    else if (next) focus = { uid: next.uid, field: "add-under" };
    render(focus);
    if (!focus) $("add-end").focus();
    announce("已删除" + rowLabel(row, index) + "。修改会自动保存。");
    changed();
  }

  function moveRow(uid, step, field) {
    var index = rowIndex(uid);
    var target = index + step;
    if (index < 0 || target < 0 || target >= rows.length) return;
    var moved = rows[index];
    if (moved.placeholder) return;
    rows[index] = rows[target];
    rows[target] = moved;
    render({ uid: uid, field: field });
    announce(rowLabel(moved, index) + " 已移到第 " + (target + 1) + " 行（" + groupTitle(moved) + "）");
    changed();
  }

  // --- Events in the table --------------------------------------------------------
  tbody.addEventListener("input", function (event) {
    var target = event.target;
    var tr = target.closest("[data-uid]");
    if (!tr || !target.dataset.field) return;
    var row = rows[rowIndex(tr.dataset.uid)];
    var field = target.dataset.field;
    if (field === "name" || field === "value" || field === "explanation") {
      row[field] = target.value;
      if (row.errors[field]) {
        delete row.errors[field];
        target.classList.remove("is-invalid");
      }
      if (field === "value") schedulePreview(row, target);
      if (field === "name") scheduleSuggest(row, target);
      changed();
    }
  });

  tbody.addEventListener("change", function (event) {
    var target = event.target;
    var tr = target.closest("[data-uid]");
    if (!tr || !target.dataset.field) return;
    var row = rows[rowIndex(tr.dataset.uid)];
    var field = target.dataset.field;
    if (field === "level1") {
      row.level1 = parseInt(target.value, 10) || null;
      var level1 = level1ById[row.level1];
      // A row always has a 二级, so that it can be saved: the first of the new 一级.
      row.level2 = level1 && level1.level2s.length ? level1.level2s[0].id : null;
      render({ uid: row.uid, field: "level1" });
      announce(rowLabel(row, rowIndex(row.uid)) + " 的分类改为 " + groupTitle(row));
      changed();
    } else if (field === "level2") {
      row.level2 = parseInt(target.value, 10) || null;
      render({ uid: row.uid, field: "level2" });
      announce(rowLabel(row, rowIndex(row.uid)) + " 的分类改为 " + groupTitle(row));
      changed();
    } else if (field === "basis") {
      row.basis = target.value;
      changed();
    }
  });

  tbody.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "add-group") {
      addAfterGroup(button.dataset.uid);
      return;
    }
    var tr = button.closest("[data-uid]");
    var uid = tr.dataset.uid;
    var row = rows[rowIndex(uid)];
    switch (button.dataset.action) {
      case "up":
        moveRow(uid, -1, "up");
        break;
      case "down":
        moveRow(uid, 1, "down");
        break;
      case "remove":
        removeRow(uid);
        break;
      case "add-under":
        addAfterGroup(uid);
        break;
      case "details":
        row.details = !row.details;
        render({ uid: uid, field: "details" });
        if (row.details) {
          var textarea = tbody.querySelector("#ie-exp-" + uid);
          if (textarea) textarea.focus();
        }
        break;
      case "library":
        addToLibrary(row, button);
        break;
    }
  });

  tbody.addEventListener("keydown", function (event) {
    var cell = focusedCell();
    if (!cell) return;
    var list = openSuggestList();
    if (list && handleSuggestKey(event, list)) return;
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      moveRow(cell.uid, event.key === "ArrowUp" ? -1 : 1, cell.field);
    } else if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      var row = rows[rowIndex(cell.uid)];
      if (row.placeholder) addAfterGroup(cell.uid);
      else addBelow(cell.uid);
    }
  });

  tbody.addEventListener("paste", function (event) {
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text || (text.indexOf("\t") < 0 && text.replace(/\r?\n$/, "").indexOf("\n") < 0)) return;
    // Several cells from a spreadsheet: read them as rows rather than into one input.
    event.preventDefault();
    var cell = focusedCell();
    var row = cell ? rows[rowIndex(cell.uid)] : null;
    openPaste(text, row);
  });

  $("add-end").addEventListener("click", addAtEnd);
  $("save-now").addEventListener("click", function () {
    blocked = false;
    save();
  });

  // --- Live preview of the parsed value -------------------------------------------
  var previewTimers = {};
  function schedulePreview(row, input) {
    window.clearTimeout(previewTimers[row.uid]);
    previewTimers[row.uid] = window.setTimeout(function () {
      var asked = row.value;
      fetch(urls.parse_value + "?value=" + encodeURIComponent(asked), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (parsed) {
          if (!parsed || row.value !== asked) return;
          row.value_type = parsed.value_type;
          row.operator = parsed.operator;
          row.number = parsed.number;
          row.unit = parsed.unit;
          updatePreview(row);
        })
        .catch(function () {});
    }, PREVIEW_DELAY);
  }
  function updatePreview(row) {
    var badge = tbody.querySelector("#ie-pv-" + row.uid);
    if (!badge) return;
    badge.textContent = previewText(row);
    badge.className =
      "badge ie-preview " + (row.value_type === "quantitative" ? "text-bg-info" : "text-bg-light border");
  }

  // --- Library suggestions (指标库) ------------------------------------------------
  var suggestTimer = null;
  var suggestions = [];
  function openSuggestList() {
    var active = document.activeElement;
    if (!active || active.dataset.field !== "name") return null;
    var list = document.getElementById(active.getAttribute("aria-controls"));
    return list && !list.classList.contains("d-none") ? list : null;
  }
  function closeSuggest(input) {
    var list = input && document.getElementById(input.getAttribute("aria-controls"));
    if (list) {
      list.classList.add("d-none");
      list.textContent = "";
    }
    if (input) {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
  }
  function scheduleSuggest(row, input) {
    if (!urls.library_suggest) return;
    window.clearTimeout(suggestTimer);
    var text = input.value.trim();
    if (!text) {
      closeSuggest(input);
      return;
    }
    suggestTimer = window.setTimeout(function () {
      var query = "?q=" + encodeURIComponent(text) + "&filing=" + config.filing;
      if (row.level2) query += "&level2=" + row.level2;
      fetch(urls.library_suggest + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (document.activeElement !== input || input.value.trim() !== text) return;
          showSuggestions(row, input, (data.results || []).slice(0, 8));
        })
        .catch(function () {});
    }, SUGGEST_DELAY);
  }
  function showSuggestions(row, input, results) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    suggestions = results;
    list.textContent = "";
    if (!results.length) {
      closeSuggest(input);
      return;
    }
    results.forEach(function (entry, i) {
      var option = el("li", {
        role: "option",
        id: list.id + "-" + i,
        "aria-selected": "false",
        "data-index": i,
        className: "ie-option",
      }, [
        el("span", { text: entry.name }),
        el("small", {
          className: "text-body-secondary ms-2",
          text: [entry.level2, entry.unit, entry.scope === "own" ? "本单位" : "共性", entry.uses ? "用过 " + entry.uses + " 次" : ""]
            .filter(Boolean)
            .join(" · "),
        }),
      ]);
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the input
        pickSuggestion(row, input, entry);
      });
      list.appendChild(option);
    });
    list.classList.remove("d-none");
    input.setAttribute("aria-expanded", "true");
  }
  function handleSuggestKey(event, list) {
    var input = document.activeElement;
    var options = list.querySelectorAll("[role=option]");
    var current = -1;
    options.forEach(function (option, i) {
      if (option.getAttribute("aria-selected") === "true") current = i;
    });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = event.key === "ArrowDown" ? current + 1 : current - 1;
      if (next < 0) next = options.length - 1;
      if (next >= options.length) next = 0;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", String(i === next));
        option.classList.toggle("active", i === next);
      });
      input.setAttribute("aria-activedescendant", options[next].id);
      return true;
    }
    if (event.key === "Enter" && current >= 0 && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      var uid = input.closest("[data-uid]").dataset.uid;
      pickSuggestion(rows[rowIndex(uid)], input, suggestions[current]);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      closeSuggest(input);
      return true;
    }
    return false;
  }
  function pickSuggestion(row, input, entry) {
    closeSuggest(input);
    row.name = entry.name;
    var regroup = false;
    if (!row.level2 && entry.level2_id && level2ById[entry.level2_id]) {
      row.level2 = entry.level2_id;
      row.level1 = level2ById[entry.level2_id].level1;
      regroup = true;
    }
    if (!row.explanation && entry.explanation) {
      row.explanation = entry.explanation;
      row.details = true;
      regroup = true;
    }
    if (!row.value.trim() && entry.unit) {
      var operator = entry.direction === "negative" ? "≤" : entry.direction === "positive" ? "≥" : "";
      row.valueHint = "如 " + operator + (entry.unit === "%" ? "90%" : "数值(" + entry.unit + ")");
    }
    if (regroup) render({ uid: row.uid, field: "value" });
    else {
      input.value = entry.name;
      var value = tbody.querySelector('[data-uid="' + row.uid + '"] [data-field="value"]');
      if (value) {
        if (row.valueHint) value.placeholder = row.valueHint;
        value.focus();
      }
    }
    announce("已选用指标库中的「" + entry.name + "」");
    changed();
  }
  tbody.addEventListener("focusout", function (event) {
    if (event.target.dataset && event.target.dataset.field === "name") {
      var input = event.target;
      window.setTimeout(function () {
        if (document.activeElement !== input) closeSuggest(input);
      }, 150);
    }
  });

  function addToLibrary(row, button) {
    flush().then(function (ok) {
      if (!ok || !row.key) return;
      var body = new URLSearchParams({ filing: config.filing, key: row.key });
      button.disabled = true;
      post(urls.library_add, body.toString(), "application/x-www-form-urlencoded")
        .then(function (response) {
          return readJson(response).then(function (data) {
            var message = data.message || data.error || (response.ok ? "已纳入指标库。" : "未能纳入指标库，请稍后重试。");
            announce(message);
            setStatus(message);
            button.disabled = false;
          });
        })
        .catch(function () {
          button.disabled = false;
          setStatus("网络连接中断，未能纳入指标库。");
        });
    });
  }

  // --- Autosave -------------------------------------------------------------------
  function hasUnsaved() {
    return changeSeq !== savedSeq;
  }

  function save() {
    window.clearTimeout(saveTimer);
    window.clearTimeout(retryTimer);
    if (inFlight) {
      queued = true;
      return inFlight;
    }
    if (!hasUnsaved() || blocked) return Promise.resolve(!hasUnsaved());
    var seq = changeSeq;
    var sent = rows.filter(function (row) {
      return row.level2;
    });
    setStatus("正在保存…");
    inFlight = post(
      urls.save,
      JSON.stringify({ lock_version: currentVersion(), rows: sent.map(serialize) })
    )
      .then(function (response) {
        return readJson(response).then(function (data) {
          return handleSaveAnswer(response, data, sent, seq);
        });
      })
      .catch(function () {
        setStatus("未保存");
        showBanner("网络连接中断，修改暂存在本浏览器中，页面上的内容都还在；恢复连接后会自动重试。");
        retryTimer = window.setTimeout(save, RETRY_DELAY);
        return false;
      })
      .then(function (ok) {
        inFlight = null;
        if (queued) {
          queued = false;
          return save();
        }
        return ok && !hasUnsaved();
      });
    return inFlight;
  }

  function handleSaveAnswer(response, data, sent, seq) {
    rows.forEach(function (row) {
      row.errors = {};
    });
    if (response.ok && data.ok) {
      setVersion(data.lock_version);
      sent.forEach(function (row, i) {
        var answer = data.rows[i];
        var gotKey = !row.key;
        row.key = answer.key;
        row.value_type = answer.value_type;
        row.operator = answer.operator;
        row.number = answer.number;
        row.unit = answer.unit;
        updatePreview(row);
        var tr = tbody.querySelector('tr.ie-row[data-uid="' + row.uid + '"]');
        if (tr) tr.dataset.key = row.key;
        if (gotKey && tr && urls.library_add && row.name && !tr.querySelector('[data-action="library"]')) {
          tr.querySelector(".ie-actions").appendChild(
            actionButton("library", "纳入指标库", rowLabel(row, rowIndex(row.uid)) + " 纳入指标库", "btn-outline-success")
          );
        }
      });
      savedSeq = seq;
      if (!hasUnsaved()) clearLocal();
      hideBanner();
      setStatus("已自动保存 " + data.saved_at);
      showFindings(data.findings || []);
      return true;
    }
    setStatus("未保存");
    if (response.status === 400 && data.errors) {
      data.errors.forEach(function (error) {
        var row = error.row ? sent[error.row - 1] : null;
        if (row) row.errors[error.field || "name"] = error.message;
      });
      rows.forEach(updateFeedback);
      showBanner("指标未保存：" + (data.error || "请修改标出的行。") + " 页面上的内容都还在，改正后会自动保存。");
      return false;
    }
    if (response.status === 401) {
      var link = el("a", { href: (data.login_url || "/accounts/login/") + "?next=" + encodeURIComponent(location.pathname), target: "_blank", rel: "noopener", className: "alert-link ms-2", text: "在新窗口登录" });
      showBanner(data.error || "登录已过期，修改尚未保存。", link);
      return false;
    }
    if (response.status === 403 && !data.error) {
      // Not the editor's refusal but Django's CSRF check: the page's token is stale
      // (logged out and in again elsewhere). Only a reload gets a fresh one.
      blocked = true;
      showBanner("页面的安全校验已过期，修改尚未保存。您的修改已暂存在本浏览器中：请刷新页面，并选择恢复未保存的修改。");
      return false;
    }
    if (response.status === 409 || response.status === 403 || response.status === 404) {
      blocked = true; // saving again would overwrite the newer version
      var extra = null;
      if (response.status === 409) {
        extra = el("button", { type: "button", className: "btn btn-sm btn-outline-danger ms-2", text: "查看最新版本（新窗口）" });
        extra.addEventListener("click", function () {
          window.open(location.href, "_blank", "noopener");
        });
      }
      showBanner(
        (data.error || "这份申报已不能由您修改。") +
          " 您的修改已暂存在本浏览器中，刷新页面后可选择恢复。",
        extra
      );
      return false;
    }
    showBanner("保存失败（服务器错误），修改已暂存在本浏览器中，稍后会自动重试。");
    retryTimer = window.setTimeout(save, RETRY_DELAY * 2);
    return false;
  }

  function updateFeedback(row) {
    var old = tbody.querySelector("#ie-fb-" + row.uid);
    if (old) old.replaceWith(rowFeedback(row));
    ["name", "value"].forEach(function (field) {
      var input = tbody.querySelector('[data-uid="' + row.uid + '"] [data-field="' + field + '"]');
      if (input) input.classList.toggle("is-invalid", !!row.errors[field]);
    });
  }

  function showFindings(findings) {
    var byKey = {};
    findings.forEach(function (finding) {
      if (finding.indicator) (byKey[finding.indicator] = byKey[finding.indicator] || []).push(finding);
    });
    rows.forEach(function (row) {
      row.findings = byKey[row.key] || [];
      updateFeedback(row);
    });
    // The wizard's list of this step's findings above the editor tells the same story.
    if (window.perfgoalsWizard) window.perfgoalsWizard.showStepFindings(findings);
    var box = $("findings");
    box.textContent = "";
    var general = findings.filter(function (finding) {
      return !finding.indicator;
    });
    if (!findings.length) return;
    var errors = findings.filter(function (f) {
      return f.severity === "error";
    }).length;
    box.appendChild(
      el("p", {
        className: "small mb-1 " + (errors ? "text-danger" : "text-body-secondary"),
        text: "检查结果：" + errors + " 个错误，" + (findings.length - errors) + " 个提示（提交前须改正错误）。",
      })
    );
    if (general.length) {
      box.appendChild(
        el("ul", { className: "small mb-0" }, general.map(function (finding) {
          return el("li", { className: finding.severity === "error" ? "text-danger" : "", text: finding.message });
        }))
      );
    }
  }

  // Save first, then let the wizard's step form go on (with the new lock_version).
  function flush() {
    window.clearTimeout(saveTimer);
    if (!hasUnsaved() && !inFlight) return Promise.resolve(true);
    return save().then(function () {
      return !hasUnsaved();
    });
  }
  var wizardForm = document.getElementById("wizard-form");
  if (wizardForm) {
    wizardForm.addEventListener("submit", function (event) {
      if (submittingWizard || (!hasUnsaved() && !inFlight)) return;
      event.preventDefault();
      var submitter = event.submitter || null;
      flush().then(function (ok) {
        if (!ok) {
          showBanner((banner.textContent || "指标尚未保存。") + "");
          banner.scrollIntoView({ block: "center" });
          return;
        }
        submittingWizard = true;
        if (submitter && submitter.form === wizardForm) wizardForm.requestSubmit(submitter);
        else wizardForm.requestSubmit();
        submittingWizard = false;
      });
    });
  }

  // Leaving by the wizard's step bar: save first, then go.
  document.querySelectorAll("[data-wizard-link]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!hasUnsaved() && !inFlight) return;
      event.preventDefault();
      flush().then(function (ok) {
        if (ok) window.location.href = link.href;
      });
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (hasUnsaved()) {
      storeLocal();
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // Back from logging in again in another window: try the save that was refused.
  window.addEventListener("focus", function () {
    if (hasUnsaved() && !blocked && !inFlight) save();
  });

  // --- The copy in localStorage ---------------------------------------------------
  function storeLocal() {
    try {
      window.localStorage.setItem(
        config.storage_key,
        JSON.stringify({ saved_at: Date.now(), lock_version: currentVersion(), rows: rows.map(function (row) {
          var data = serialize(row);
          data.level1 = row.level1;
          data.placeholder = row.placeholder;
          return data;
        }) })
      );
    } catch (error) {
      /* storage full or disabled: the autosave still runs */
    }
  }
  function clearLocal() {
    try {
      window.localStorage.removeItem(config.storage_key);
    } catch (error) {
      /* nothing to clear */
    }
  }
  function offerRestore() {
    var stored;
    try {
      stored = JSON.parse(window.localStorage.getItem(config.storage_key) || "null");
    } catch (error) {
      stored = null;
    }
    if (!stored || !Array.isArray(stored.rows)) return;
    var same = JSON.stringify(stored.rows.map(stripLocal)) === JSON.stringify(rows.map(serialize));
    if (same || stored.saved_at <= config.updated_at) {
      if (same) clearLocal();
      return;
    }
    var box = $("restore");
    box.classList.remove("d-none");
    $("restore-yes").addEventListener("click", function () {
      rows = stored.rows.map(function (data) {
        var row = makeRow(data, data.placeholder);
        if (!row.level1) row.level1 = data.level1 || null;
        return row;
      });
      box.classList.add("d-none");
      render();
      announce("已恢复未保存的修改，正在保存。");
      rows.forEach(function (row) {
        if (row.value) refreshPreview(row);
      });
      changed();
    });
    $("restore-no").addEventListener("click", function () {
      clearLocal();
      box.classList.add("d-none");
    });
  }
  function stripLocal(data) {
    return { key: data.key, level2: data.level2, name: data.name, value: data.value, explanation: data.explanation, basis: data.basis };
  }
  function refreshPreview(row) {
    schedulePreview(row, null);
  }

  // --- Paste from Excel -----------------------------------------------------------
  var dialog = $("paste-dialog");
  var pasteText = $("paste-text");
  var pasteLevel2 = $("paste-level2");
  var pastePreview = $("paste-preview");
  var pasteAdd = $("paste-add");
  var pasted = [];
  var pasteAnchor = null;

  pasteLevel2.appendChild(el("option", { value: "", text: "（请选择）" }));
  config.taxonomy.forEach(function (level1) {
    var group = el("optgroup", { label: level1.name });
    level1.level2s.forEach(function (level2) {
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
  $("open-paste").addEventListener("click", function () {
    var cell = focusedCell();
    openPaste("", cell ? rows[rowIndex(cell.uid)] : null);
  });

  var pasteTimer = null;
  pasteText.addEventListener("input", function () {
    window.clearTimeout(pasteTimer);
    pasteTimer = window.setTimeout(readPaste, 400);
  });
  pasteLevel2.addEventListener("change", readPaste);
  $("paste-read").addEventListener("click", readPaste);

  function readPaste() {
    var text = pasteText.value;
    if (!text.trim()) {
      pastePreview.textContent = "";
      pasteAdd.disabled = true;
      return;
    }
    post(urls.parse_paste, JSON.stringify({ text: text, level2: pasteLevel2.value || null }))
      .then(function (response) {
        return readJson(response).then(function (data) {
          if (!response.ok) {
            pastePreview.textContent = data.error || "无法读取粘贴的内容（登录可能已过期）。";
            pasteAdd.disabled = true;
            return;
          }
          showPastePreview(data);
        });
      })
      .catch(function () {
        pastePreview.textContent = "网络连接中断，无法读取粘贴的内容。";
      });
  }

  function showPastePreview(data) {
    pasted = data.rows;
    pastePreview.textContent = "";
    if (pasted.length) {
      var table = el("table", { className: "table table-sm table-bordered small mb-2" }, [
        el("caption", { text: "将添加 " + pasted.length + " 条指标" }),
        el("thead", {}, [el("tr", {}, ["一级指标", "二级指标", "三级指标", "指标值"].map(function (h) {
          return el("th", { scope: "col", text: h });
        }))]),
        el("tbody", {}, pasted.map(function (row) {
          return el("tr", {}, [row.level1_name, row.level2_name, row.name, row.value].map(function (text) {
            return el("td", { text: text });
          }));
        })),
      ]);
      table.querySelector("caption").className = "caption-top";
      pastePreview.appendChild(table);
    }
    if (data.problems.length) {
      pastePreview.appendChild(el("p", { className: "small text-danger mb-1", text: "以下 " + data.problems.length + " 行需要注意：" }));
      pastePreview.appendChild(
        el("ul", { className: "small text-danger" }, data.problems.map(function (problem) {
          return el("li", { text: "第 " + problem.line + " 行「" + problem.text.replace(/\t/g, " | ") + "」：" + problem.message });
        }))
      );
    }
    if (!pasted.length && !data.problems.length) pastePreview.textContent = "没有读到指标。";
    pasteAdd.disabled = !pasted.length;
    pasteAdd.textContent = pasted.length ? "添加这 " + pasted.length + " 条指标" : "添加这些指标";
  }

  function insertionIndex(data) {
    // Like the official form: next to the rows of the same 二级, else of the same 一级,
    // else before the first row of a later 一级.
    var i;
    for (i = rows.length - 1; i >= 0; i--) if (rows[i].level2 === data.level2) return i + 1;
    for (i = rows.length - 1; i >= 0; i--) if (rows[i].level1 === data.level1) return i + 1;
    var position = level1Order.indexOf(data.level1);
    for (i = 0; i < rows.length; i++) if (level1Order.indexOf(rows[i].level1) > position) return i;
    return rows.length;
  }

  pasteAdd.addEventListener("click", function () {
    if (rows.length + pasted.length > config.max_rows) {
      pastePreview.appendChild(el("p", { className: "text-danger", text: "三级指标最多 " + config.max_rows + " 行，请少粘贴一些。" }));
      return;
    }
    var first = null;
    var anchorIndex = pasteAnchor ? rowIndex(pasteAnchor) : -1;
    pasted.forEach(function (data) {
      var at;
      var anchor = anchorIndex >= 0 ? rows[anchorIndex] : null;
      if (anchor && anchor.level2 === data.level2) at = anchorIndex + 1;
      else at = insertionIndex(data);
      var row = insertRow(at, data);
      if (anchorIndex >= 0 && at <= anchorIndex) anchorIndex++;
      if (anchor && anchor.level2 === data.level2) anchorIndex = at; // keep the pasted order
      first = first || row;
    });
    dialog.close();
    render(first ? { uid: first.uid, field: "name" } : null);
    announce("已添加 " + pasted.length + " 条指标，修改会自动保存。");
    changed();
  });

  // --- Start ----------------------------------------------------------------------
  rows = config.rows.map(function (data) {
    return makeRow(data, isInputBlock(data));
  });
  render();
  if (!config.can_edit) {
    root.querySelectorAll("input, select, textarea, button").forEach(function (node) {
      node.disabled = true;
    });
  }
  // Rows the server added (the 投入管理指标 block of a new overall filing) are saved at once.
  offerRestore();
  if (config.can_edit && rows.some(function (row) { return !row.key; })) changed();
})();
