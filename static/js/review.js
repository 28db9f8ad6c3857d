// The review page: "就此行提意见" next to a finding points the comment form at its row;
// the printable 审核表: its 打印 button.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
    return;
  }
  const button = event.target.closest(".comment-on");
  if (!button) return;
  const form = document.getElementById("comment-form");
  if (!form) return;
  const select = form.querySelector("select");
  select.value = button.dataset.target;
  form.scrollIntoView({ behavior: "smooth", block: "center" });
  form.querySelector("textarea").focus({ preventScroll: true });
});
