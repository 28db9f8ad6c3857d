// The main menu on a narrow screen: one button shows and hides it (templates/base.html).
// Bootstrap's collapse plugin would toggle it too, but not close it on Escape nor give the
// focus back; a class and aria-expanded are all the menu needs.

const button = document.querySelector("[data-menu-toggle]");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));

function setOpen(open) {
  button.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("show", open);
}

if (menu) {
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  // Escape closes the open menu and leaves the focus on its button, as a disclosure should.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
}
