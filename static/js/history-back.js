// "返回上一页": a link marked data-history-back goes back in the browser's history. The link
// holds a real address, not a script (the Content-Security-Policy refuses script URLs); with
// no page to go back to (a new tab), that address is followed.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-history-back]");
  if (!link || window.history.length < 2) return;
  event.preventDefault();
  window.history.back();
});
