/* confirm() before a form marked data-confirm="…" is sent (删除草稿, 撤回, …), on any page.
   A submit button's own data-confirm wins over its form's (审核通过, 退回修改, 不予通过). */
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message =
    (button && button.getAttribute("data-confirm")) ||
    (event.target.getAttribute && event.target.getAttribute("data-confirm"));
  if (message && !window.confirm(message)) event.preventDefault();
});
