/* The one confirmation before a step that is not taken back with a click (退回修改, 审核通过,
 * 删除草稿, 发起调整, and any decision added later): a modal <dialog> that says what will
 * happen and to whom, on every page (base.html loads this module), with no inline script.
 *
 * Mark a form, or one of its submit buttons (the button's attributes win), with:
 *   data-confirm="…"               what will happen, and to whom (required; line breaks kept);
 *   data-confirm-title="…"         the dialog's heading (default 请确认);
 *   data-confirm-ok="…"            the confirming button (default: the submit button's words);
 *   data-confirm-tone="danger"     a red confirming button (returns, deletions);
 *   data-confirm-count="selector"  for batches: {count} in the sentence becomes the number of
 *                                  elements the selector finds (e.g. "[name=filing]:checked").
 * {field:NAME} in the sentence becomes what the form's field NAME shows (a select's chosen
 * option, an input's value), e.g. the grade of an approval.
 *
 * The dialog is modal (the page behind is inert), Tab cycles its two buttons, Esc and 取消
 * cancel and give the focus back to the button; 确定 sends the form with the same button, so
 * the server sees the same decision. */

let dialog = null;
let pending = null; // {form, submitter} waiting for an answer
let passing = null; // the form being sent after a yes: its submit event is let through

function build() {
  const node = document.createElement("dialog");
  node.className = "pg-confirm";
  node.setAttribute("aria-labelledby", "pg-confirm-title");
  node.setAttribute("aria-describedby", "pg-confirm-text");
  node.innerHTML =
    '<form method="dialog">' +
    '<h2 class="h5" id="pg-confirm-title"></h2>' +
    '<p class="pg-confirm-text" id="pg-confirm-text"></p>' +
    '<div class="d-flex gap-2 justify-content-end">' +
    '<button type="submit" value="cancel" class="btn btn-outline-secondary" data-confirm-cancel autofocus>取消</button>' +
    '<button type="submit" value="ok" class="btn" data-confirm-yes></button>' +
    "</div></form>";
  node.addEventListener("close", answered);
  node.addEventListener("keydown", keepFocusInside);
  document.body.appendChild(node);
  return node;
}

// Chromium's modal dialog already makes the page inert; Tab would still leave for the
// browser's own controls. Keep it on the two buttons.
function keepFocusInside(event) {
  if (event.key !== "Tab") return;
  const buttons = [...dialog.querySelectorAll("button")];
  const at = buttons.indexOf(document.activeElement);
  const next = (at + (event.shiftKey ? -1 : 1) + buttons.length) % buttons.length;
  event.preventDefault();
  buttons[next].focus();
}

function attribute(name, submitter, form) {
  if (submitter && submitter.hasAttribute(name)) return submitter.getAttribute(name);
  return form.getAttribute(name);
}

function fieldText(form, name) {
  const field = form.elements.namedItem(name);
  if (!field) return "";
  if (field.tagName === "SELECT") {
    const option = field.options[field.selectedIndex];
    return option && option.value ? option.text : "（未选择）";
  }
  return field.value || "（未填写）";
}

function sentence(text, submitter, form) {
  const countOf = attribute("data-confirm-count", submitter, form);
  return text
    .replace(/\{count\}/g, () => String(countOf ? document.querySelectorAll(countOf).length : 0))
    .replace(/\{field:([\w-]+)\}/g, (whole, name) => fieldText(form, name));
}

function ask(form, submitter) {
  dialog = dialog || build();
  const text = attribute("data-confirm", submitter, form);
  const yes = dialog.querySelector("[data-confirm-yes]");
  const label = submitter ? submitter.textContent.trim() : "";
  dialog.querySelector("#pg-confirm-title").textContent =
    attribute("data-confirm-title", submitter, form) || "请确认";
  dialog.querySelector("#pg-confirm-text").textContent = sentence(text, submitter, form);
  yes.textContent = attribute("data-confirm-ok", submitter, form) || label || "确定";
  const danger = attribute("data-confirm-tone", submitter, form) === "danger";
  yes.className = "btn " + (danger ? "btn-danger" : "btn-primary");
  pending = { form, submitter };
  dialog.returnValue = "";
  dialog.showModal();
  dialog.querySelector("[data-confirm-cancel]").focus();
}

function answered() {
  const asked = pending;
  pending = null;
  if (!asked) return;
  if (dialog.returnValue !== "ok") {
    if (asked.submitter) asked.submitter.focus();
    return;
  }
  passing = asked.form;
  try {
    const submitter = asked.submitter && asked.submitter.form === asked.form ? asked.submitter : undefined;
    asked.form.requestSubmit(submitter);
  } finally {
    passing = null;
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form === passing || event.defaultPrevented) return;
  const submitter = event.submitter || null;
  if (!attribute("data-confirm", submitter, form)) return;
  event.preventDefault();
  ask(form, submitter);
});
