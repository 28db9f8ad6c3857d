/* The wizard's step form: autosave as the user types, a local copy of unsaved input,
 * the 年度重点任务 rows, and confirm() on forms marked data-confirm (any page).
 *
 * Autosave posts the whole step form ~1.5 s after the last keystroke with header
 * X-Autosave: 1; the server answers {ok, lock_version, errors, saved_at}. Every
 * input[name=lock_version] on the page is updated, as the indicator editor expects.
 * Until the server has the input, a copy sits in localStorage, offered back on load. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // The step's findings and its badge on the step bar, refreshed after each save (by this
  // autosave and by the indicator editor), so that a fixed 「…」未填写 does not linger.
  var LABELS = { error: "错误", warning: "提示" };
  function showStepFindings(findings) {
    var section = document.querySelector("[data-wizard=findings]");
    if (section) {
      var list = section.querySelector("ul");
      list.textContent = "";
      findings.forEach(function (finding) {
        var item = document.createElement("li");
        item.className = "finding finding-" + finding.severity;
        var label = document.createElement("strong");
        label.textContent = finding.label || LABELS[finding.severity] || "";
        item.appendChild(label);
        item.appendChild(document.createTextNode(" " + finding.message));
        list.appendChild(item);
      });
      section.hidden = !findings.length;
    }
    var link = document.querySelector(".wizard-step.current a");
    if (!link) return;
    link.querySelectorAll(".badge").forEach(function (badge) {
      badge.remove();
    });
    [
      ["error", "bg-danger", "处错误"],
      ["warning", "bg-warning text-dark", "条提示"],
    ].forEach(function (kind) {
      var count = findings.filter(function (f) {
        return f.severity === kind[0];
      }).length;
      if (!count) return;
      var badge = document.createElement("span");
      badge.className = "badge " + kind[1];
      badge.title = LABELS[kind[0]];
      badge.textContent = String(count);
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = kind[2];
      badge.appendChild(hidden);
      link.appendChild(badge);
    });
  }
  window.perfgoalsWizard = { showStepFindings: showStepFindings };

  var form = document.getElementById("wizard-form");
  if (!form) return;

  var DELAY = 1500;
  var banner = document.querySelector("[data-wizard=banner]");
  var status = document.querySelector("[data-wizard=status]");
  var storageKey = form.getAttribute("data-storage-key");
  var serverSavedAt = parseInt(form.getAttribute("data-saved-at"), 10) || 0;
  var autosave = form.getAttribute("data-autosave") === "1";
  var timer = null;
  var inFlight = null;
  var again = false;
  var dirty = false;
  var stopped = false; // after a 409/401/403: saving again would be refused too
  var loaded = null; // the step as the server has it (on load, then after each save)

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showBanner(text) {
    banner.textContent = text;
    banner.classList.remove("d-none");
  }

  function setStatus(text) {
    if (status) status.textContent = text;
  }

  // The fields that make up the step (not the token, not the version, not the buttons).
  function entries() {
    var data = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "lock_version") data.push([name, value]);
    });
    return data;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function keepLocally() {
    try {
      localStorage.setItem(
        storageKey,
        JSON.stringify({ savedAt: Date.now(), data: entries(), base: loaded })
      );
    } catch (e) {
      /* storage full or disabled: the server copy is all there is */
    }
  }

  function forget() {
    try {
      localStorage.removeItem(storageKey);
    } catch (e) {
      /* ignore */
    }
  }

  function setVersion(version) {
    document.querySelectorAll("input[name=lock_version]").forEach(function (input) {
      input.value = version;
    });
  }

  function showErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      var name = box.getAttribute("data-error-for");
      var messages = errors[name] || [];
      box.textContent = messages.join(" ");
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        if (messages.length) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
    });
  }

  function save() {
    if (stopped) return Promise.resolve(false);
    if (inFlight) {
      again = true;
      return inFlight;
    }
    clearTimeout(timer);
    var body = new FormData(form);
    var sending = entries();
    body.set("nav", "autosave");
    dirty = false;
    setStatus("正在保存…");
    inFlight = fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (answer) {
            if (response.status === 409 || response.status === 401 || response.status === 403 || response.status === 404) {
              stopped = true;
              dirty = true;
              var fallback =
                response.status === 409
                  ? "这份申报已在别处被修改，本页的输入未保存。"
                  : "登录已过期或无权修改，本页的输入未保存。";
              showBanner(
                (answer.error || fallback) +
                  " 您的输入仍在页面上，并已保存在本机浏览器中：请在新窗口登录或刷新后，按提示恢复。"
              );
              setStatus("未保存");
              return false;
            }
            if (!response.ok) throw new Error(String(response.status));
            setVersion(answer.lock_version);
            showErrors(answer.errors || {});
            if (answer.findings) showStepFindings(answer.findings);
            if (answer.ok) {
              loaded = sending;
              forget();
              setStatus("已自动保存 " + answer.saved_at);
            } else {
              setStatus("已自动保存 " + answer.saved_at + "（有输入错误的栏目未保存）");
            }
            return answer.ok;
          });
      })
      .catch(function () {
        dirty = true;
        setStatus("网络中断，未保存；输入已保存在本机浏览器中，稍后自动重试");
        timer = setTimeout(save, DELAY * 4);
        return false;
      })
      .finally(function () {
        inFlight = null;
        if (again) {
          again = false;
          save();
        }
      });
    return inFlight;
  }

  function changed() {
    dirty = true;
    keepLocally();
    if (!autosave || stopped) return;
    setStatus("有未保存的修改");
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }

  if (autosave) {
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      clearTimeout(timer);
      if (inFlight) {
        // An autosave is on its way and will move the version on: posting the page's
        // version now would be refused as stale (409) by our own save. Wait, then go.
        event.preventDefault();
        var submitter = event.submitter;
        inFlight.then(function () {
          form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        });
        return;
      }
      dirty = false;
    });
    // Leaving by the step bar: save first, then go.
    document.querySelectorAll("[data-wizard-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!dirty || stopped) return;
        event.preventDefault();
        save().then(function (ok) {
          if (ok !== false || !stopped) window.location.href = link.href;
        });
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    loaded = entries();
    offerRestore();
  }

  // A local copy newer than the server's and different from what the page shows.
  function offerRestore() {
    var stored;
    try {
      stored = JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch (e) {
      stored = null;
    }
    if (!stored || !stored.data) return;
    if (same(stored.data, entries()) || stored.savedAt <= serverSavedAt) {
      forget();
      return;
    }
    var box = document.querySelector("[data-wizard=restore]");
    var when = new Date(stored.savedAt).toLocaleTimeString("zh-CN", { hour12: false });
    box.querySelector("[data-wizard=restore-text]").textContent =
      "本机浏览器中有一份 " + when + " 的输入尚未保存到服务器（可能因为登录过期、网络中断或页面被关闭）。";
    box.classList.remove("d-none");
    box.querySelector("[data-wizard=restore-yes]").addEventListener("click", function () {
      restore(changedOnly(stored));
      box.classList.add("d-none");
      changed();
    });
    box.querySelector("[data-wizard=restore-no]").addEventListener("click", function () {
      forget();
      box.classList.add("d-none");
    });
  }

  // Only the fields the filer changed on that page: the others still hold what the page was
  // loaded with, and restoring them would undo newer work saved from another window.
  function changedOnly(stored) {
    if (!stored.base) return stored.data;
    function values(data, name) {
      return JSON.stringify(
        data
          .filter(function (pair) {
            return pair[0] === name;
          })
          .map(function (pair) {
            return pair[1];
          })
      );
    }
    var changed = {};
    stored.data.concat(stored.base).forEach(function (pair) {
      var name = pair[0];
      if (values(stored.data, name) !== values(stored.base, name)) changed[name] = true;
    });
    var tasks = Object.keys(changed).some(function (name) {
      return name.indexOf("task-") === 0;
    });
    return stored.data.filter(function (pair) {
      return changed[pair[0]] || (tasks && pair[0].indexOf("task-") === 0);
    });
  }

  function restore(data) {
    var rows = form.querySelector("[data-task-rows]");
    var hasTasks = data.some(function (pair) {
      return pair[0] === "task-key";
    });
    if (rows && hasTasks) {
      var keys = data.filter(function (pair) {
        return pair[0] === "task-key";
      });
      rows.innerHTML = "";
      keys.forEach(function () {
        addTaskRow(false);
      });
    }
    var seen = {};
    data.forEach(function (pair) {
      var name = pair[0];
      var index = seen[name] || 0;
      seen[name] = index + 1;
      var inputs = form.querySelectorAll("[name='" + name + "']");
      var input = inputs[index];
      if (!input) return;
      if (input.type === "radio") {
        inputs.forEach(function (radio) {
          radio.checked = radio.value === pair[1];
        });
      } else if (input.type === "checkbox") {
        input.checked = true;
      } else {
        input.value = pair[1];
      }
    });
    updateVariant();
    updateMoneyUnit();
  }

  // 年度重点任务: add and remove rows in place; a row keeps its hidden key.
  var taskRows = form.querySelector("[data-task-rows]");
  var template = document.getElementById("task-row-template");
  var live = form.querySelector("[data-task-live]");

  function addTaskRow(focus) {
    var row = template.content.firstElementChild.cloneNode(true);
    taskRows.appendChild(row);
    if (focus) {
      row.querySelector("input[name=task-name]").focus();
      live.textContent = "已添加第 " + taskRows.children.length + " 项任务";
    }
    return row;
  }

  if (taskRows && template) {
    form.querySelector("[data-task-add]").addEventListener("click", function () {
      addTaskRow(true);
      changed();
    });
    taskRows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-task-remove]");
      if (!button) return;
      var row = button.closest("[data-task-row]");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      live.textContent = "已删除一项任务";
      if (next) {
        next.querySelector("input[name=task-name]").focus();
      } else {
        form.querySelector("[data-task-add]").focus();
      }
      changed();
    });
  }

  // 项目类别 suggestions follow the layout; 项目性质 exists on the city layout only.
  function updateVariant() {
    var checked = form.querySelector("input[name=variant]:checked");
    if (!checked) return;
    var category = form.querySelector("input[name=category]");
    if (category) category.setAttribute("list", "categories-" + checked.value);
    form.querySelectorAll(".wizard-city-only").forEach(function (box) {
      box.classList.toggle("d-none", checked.value !== "city");
    });
  }

  function updateMoneyUnit() {
    var checked = form.querySelector("input[name=money_unit]:checked");
    if (!checked) return;
    document.querySelectorAll("[data-money-unit-label]").forEach(function (label) {
      label.textContent = checked.value;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "variant") updateVariant();
    if (event.target.name === "money_unit") updateMoneyUnit();
  });
  updateVariant();
})();
