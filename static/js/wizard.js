/* The wizard's step form: autosave as the user types (autosave.js, shared with the indicator
 * editor), the offer to restore input the server never got, the 年度重点任务 rows, and the
 * fields that follow the layout (项目类别 suggestions, 项目性质, the money unit).
 *
 * Autosave posts the whole step form with header X-Autosave: 1; the server answers
 * {ok, lock_version, errors, saved_at, findings}. */
import { createAutosave } from "./autosave.js";
import { clearBusy, setBusy } from "./busy.js";
import { offerRestore } from "./local-copy.js";
import { canonicalAmount } from "./money-input.js";
import { showStepFindings } from "./step-findings.js";

const form = document.getElementById("wizard-form");
if (form) start(form);

function start(form) {
  const banner = document.querySelector("[data-wizard=banner]");
  const status = document.querySelector("[data-wizard=status]");
  const taskRows = form.querySelector("[data-task-rows]");
  const template = document.getElementById("task-row-template");
  const live = form.querySelector("[data-task-live]");

  function csrfToken() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showBanner(text) {
    banner.textContent = text;
    banner.classList.remove("d-none");
  }

  // The fields that make up the step (not the token, not the version, not the buttons).
  function entries() {
    const data = [];
    new FormData(form).forEach((value, name) => {
      if (name !== "csrfmiddlewaretoken" && name !== "lock_version") data.push([name, value]);
    });
    return data;
  }

  // A value as the server stores it: amounts without their separators and trailing zeros
  // (5 is saved and shown again as 5.00), text trimmed, line ends as the browser sends them.
  function normalised(data) {
    return data.map(([name, value]) => {
      const input = form.querySelector("[name='" + CSS.escape(name) + "']");
      if (input && input.matches("[data-money]")) return [name, canonicalAmount(value)];
      return [name, String(value).replace(/\r\n?/g, "\n").trim()];
    });
  }

  function same(a, b) {
    return JSON.stringify(normalised(a)) === JSON.stringify(normalised(b));
  }

  function showErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach((box) => {
      const name = box.getAttribute("data-error-for");
      const messages = errors[name] || [];
      box.textContent = messages.join(" ");
      form.querySelectorAll("[name='" + name + "']").forEach((input) => {
        if (messages.length) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }

  function onAnswer(kind, answer, response) {
    if (kind === "saved" || kind === "partly") {
      showErrors(answer.errors || {});
      if (answer.findings) showStepFindings(answer.findings);
      return;
    }
    if (kind === "failed") return;
    const fallback =
      response.status === 409
        ? "这份申报已在别处被修改，本页的输入未保存。"
        : "登录已过期或无权修改，本页的输入未保存。";
    showBanner(
      (answer.error || fallback) +
        " 您的输入仍在页面上，并已保存在本机浏览器中：请在新窗口登录或刷新后，按提示恢复。"
    );
  }

  function send() {
    const body = new FormData(form);
    body.set("nav", "autosave");
    return fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
  }

  const autosaving = form.getAttribute("data-autosave") === "1";
  const autosave = autosaving
    ? createAutosave({
        storageKey: form.getAttribute("data-storage-key"),
        snapshot: entries,
        same,
        send,
        onAnswer,
        setStatus: (text) => {
          if (status) status.textContent = text;
        },
      })
    : null;

  function changed() {
    if (autosave) autosave.changed();
  }

  if (autosave) {
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    let submitting = false;
    form.addEventListener("submit", (event) => {
      if (submitting || autosave.isStopped() || (!autosave.hasUnsaved() && !autosave.busy())) {
        autosave.leave();
        return;
      }
      // Save first, then send the form: an autosave on its way would move the version on,
      // and the form posting the page's version would be refused as stale by our own save.
      // Saved this way, the local copy is gone before the page is.
      event.preventDefault();
      const submitter = event.submitter;
      // busy.js skips a submit stopped here: the button shows the wait itself, from the click.
      const waiting = submitter && submitter.getAttribute("data-busy");
      if (waiting) setBusy(submitter, waiting);
      autosave.flush().then(() => {
        // Enabled again so that it is sent with the form (busy.js takes over from here).
        if (waiting) clearBusy(submitter);
        submitting = true;
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      });
    });
    // Leaving by the step bar: save first, then go.
    document.querySelectorAll("[data-wizard-link]").forEach((link) => {
      link.addEventListener("click", (event) => {
        if ((!autosave.hasUnsaved() && !autosave.busy()) || autosave.isStopped()) return;
        event.preventDefault();
        autosave.flush().then(() => {
          if (!autosave.isStopped()) window.location.href = link.href;
        });
      });
    });
    offerRestore({
      copy: autosave.copy,
      box: document.querySelector("[data-wizard=restore]"),
      current: entries,
      same,
      serverSavedAt: parseInt(form.getAttribute("data-saved-at"), 10) || 0,
      apply: (stored) => {
        restore(changedOnly(stored));
        changed();
      },
    });
  }

  // Only the fields the filer changed on that page: the others still hold what the page was
  // loaded with, and restoring them would undo newer work saved from another window.
  function changedOnly(stored) {
    if (!stored.base) return stored.data;
    const values = (data, name) =>
      JSON.stringify(data.filter((pair) => pair[0] === name).map((pair) => pair[1]));
    const differs = {};
    stored.data.concat(stored.base).forEach(([name]) => {
      if (values(stored.data, name) !== values(stored.base, name)) differs[name] = true;
    });
    const tasks = Object.keys(differs).some((name) => name.startsWith("task-"));
    return stored.data.filter(([name]) => differs[name] || (tasks && name.startsWith("task-")));
  }

  function restore(data) {
    const keys = data.filter(([name]) => name === "task-key");
    if (taskRows && keys.length) {
      taskRows.innerHTML = "";
      keys.forEach(() => addTaskRow(false));
    }
    const seen = {};
    data.forEach(([name, value]) => {
      const index = seen[name] || 0;
      seen[name] = index + 1;
      const inputs = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      const input = inputs[index];
      if (!input) return;
      if (input.type === "radio") {
        inputs.forEach((radio) => {
          radio.checked = radio.value === value;
        });
      } else if (input.type === "checkbox") {
        input.checked = true;
      } else {
        input.value = value;
      }
    });
    updateVariant();
    updateMoneyUnit();
  }

  // 年度重点任务: add and remove rows in place; a row keeps its hidden key.
  function addTaskRow(focus) {
    const row = template.content.firstElementChild.cloneNode(true);
    taskRows.appendChild(row);
    if (focus) {
      row.querySelector("input[name=task-name]").focus();
      live.textContent = "已添加第 " + taskRows.children.length + " 项任务";
    }
    return row;
  }

  if (taskRows && template) {
    form.querySelector("[data-task-add]").addEventListener("click", () => {
      addTaskRow(true);
      changed();
    });
    taskRows.addEventListener("click", (event) => {
      const button = event.target.closest("[data-task-remove]");
      if (!button) return;
      const row = button.closest("[data-task-row]");
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      live.textContent = "已删除一项任务";
      if (next) next.querySelector("input[name=task-name]").focus();
      else form.querySelector("[data-task-add]").focus();
      changed();
    });
  }

  // 项目类别 suggestions follow the layout; 项目性质 exists on the city layout only.
  function updateVariant() {
    const checked = form.querySelector("input[name=variant]:checked");
    if (!checked) return;
    const category = form.querySelector("input[name=category]");
    if (category) category.setAttribute("list", "categories-" + checked.value);
    form.querySelectorAll(".wizard-city-only").forEach((box) => {
      box.classList.toggle("d-none", checked.value !== "city");
    });
  }

  function updateMoneyUnit() {
    const checked = form.querySelector("input[name=money_unit]:checked");
    if (!checked) return;
    document.querySelectorAll("[data-money-unit-label]").forEach((label) => {
      label.textContent = checked.value;
    });
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "variant") updateVariant();
    if (event.target.name === "money_unit") updateMoneyUnit();
  });
  updateVariant();
}
