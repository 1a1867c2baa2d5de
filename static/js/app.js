// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Forms that ask before a destructive action carry data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  // Move focus to the first field with an error, so keyboard users land on it.
  const invalid = document.querySelector(".is-invalid");
  if (invalid) {
    invalid.focus();
  }
});
