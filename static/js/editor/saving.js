/* Saving the indicator table through the shared autosave (autosave.js): every save sends the
 * whole table, complete and in order, with the lock_version the page was showing (the server
 * refuses a stale one with 409). This module reads the server's answer into the rows (keys,
 * parsed values, errors, findings), says what went wrong, and makes the wizard's buttons and
 * step bar wait for the save. */
import { createAutosave, lockVersion } from "../autosave.js";
import { offerRestore } from "../local-copy.js";
import { showStepFindings } from "../step-findings.js";
import { el, post } from "./dom.js";

export function install(ed) {
  const { config, urls } = ed;
  let sentRows = []; // the row objects of the save on its way, in the order sent

  // The table as the local copy keeps it: the rows as saved, where each one is drawn, and the
  // 预算执行率分值. (A copy kept before that field was offered is the bare list of rows.)
  function snapshot() {
    const rows = ed.rows.map((row) => ({ ...ed.serialize(row), level1: row.level1, placeholder: row.placeholder }));
    return { rows, execution: ed.execution };
  }
  const rowsOf = (data) => (Array.isArray(data) ? data : data.rows);
  const executionOf = (data) => (Array.isArray(data) ? "" : (data.execution || "").trim());

  // Two tables the same as the server would store them (text trimmed).
  function same(a, b) {
    if (!a || !b) return false;
    if (executionOf(a) !== executionOf(b)) return false;
    const plain = (data) =>
      JSON.stringify(
        rowsOf(data).map((row) => [
          row.key,
          row.level2,
          (row.name || "").trim(),
          (row.value || "").trim(),
          (row.explanation || "").trim(),
          row.basis || "",
          (row.basis_text || "").trim(),
          (row.period_value || "").trim(),
          row.direction || "",
          (row.weight || "").trim(),
          !!row.core,
        ])
      );
    return plain(a) === plain(b);
  }

  function send() {
    sentRows = ed.rows.filter((row) => row.level2);
    const body = { lock_version: lockVersion(), rows: sentRows.map(ed.serialize) };
    if (ed.execution !== undefined) body.execution_weight = ed.execution;
    return post(urls.save, JSON.stringify(body), ed.csrf);
  }

  function saved(data) {
    sentRows.forEach((row, i) => {
      const answer = data.rows[i];
      row.key = answer.key;
      row.value_type = answer.value_type;
      row.operator = answer.operator;
      row.number = answer.number;
      row.unit = answer.unit;
      ed.updatePreview(row);
      ed.addLibraryButton(row);
    });
    ed.hideBanner();
    ed.showWeights(data.weights);
    showFindings(data.findings || []);
  }

  function onAnswer(kind, data, response) {
    ed.rows.forEach((row) => {
      row.errors = {};
    });
    ed.showExecutionError(null);
    if (kind === "saved" || kind === "partly") {
      saved(data);
      return;
    }
    if (kind === "invalid") {
      (data.errors || []).forEach((error) => {
        const row = error.row ? sentRows[error.row - 1] : null;
        if (row) row.errors[error.field || "name"] = error.message;
        else if (error.field === "execution_weight") ed.showExecutionError(error.message);
      });
      ed.rows.forEach(ed.updateFeedback);
      ed.showBanner(
        "指标未保存：" + (data.error || "请修改标出的行。") + " 页面上的内容都还在，改正后会自动保存。"
      );
    } else if (kind === "signed-out") {
      const next = "?next=" + encodeURIComponent(location.pathname);
      const link = el("a", {
        href: (data.login_url || "/accounts/login/") + next,
        target: "_blank",
        rel: "noopener",
        className: "alert-link ms-2",
        text: "在新窗口登录",
      });
      ed.showBanner(data.error || "登录已过期，修改尚未保存。", link);
    } else if (kind === "refused" && response.status === 403 && !data.error) {
      // Not the editor's refusal but Django's CSRF check: the page's token is stale
      // (logged out and in again elsewhere). Only a reload gets a fresh one.
      ed.showBanner(
        "页面的安全校验已过期，修改尚未保存。您的修改已暂存在本浏览器中：请刷新页面，并选择恢复未保存的修改。"
      );
    } else if (kind === "refused") {
      ed.showBanner(
        (data.error || "这份申报已不能由您修改。") + " 您的修改已暂存在本浏览器中，刷新页面后可选择恢复。",
        response.status === 409 ? newestButton() : null
      );
    } else if (kind === "failed") {
      ed.showBanner("保存失败（服务器错误），修改已暂存在本浏览器中，稍后会自动重试。");
    }
  }

  function newestButton() {
    const button = el("button", {
      type: "button",
      className: "btn btn-sm btn-outline-danger ms-2",
      text: "查看最新版本（新窗口）",
    });
    button.addEventListener("click", () => window.open(location.href, "_blank", "noopener"));
    return button;
  }

  function showFindings(findings) {
    const byKey = {};
    findings.forEach((finding) => {
      if (finding.indicator) (byKey[finding.indicator] = byKey[finding.indicator] || []).push(finding);
    });
    ed.rows.forEach((row) => {
      row.findings = byKey[row.key] || [];
      ed.updateFeedback(row);
    });
    // The wizard's list of this step's findings above the editor tells the same story.
    showStepFindings(findings);
    const box = ed.$("findings");
    box.textContent = "";
    if (!findings.length) return;
    const errors = findings.filter((f) => f.severity === "error").length;
    box.appendChild(
      el("p", {
        className: "small mb-1 " + (errors ? "text-danger" : "text-body-secondary"),
        text: "检查结果：" + errors + " 个错误，" + (findings.length - errors) + " 个提示（提交前须改正错误）。",
      })
    );
    const general = findings.filter((finding) => !finding.indicator);
    if (general.length) {
      const items = general.map((finding) =>
        el("li", { className: finding.severity === "error" ? "text-danger" : "", text: finding.message })
      );
      box.appendChild(el("ul", { className: "small mb-0" }, items));
    }
  }

  // Called once the rows are drawn: the autosave's "as the server has it" is this table,
  // unless the server added rows that have no key yet (saved at once).
  ed.startSaving = function startSaving() {
    const autosave = createAutosave({
      storageKey: config.storage_key,
      snapshot,
      same,
      initial: ed.rows.some((row) => !row.key) ? null : snapshot(),
      send,
      onAnswer,
      onOffline: () =>
        ed.showBanner("网络连接中断，修改暂存在本浏览器中，页面上的内容都还在；恢复连接后会自动重试。"),
      setStatus: ed.setStatus,
      delay: 1200,
      stopWhenSignedOut: false,
    });
    ed.changed = autosave.changed;
    ed.flush = autosave.flush;
    ed.$("save-now").addEventListener("click", () => autosave.resume());
    waitForSaves(autosave);
    offerRestore({
      copy: autosave.copy,
      box: ed.$("restore"),
      current: snapshot,
      same,
      serverSavedAt: config.updated_at,
      what: "指标修改",
      apply: (stored) => {
        ed.setExecution(Array.isArray(stored.data) ? undefined : stored.data.execution);
        ed.rows = rowsOf(stored.data).map((data) => {
          const row = ed.makeRow(data, data.placeholder);
          if (!row.level1) row.level1 = data.level1 || null;
          return row;
        });
        ed.forgetUndo();
        ed.render();
        ed.announce("已恢复未保存的修改，正在保存。");
        ed.rows.forEach((row) => {
          if (row.value) ed.schedulePreview(row);
        });
        autosave.changed();
      },
    });
    return autosave;
  };

  // The wizard's buttons and step bar: save first, then go (with the new lock_version).
  function waitForSaves(autosave) {
    const pending = () => autosave.hasUnsaved() || autosave.busy();
    const wizardForm = document.getElementById("wizard-form");
    let submitting = false;
    if (wizardForm) {
      wizardForm.addEventListener("submit", (event) => {
        if (submitting || !pending()) {
          autosave.leave();
          return;
        }
        event.preventDefault();
        const submitter = event.submitter || null;
        autosave.flush().then((ok) => {
          if (!ok) {
            if (ed.banner.classList.contains("d-none")) ed.showBanner("指标尚未保存。");
            ed.banner.scrollIntoView({ block: "center" });
            return;
          }
          submitting = true;
          wizardForm.requestSubmit(submitter && submitter.form === wizardForm ? submitter : undefined);
          submitting = false;
        });
      });
    }
    // A reply to a reviewer's comment, sent from under its row (row-comments.js): the rows
    // typed just before are saved first, then the reply goes.
    let replying = false;
    ed.tbody.addEventListener("submit", (event) => {
      const form = event.target;
      if (!form.matches(".reply-form")) return;
      if (replying || !pending()) {
        autosave.leave();
        return;
      }
      event.preventDefault();
      const submitter = event.submitter || null;
      autosave.flush().then((ok) => {
        if (!ok) return;
        replying = true;
        autosave.leave();
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      });
    });
    document.querySelectorAll("[data-wizard-link]").forEach((link) => {
      link.addEventListener("click", (event) => {
        if (!pending()) return;
        event.preventDefault();
        autosave.flush().then((ok) => {
          if (ok) window.location.href = link.href;
        });
      });
    });
  }
}
