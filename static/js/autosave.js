/* The autosave of every page that saves as the user types: the wizard's steps and the
 * indicator editor. One set of rules, so that the two cannot disagree about what is saved:
 *
 * - a save goes ~1.5 s after the last change, one at a time (a change made while a save is
 *   on its way is sent right after it);
 * - until the server has a change, a copy sits in localStorage (local-copy.js);
 * - any 2xx answer clears that copy, even a save that changed nothing on the server (which
 *   stored 5 as 5.00, or had it already): the copy is kept only for input typed after the
 *   request left, and such input is saved next;
 * - a network failure or a 5xx (503 while the database is away) is retried;
 * - 401, 403, 404 and 409 stop the saving: trying again would be refused again, or would
 *   overwrite someone's newer work. The page says why (its onAnswer).
 *
 * The lock_version convention: every input[name=lock_version] on the page holds the version
 * the page is showing, and each answer's lock_version is written to all of them, because the
 * wizard's step form and the indicator editor may share a page. */

import { LocalCopy } from "./local-copy.js";

export const STATUS = {
  changed: "有未保存的修改",
  saving: "正在保存…",
  saved: "已自动保存 ",
  unchanged: "已自动保存，没有未保存的修改",
  partly: "（有输入错误的栏目未保存）",
  refused: "未保存",
  offline: "网络中断，未保存；输入已保存在本机浏览器中，稍后自动重试",
  failed: "保存失败（服务器暂时无法保存），输入已保存在本机浏览器中，稍后自动重试",
};

export function lockVersion() {
  const input = document.querySelector("input[name=lock_version]");
  return input ? parseInt(input.value, 10) : null;
}

export function setLockVersion(version) {
  if (version === undefined || version === null) return;
  document.querySelectorAll("input[name=lock_version]").forEach((input) => {
    input.value = version;
  });
}

export function jsonOf(response) {
  return response.json().catch(() => ({}));
}

/* The kind of an answer, from its status and body:
 * "saved" (all of it), "partly" (2xx, but the server kept back fields with errors),
 * "invalid" (400: nothing saved, the page marks the errors), "signed-out" (401),
 * "refused" (403/404/409), "failed" (anything else: tried again later). */
export function kindOf(response, body) {
  if (response.ok) return body.ok === false ? "partly" : "saved";
  if (response.status === 400) return "invalid";
  if (response.status === 401) return "signed-out";
  if ([403, 404, 409].includes(response.status)) return "refused";
  return "failed";
}

/* options:
 *   storageKey      where the local copy lives;
 *   snapshot()      the page's content now (JSON-able), as the local copy keeps it;
 *   initial         the content the server has (default: snapshot() now; null: save at once);
 *   same(a, b)      two contents equal as the server would store them (default: as JSON);
 *   send(data)      posts ``data``; returns the fetch() promise;
 *   onAnswer(kind, body, response, data)   the page's own part: errors, findings, banners;
 *   onOffline()     the page's word about a lost connection (optional);
 *   setStatus(text) where the status line goes;
 *   delay           ms after the last change (default 1500);
 *   retryDelay      ms before trying again after a failure (default 6000);
 *   stopWhenSignedOut   stop after a 401 (default true; false: try again on the next change
 *                   or when the window gets the focus back, after a sign-in elsewhere). */
