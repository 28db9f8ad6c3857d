/* The library (指标库): suggestions under the 三级指标 input as the filer types (a combobox:
 * arrows, Enter, Escape), and 纳入指标库 to add a saved row to the library.
 *
 * The list is a popover (the top layer): the table's scroll box (.table-responsive) would
 * clip anything drawn inside it. It is placed under the input, or above it when the window
 * has more room there, and follows the input when the page scrolls. */
import { el, getJson, post } from "./dom.js";
import { jsonOf } from "../autosave.js";

const SUGGEST_DELAY = 200;
const SHOWN = 8;

export function install(ed) {
  const { config, urls, tbody, level2ById } = ed;
  let suggestTimer = null;
  let suggestions = [];

  ed.openSuggestList = function openSuggestList() {
    const active = document.activeElement;
    if (!active || active.dataset.field !== "name") return null;
    const list = document.getElementById(active.getAttribute("aria-controls"));
    return list && list.matches(":popover-open") ? list : null;
  };

  function place(input, list) {
    const box = input.getBoundingClientRect();
    const below = window.innerHeight - box.bottom - 8;
    const above = box.top - 8;
    const up = below < 160 && above > below;
    list.style.left = Math.max(4, box.left) + "px";
    list.style.width = Math.max(box.width, 360) + "px";
    list.style.maxHeight = Math.min(320, up ? above : below) + "px";
    list.style.top = up ? "auto" : box.bottom + 2 + "px";
    list.style.bottom = up ? window.innerHeight - box.top + 2 + "px" : "auto";
  }

  function follow() {
    const list = ed.openSuggestList();
    if (list) place(document.activeElement, list);
  }
  window.addEventListener("scroll", follow, { capture: true, passive: true });
  window.addEventListener("resize", follow);

  function closeSuggest(input) {
    const list = input && document.getElementById(input.getAttribute("aria-controls"));
    if (list) {
      if (list.matches(":popover-open")) list.hidePopover();
      list.textContent = "";
    }
    if (input) {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
  }

  ed.scheduleSuggest = function scheduleSuggest(row, input) {
    if (!urls.library_suggest) return;
    window.clearTimeout(suggestTimer);
    const text = input.value.trim();
    if (!text) {
      closeSuggest(input);
      return;
    }
    suggestTimer = window.setTimeout(() => {
      let query = "?q=" + encodeURIComponent(text) + "&filing=" + config.filing;
      if (row.level2) query += "&level2=" + row.level2;
      getJson(urls.library_suggest + query)
        .then((data) => {
          if (document.activeElement !== input || input.value.trim() !== text) return;
          showSuggestions(row, input, ((data && data.results) || []).slice(0, SHOWN));
        })
        .catch(() => {});
    }, SUGGEST_DELAY);
  };

  function describe(entry) {
    return [
      "二级：" + entry.level2,
      "单位：" + (entry.unit || "无"),
      "使用 " + (entry.uses || 0) + " 次",
      entry.scope === "own" ? "本单位" : "共性",
    ].join(" · ");
  }

  function showSuggestions(row, input, results) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    suggestions = results;
    list.textContent = "";
    if (!results.length) {
      closeSuggest(input);
      return;
    }
    results.forEach((entry, i) => {
      const option = el(
        "li",
        { role: "option", id: list.id + "-" + i, "aria-selected": "false", "data-index": i, className: "ie-option" },
        [
          el("span", { className: "ie-option-name", text: entry.name }),
          el("small", { className: "ie-option-meta", text: describe(entry) }),
        ]
      );
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the input
        pickSuggestion(row, input, entry);
      });
      list.appendChild(option);
    });
    if (!list.matches(":popover-open")) list.showPopover();
    place(input, list);
    input.setAttribute("aria-expanded", "true");
  }

  // The keys of an open list; true when the key was the list's.
  ed.handleSuggestKey = function handleSuggestKey(event, list) {
    const input = document.activeElement;
    const options = list.querySelectorAll("[role=option]");
    let current = -1;
    options.forEach((option, i) => {
      if (option.getAttribute("aria-selected") === "true") current = i;
    });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      let next = event.key === "ArrowDown" ? current + 1 : current - 1;
      if (next < 0) next = options.length - 1;
      if (next >= options.length) next = 0;
      options.forEach((option, i) => {
        option.setAttribute("aria-selected", String(i === next));
        option.classList.toggle("active", i === next);
      });
      input.setAttribute("aria-activedescendant", options[next].id);
      options[next].scrollIntoView({ block: "nearest" });
      return true;
    }
    if (event.key === "Enter" && current >= 0 && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      const uid = input.closest("[data-uid]").dataset.uid;
      pickSuggestion(ed.rowByUid(uid), input, suggestions[current]);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      closeSuggest(input);
      return true;
    }
    return false;
  };

  function pickSuggestion(row, input, entry) {
    closeSuggest(input);
    row.name = entry.name;
    let regroup = false;
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
      const operator = { negative: "≤", positive: "≥" }[entry.direction] || "";
      row.valueHint = "如 " + operator + (entry.unit === "%" ? "90%" : "数值(" + entry.unit + ")");
    }
    if (regroup) ed.render({ uid: row.uid, field: "value" });
    else {
      input.value = entry.name;
      const value = tbody.querySelector('[data-uid="' + row.uid + '"] [data-field="value"]');
      if (value) {
        if (row.valueHint) value.placeholder = row.valueHint;
        value.focus();
      }
    }
    ed.announce("已选用指标库中的「" + entry.name + "」");
    ed.changed();
  }

  tbody.addEventListener("focusout", (event) => {
    if (!event.target.dataset || event.target.dataset.field !== "name") return;
    const input = event.target;
    window.setTimeout(() => {
      if (document.activeElement !== input) closeSuggest(input);
    }, 150);
  });

  // 纳入指标库: the row must be saved first, so that the library gets what the server has.
  ed.addToLibrary = function addToLibrary(row, button) {
    ed.flush().then((ok) => {
      if (!ok || !row.key) return;
      const body = new URLSearchParams({ filing: config.filing, key: row.key });
      button.disabled = true;
      post(urls.library_add, body.toString(), ed.csrf, "application/x-www-form-urlencoded")
        .then((response) =>
          jsonOf(response).then((data) => {
            const fallback = response.ok ? "已纳入指标库。" : "未能纳入指标库，请稍后重试。";
            const message = data.message || data.error || fallback;
            ed.announce(message);
            ed.setStatus(message);
            button.disabled = false;
          })
        )
        .catch(() => {
          button.disabled = false;
          ed.setStatus("网络连接中断，未能纳入指标库。");
        });
    });
  };
}
