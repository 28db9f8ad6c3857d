/* A row's details (详情): 指标解释 and, by the 2021 rules (财预〔2021〕101号), 设定依据 with its
 * text, 全周期指标值, 指标方向, 分值 and 核心指标; and the 分值合计 line under the table.
 *
 * The weights a row shows as its placeholder are the server's (indicators.weights, the one
 * rule): a blank row shares what its 一级 has left. They come with the page and after each
 * save, so the editor never works them out a second way. The filing's 预算执行率分值 is typed
 * under the line (blank: the edition's default, its placeholder) and saved with the rows. */
import { el } from "./dom.js";

// The fields of the details row that are typed (read on input) and chosen (read on change).
export const TYPED = ["explanation", "basis_text", "period_value", "weight"];
export const CHOSEN = ["basis", "direction", "core"];

export function install(ed) {
  const { config } = ed;
  let weights = config.weights || { rows: {}, total: "", execution: "", counted: false };
  const execution = ed.$("execution");
  // The 预算执行率分值 as typed (sent with every save); undefined on a page without the input.
  ed.execution = execution ? weights.execution_set || "" : undefined;
  if (execution) {
    execution.value = ed.execution;
    execution.addEventListener("input", () => {
      ed.execution = execution.value;
      if (ed.changed) ed.changed();
    });
  }

  // A refusal of the 预算执行率分值 beside its input (null clears it); what was typed stays.
  ed.showExecutionError = function showExecutionError(message) {
    if (!execution) return;
    execution.classList.toggle("is-invalid", !!message);
    execution.setAttribute("aria-invalid", message ? "true" : "false");
    ed.$("execution-error").textContent = message || "";
  };

  // A local copy restored: its 预算执行率分值 back in the input.
  ed.setExecution = function setExecution(text) {
    if (!execution || text === undefined) return;
    ed.execution = text || "";
    execution.value = ed.execution;
  };

  const label = (target, text) => el("label", { className: "form-label small mb-0", for: target, text });

  function select(row, field, choices, id) {
    const node = el("select", { className: "form-select form-select-sm", "data-field": field, id });
    node.appendChild(el("option", { value: "", text: "（未选择）" }));
    choices.forEach(([value, text]) => {
      node.appendChild(el("option", { value, text, selected: value === row[field] }));
    });
    return node;
  }

  function textarea(row, field, id) {
    const node = el("textarea", { className: "form-control form-control-sm", rows: 2, "data-field": field, id });
    node.value = row[field] || "";
    return node;
  }

  function input(row, field, id, extra) {
    const node = el("input", {
      className: "form-control form-control-sm",
      "data-field": field,
      id,
      autocomplete: "off",
      ...extra,
    });
    node.value = row[field] || "";
    return node;
  }

  function cell(colspan, id, text, control) {
    return el("div", { className: "ie-detail", "data-colspan": colspan }, [label(id, text), control]);
  }

  ed.detailsRow = function detailsRow(row, number) {
    const id = (field) => "ie-" + field + "-" + row.uid;
    const where = "第 " + number + " 行 ";
    const core = el("input", { type: "checkbox", className: "form-check-input", "data-field": "core", id: id("core") });
    core.checked = !!row.core;
    const weight = input(row, "weight", id("weight"), {
      inputmode: "decimal",
      placeholder: weights.rows[row.key] || "",
      "aria-describedby": "ie-weights",
    });
    return el("tr", { className: "ie-details", "data-uid": row.uid }, [
      el("td", {}),
      el("td", { colspan: 5 }, [
        el("div", { className: "ie-detail-grid" }, [
          cell(2, id("exp"), where + "指标解释", textarea(row, "explanation", id("exp"))),
          cell(1, id("basis"), "设定依据", select(row, "basis", config.basis_choices, id("basis"))),
          cell(1, id("direction"), "指标方向", select(row, "direction", config.direction_choices || [], id("direction"))),
          cell(2, id("basis_text"), "设定依据说明（文件、标准或数据）", textarea(row, "basis_text", id("basis_text"))),
          cell(1, id("period"), "全周期指标值（跨年度项目）", input(row, "period_value", id("period"))),
          cell(1, id("weight"), "分值（留空按默认分配）", weight),
          el("div", { className: "ie-detail form-check mt-4" }, [
            core,
            el("label", { className: "form-check-label small", for: id("core"), text: "核心指标" }),
          ]),
        ]),
      ]),
    ]);
  };

  // Whether a row's details open by themselves: it has something in them.
  ed.hasDetails = function hasDetails(data) {
    return !!(data.explanation || data.basis || data.basis_text || data.period_value || data.direction || data.weight || data.core);
  };

  ed.readDetail = function readDetail(row, field, target) {
    row[field] = field === "core" ? target.checked : target.value;
  };

  ed.showWeights = function showWeights(next) {
    if (next) weights = next;
    const line = ed.$("weights");
    if (!line) return;
    line.textContent = weights.counted
      ? "分值合计 " + weights.total + " 分（" + weights.edition + "；含预算执行率 " + (weights.execution || "0") + " 分）"
      : "";
    line.classList.toggle("text-danger", weights.counted && Number(weights.total) !== 100);
    if (execution) {
      ed.$("execution-box").classList.toggle("d-none", !weights.counted);
      // What a blank input stands for: the edition's share (none on an overall filing).
      execution.placeholder = weights.execution_default || "0";
    }
    ed.rows.forEach((row) => {
      const node = ed.tbody.querySelector("#ie-weight-" + row.uid);
      if (node) node.placeholder = weights.rows[row.key] || "";
    });
  };
}
