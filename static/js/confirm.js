/* confirm() before a form marked data-confirm="…" is sent (删除草稿, 撤回, …), on any page. */
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
