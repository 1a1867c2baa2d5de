// The session log's autosave (htmx posts the form as it is typed; see visits/log_form.html).
// Each autosave carries the page's own count, so the server keeps a draft only if it is newer
// than the one it has; and the status line says when a draft was not kept, instead of staying
// on "Draft saved". Without JavaScript the form still saves and signs as usual.
(() => {
  const form = document.querySelector("form[data-autosave]");
  const status = document.getElementById("draft-status");
  if (!form || !status) {
    return;
  }
  let sequence = Number(form.dataset.draftSequence || 0);
  form.addEventListener("htmx:configRequest", (event) => {
    sequence += 1;
    event.detail.parameters.set("draft_sequence", String(sequence));
  });
  // A draft the server did not keep (409) or could not read (400) says why, in the status line.
  form.addEventListener("htmx:beforeSwap", (event) => {
    const code = event.detail.xhr.status;
    if (code === 409 || code === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  const notSaved = () => {
    status.textContent = form.dataset.notSaved;
  };
  form.addEventListener("htmx:sendError", notSaved);
  form.addEventListener("htmx:responseError", notSaved);
  form.addEventListener("htmx:timeout", notSaved);
})();
