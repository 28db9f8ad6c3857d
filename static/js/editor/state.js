/* The indicator editor's state: the taxonomy from the page's config, the rows, and the few
 * words every part of the editor uses (status line, banner, announcements, row labels).
 *
 * The parts (rows.js, render.js, paste.js, suggestions.js, keyboard.js, saving.js) each add
 * their functions to the one ``ed`` object made here, so that they can call one another
 * without importing one another in a circle. */

export function createEditor(root, config) {
  const $ = (name) => root.querySelector('[data-ie="' + name + '"]');
  const level1ById = {};
  const level2ById = {};
  config.taxonomy.forEach((level1) => {
    level1ById[level1.id] = level1;
    level1.level2s.forEach((level2) => {
      level2ById[level2.id] = { id: level2.id, name: level2.name, level1: level1.id };
    });
  });
  let nextUid = 1;
  const live = $("live");
  const banner = $("banner");
  const statusEl = $("status");

  const ed = {
    root,
    config,
    urls: config.urls,
    csrf: root.dataset.csrf,
    $,
    tbody: $("rows"),
    banner,
    level1ById,
    level2ById,
    level1Order: config.taxonomy.map((level1) => level1.id),
    rows: [],

    makeRow(data, placeholder) {
      const level2 = level2ById[data.level2];
      return {
        uid: "r" + nextUid++,
        key: data.key || "",
        level1: level2 ? level2.level1 : data.level1 || null,
        level2: level2 ? level2.id : null,
        name: data.name || "",
        value: data.value || "",
        explanation: data.explanation || "",
        basis: data.basis || "",
        basis_text: data.basis_text || "",
        period_value: data.period_value || "",
        direction: data.direction || "",
        weight: data.weight || "",
        core: !!data.core,
        value_type: data.value_type || "",
        operator: data.operator || "",
        number: data.number == null ? null : data.number,
        unit: data.unit || "",
        placeholder: !!placeholder,
        details: ed.hasDetails(data),
        errors: {},
        findings: [],
        valueHint: "",
      };
    },

    // The 投入管理指标 block of an overall filing: filled in 基本信息, shown as a note.
    isInputBlock(data) {
      const level1 = level1ById[data.level1];
      return (
        config.is_overall &&
        level1 &&
        level1.scope === "overall" &&
        !(data.name || "").trim() &&
        !(data.value || "").trim()
      );
    },

    // A row as the server's save endpoint takes it.
    serialize(row) {
      return {
        key: row.key,
        level2: row.level2,
        name: row.name,
        value: row.value,
        explanation: row.explanation,
        basis: row.basis,
        basis_text: row.basis_text,
        period_value: row.period_value,
        direction: row.direction,
        weight: row.weight,
        core: row.core,
      };
    },

    rowIndex(uid) {
      return ed.rows.findIndex((row) => row.uid === uid);
    },
    rowByUid(uid) {
      return ed.rows[ed.rowIndex(uid)];
    },
    rowLabel(row, index) {
      return "第 " + (index + 1) + " 行" + (row.name ? "「" + row.name + "」" : "");
    },
    groupTitle(row) {
      const level1 = level1ById[row.level1];
      const level2 = level2ById[row.level2];
      return (level1 ? level1.name : "") + (level2 ? " › " + level2.name : "");
    },
    previewText(row) {
      if (!row.value.trim()) return "";
      if (row.value_type === "quantitative") {
        return ["定量", row.operator, row.number, row.unit].filter(Boolean).join(" ");
      }
      return "定性";
    },

    announce(text) {
      live.textContent = "";
      window.setTimeout(() => {
        live.textContent = text;
      }, 50);
    },
    setStatus(text) {
      statusEl.textContent = text;
    },
    showBanner(text, extra) {
      banner.textContent = text;
      if (extra) banner.appendChild(extra);
      banner.classList.remove("d-none");
    },
    hideBanner() {
      banner.classList.add("d-none");
      banner.textContent = "";
    },
  };
  return ed;
}
