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
  // The exports' print button opens the browser's print dialog (which also saves a PDF).
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  // Move focus to the first field with an error, so keyboard users land on it.
  const invalid = document.querySelector(".is-invalid");
  if (invalid) {
    invalid.focus();
  }
});
