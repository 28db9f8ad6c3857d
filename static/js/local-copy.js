/* The copy in localStorage of input the server does not have yet, and the offer to restore it.
 *
 * A copy is { savedAt, data, base }: when it was written (the browser's clock), the page's
 * content then, and the content the server had confirmed then. The autosave writes it on
 * every change and removes it after every successful save (autosave.js); a copy found when
 * a page loads is therefore input that never reached the server. */

export class LocalCopy {
  constructor(key) {
    this.key = key;
  }

  read() {
    try {
      const stored = JSON.parse(window.localStorage.getItem(this.key) || "null");
      if (stored && Array.isArray(stored.rows) && !stored.data) {
        // Written by the indicator editor before it shared this module.
        return { savedAt: stored.saved_at, data: stored.rows, base: null };
      }
      return stored && stored.data ? stored : null;
    } catch (error) {
      return null; // unreadable or storage disabled: as if there were no copy
    }
  }

  write(data, base) {
    try {
      window.localStorage.setItem(this.key, JSON.stringify({ savedAt: Date.now(), data, base }));
    } catch (error) {
      /* storage full or disabled: the server copy is all there is */
    }
  }

  clear() {
    try {
      window.localStorage.removeItem(this.key);
    } catch (error) {
      /* nothing to clear */
    }
  }
}

/* Offers a copy back when one is left and differs from what the page shows.
 *
 * box: the hidden alert, holding [data-restore=text], [data-restore=yes], [data-restore=no].
 * same(a, b): compares two contents as the server would store them (money 5 = 5.00, text
 * trimmed), so that a normalised save is never taken for lost input.
 * serverSavedAt: the server's last save (ms); a copy older than that was overtaken.
 * apply(stored): puts the copy's content on the page (the page then saves it). */
export function offerRestore({ copy, box, current, same, serverSavedAt, what, apply }) {
  const stored = copy.read();
  if (!stored || !box) return;
  if (same(stored.data, current()) || stored.savedAt <= (serverSavedAt || 0)) {
    copy.clear();
    return;
  }
  const when = new Date(stored.savedAt).toLocaleTimeString("zh-CN", { hour12: false });
  box.querySelector("[data-restore=text]").textContent =
    "本机浏览器中有一份 " +
    when +
    " 的" +
    (what || "输入") +
    "尚未保存到服务器（可能因为登录过期、网络中断或页面被关闭）。";
  box.classList.remove("d-none");
  box.querySelector("[data-restore=yes]").addEventListener("click", () => {
    box.classList.add("d-none");
    apply(stored);
  });
  box.querySelector("[data-restore=no]").addEventListener("click", () => {
    copy.clear();
    box.classList.add("d-none");
  });
}
