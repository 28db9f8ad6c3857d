/* The indicator editor (绩效指标): rows grouped under 一级/二级, add / remove / reorder without
 * reloading, a live parsed preview of each value, paste from Excel, library suggestions, and
 * an autosave that never loses more than a few seconds of typing.
 *
 * The page holds the whole table (the JSON in #indicator-editor-data); each part of the editor
 * is a module of its own under editor/: state, rendering, rows, keyboard, paste, suggestions
 * saving (which uses the autosave shared with the wizard) and undo (撤销). */
import { createEditor } from "./editor/state.js";
import * as details from "./editor/details.js";
import * as render from "./editor/render.js";
import * as rows from "./editor/rows.js";
import * as keyboard from "./editor/keyboard.js";
import * as paste from "./editor/paste.js";
import * as suggestions from "./editor/suggestions.js";
import * as saving from "./editor/saving.js";
import * as undo from "./editor/undo.js";

const root = document.getElementById("indicator-editor");
if (root) start(root);

function start(root) {
  const config = JSON.parse(document.getElementById("indicator-editor-data").textContent);
  const ed = createEditor(root, config);
  [details, render, rows, keyboard, paste, suggestions, saving, undo].forEach((part) => part.install(ed));

  // The version the page shows, by the convention every autosaving page keeps: an
  // input[name=lock_version] (the wizard's step form on the same page holds another).
  const version = document.createElement("input");
  version.type = "hidden";
  version.name = "lock_version";
  version.value = config.lock_version;
  version.dataset.ie = "version";
  root.appendChild(version);

  ed.rows = config.rows.map((data) => ed.makeRow(data, ed.isInputBlock(data)));
  ed.render();
  ed.showWeights();
  if (!config.can_edit) {
    root.querySelectorAll("input, select, textarea, button").forEach((node) => {
      node.disabled = true;
    });
  }
  const autosave = ed.startSaving();
  // Rows the server added (the 投入管理指标 block of a new overall filing) are saved at once.
  if (config.can_edit && ed.rows.some((row) => !row.key)) autosave.changed();
}
