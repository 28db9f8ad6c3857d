/* Small DOM and request helpers of the indicator editor. */

// el("td", {className: "x", text: "…", "aria-label": "…"}, [children]): false, null and
// undefined attributes are left out, true is an empty attribute.
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => {
    if (value === null || value === undefined || value === false) return;
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  });
  (children || []).forEach((child) => {
    if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

export function post(url, body, csrf, contentType) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": contentType || "application/json",
      "X-CSRFToken": csrf,
      "X-Requested-With": "XMLHttpRequest",
      Accept: "application/json",
    },
    body,
  });
}

export function getJson(url) {
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
    (response) => (response.ok ? response.json() : null)
  );
}