export function createAutosave(options) {
  const copy = new LocalCopy(options.storageKey);
  const same = options.same || ((a, b) => JSON.stringify(a) === JSON.stringify(b));
  const delay = options.delay || 1500;
  const retryDelay = options.retryDelay || 6000;
  const stopWhenSignedOut = options.stopWhenSignedOut !== false;
  const setStatus = options.setStatus || (() => {});
  // The content as the server has it; null when the page holds rows the server has not saved.
  let confirmed = "initial" in options ? options.initial : options.snapshot();
  let changeSeq = 0; // grows with every change
  let savedSeq = 0; // the change the server has answered for
  let inFlight = null;
  let queued = false;
  let stopped = false;
  let leaving = false;
  let timer = null;

  function hasUnsaved() {
    return changeSeq !== savedSeq;
  }

  function keepCopy() {
    copy.write(options.snapshot(), confirmed);
  }

  // Called by the page after every change of its content.
  function changed() {
    changeSeq++;
    if (!inFlight && same(options.snapshot(), confirmed)) {
      // Back to what the server has (or a change event after the input was saved): nothing
      // is unsaved, and a copy would offer back what the server already holds.
      savedSeq = changeSeq;
      copy.clear();
      // Typed back, or every change undone (撤销): the status must not say otherwise.
      window.clearTimeout(timer);
      if (!stopped) setStatus(STATUS.unchanged);
      return;
    }
    keepCopy();
    if (stopped) return;
    setStatus(STATUS.changed);
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function save() {
    window.clearTimeout(timer);
    if (inFlight) {
      queued = true;
      return inFlight;
    }
    if (stopped) return Promise.resolve(false);
    if (!hasUnsaved()) return Promise.resolve(true);
    const seq = changeSeq;
    const data = options.snapshot();
    setStatus(STATUS.saving);
    inFlight = options
      .send(data)
      .then((response) => jsonOf(response).then((body) => answered(response, body, data, seq)))
      .catch(() => {
        setStatus(STATUS.offline);
        if (options.onOffline) options.onOffline();
        retry();
        return false;
      })
      .then((ok) => {
        inFlight = null;
        if (queued || (ok && hasUnsaved() && !stopped)) {
          queued = false;
          return save();
        }
        return ok && !hasUnsaved();
      });
    return inFlight;
  }

  function answered(response, body, data, seq) {
    const kind = kindOf(response, body);
    if (kind === "saved" || kind === "partly") {
      setLockVersion(body.lock_version);
      savedSeq = seq;
    }
    // The page first: it may take keys or versions from the answer into its content.
    options.onAnswer(kind, body, response, data);
    if (kind === "saved") {
      // Changes since the request left that changed nothing (a change event after the input
      // events, a value typed back) leave nothing unsaved either.
      if (changeSeq === seq || same(options.snapshot(), data)) {
        savedSeq = changeSeq;
        confirmed = options.snapshot();
        copy.clear();
      } else {
        confirmed = data;
        keepCopy(); // typed while the request was on its way: not on the server yet
      }
      setStatus(STATUS.saved + (body.saved_at || ""));
      return true;
    }
    if (kind === "partly") {
      setStatus(STATUS.saved + (body.saved_at || "") + STATUS.partly);
      return true;
    }
    if (kind === "failed") {
      setStatus(STATUS.failed);
      retry();
      return false;
    }
    setStatus(STATUS.refused);
    if (kind === "refused" || (kind === "signed-out" && stopWhenSignedOut)) stopped = true;
    return false;
  }

  function retry() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, retryDelay);
  }

  // Everything saved, or as much as can be: for the page's buttons and links.
  function flush() {
    window.clearTimeout(timer);
    if (!hasUnsaved() && !inFlight) return Promise.resolve(true);
    return save().then(() => !hasUnsaved() && !inFlight);
  }

  window.addEventListener("beforeunload", (event) => {
    if (leaving || !hasUnsaved()) return;
    keepCopy();
    event.preventDefault();
    event.returnValue = "";
  });
  // Back to this page from the browser's history (the page was kept whole): it is not going.
  window.addEventListener("pageshow", () => {
    leaving = false;
  });
  // Back online: no need to wait for the next retry.
  window.addEventListener("online", () => {
    if (hasUnsaved() && !stopped && !inFlight) save();
  });
  if (!stopWhenSignedOut) {
    // Back from signing in again in another window: try the save that was refused.
    window.addEventListener("focus", () => {
      if (hasUnsaved() && !stopped && !inFlight) save();
    });
  }

  return {
    changed,
    save,
    flush,
    hasUnsaved,
    copy,
    busy: () => !!inFlight,
    isStopped: () => stopped,
    // Saving again by the user's choice (立即保存), after a refusal.
    resume() {
      stopped = false;
      // Asked to save with nothing to save: say so, or the click would go unanswered.
      if (!inFlight && !hasUnsaved()) setStatus(STATUS.unchanged);
      return save();
    },
    // The page is going (a form the server will answer): no "leave this page?" prompt.
    leave() {
      leaving = true;
    },
  };
}
