/* The busy state of every action that may take more than a moment (login, 下一步, 提交,
 * decisions, imports, PDF and Excel downloads): the button is disabled, shows a spinner and
 * says what is happening (正在登录… / 正在保存… / 正在生成PDF…), so that nobody clicks twice
 * or wonders whether the click was taken. base.html loads it on every page.
 *
 *   <button type="submit" data-busy="正在保存…">   (or data-busy on the form: any of its
 *                                                   submit buttons)
 *   <a href="…/pdf/" data-busy="正在生成PDF…">     a download: fetched here, saved as the
 *                                                   server names it, the button back after.
 *
 * A form's submit is counted only once nothing else stopped it (the confirmation dialog, the
 * wizard's save-first): the listener is on window, after theirs. */

const SPINNER_CLASS = "spinner-border spinner-border-sm me-1 pg-busy-spinner";

export function setBusy(control, text) {
  if (control.dataset.busyOn) return;
  control.dataset.busyOn = "1";
  control.dataset.busyWas = control.innerHTML;
  control.setAttribute("aria-busy", "true");
  control.classList.add("pg-busy");
  if (control.tagName === "A") control.setAttribute("aria-disabled", "true");
  else control.disabled = true;
  const spinner = document.createElement("span");
  spinner.className = SPINNER_CLASS;
  spinner.setAttribute("aria-hidden", "true");
  control.textContent = text;
  control.prepend(spinner);
}

export function clearBusy(control) {
  if (!control.dataset.busyOn) return;
  control.innerHTML = control.dataset.busyWas;
  delete control.dataset.busyOn;
  delete control.dataset.busyWas;
  control.removeAttribute("aria-busy");
  control.removeAttribute("aria-disabled");
  control.classList.remove("pg-busy");
  if (control.tagName !== "A") control.disabled = false;
}

function busyText(submitter, form) {
  if (submitter && submitter.hasAttribute("data-busy")) return submitter.getAttribute("data-busy");
  return form.getAttribute("data-busy");
}

window.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
  const submitter = event.submitter || form.querySelector("[type=submit]");
  const text = submitter && busyText(submitter, form);
  if (!text) return;
  // Disabled now, the button would drop out of what the form sends (its name=value is the
  // decision, the wizard's direction): disable it once the browser has taken the form.
  window.setTimeout(() => setBusy(submitter, text), 0);
});

function filenameOf(response) {
  const header = response.headers.get("Content-Disposition") || "";
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (encoded) return decodeURIComponent(encoded[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : "";
}

function download(link, text) {
  setBusy(link, text);
  fetch(link.href, { credentials: "same-origin" })
    .then((response) => {
      const name = filenameOf(response);
      if (!response.ok || !name) {
        // Not a file (a refusal, the 503 page, a login page): show it as the server wrote it.
        window.location.href = link.href;
        return null;
      }
      return response.blob().then((blob) => {
        const url = URL.createObjectURL(blob);
        const save = document.createElement("a");
        save.href = url;
        save.download = name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      });
    })
    .catch(() => {
      window.location.href = link.href;
    })
    .finally(() => clearBusy(link));
}

document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-busy]");
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  if (link.dataset.busyOn) return;
  download(link, link.getAttribute("data-busy"));
});

// Back to a page the browser kept whole (history): its buttons are free again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("[data-busy-on]").forEach(clearBusy);
});
