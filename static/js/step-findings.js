/* The wizard step's findings and its badge on the step bar, refreshed after each save (by the
 * step's autosave and by the indicator editor), so that a fixed 「…」未填写 does not linger. */
const LABELS = { error: "错误", warning: "提示" };
const BADGES = [
  ["error", "bg-danger", "处错误"],
  ["warning", "bg-warning text-dark", "条提示"],
];

export function showStepFindings(findings) {
  const section = document.querySelector("[data-wizard=findings]");
  if (section) {
    const list = section.querySelector("ul");
    list.textContent = "";
    findings.forEach((finding) => {
      const item = document.createElement("li");
      item.className = "finding finding-" + finding.severity;
      const label = document.createElement("strong");
      label.textContent = finding.label || LABELS[finding.severity] || "";
      item.appendChild(label);
      item.appendChild(document.createTextNode(" " + finding.message));
      if (finding.source) {
        // Which bureau's rule profile and which rule's basis, as the page first showed it.
        const source = document.createElement("span");
        source.className = "finding-source d-block small text-muted";
        source.textContent = finding.source;
        item.appendChild(source);
      }
      list.appendChild(item);
    });
    section.hidden = !findings.length;
  }
  const link = document.querySelector(".wizard-step.current a");
  if (!link) return;
  link.querySelectorAll(".badge").forEach((badge) => badge.remove());
  BADGES.forEach(([severity, className, words]) => {
    const count = findings.filter((f) => f.severity === severity).length;
    if (!count) return;
    const badge = document.createElement("span");
    badge.className = "badge " + className;
    badge.title = LABELS[severity];
    badge.textContent = String(count);
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = words;
    badge.appendChild(hidden);
    link.appendChild(badge);
  });
}
