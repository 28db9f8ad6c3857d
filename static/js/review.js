// The printable 审核表: its 打印 button. (The review page's comments: review-comments.js.)
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
