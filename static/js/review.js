// The review page: the 审核表's buttons follow its grade; the printable 审核表: its 打印
// button. (The review page's comments: review-comments.js.)
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// The 审核表: the grade decides the decision (review/grades.py). A button the chosen grade
// does not allow is disabled — its dialog would promise what the server then refuses. With
// no grade chosen every button stays, and the server asks for a grade.
function matchGrade(form) {
  const grade = form.elements.namedItem("grade");
  if (!grade) return;
  for (const button of form.querySelectorAll("button[data-grades]")) {
    button.disabled = Boolean(grade.value) && !button.dataset.grades.split(" ").includes(grade.value);
  }
}

for (const form of document.querySelectorAll("form")) {
  if (!form.querySelector("button[data-grades]")) continue;
  matchGrade(form);
  form.addEventListener("change", (event) => {
    if (event.target.name === "grade") matchGrade(form);
  });
}
