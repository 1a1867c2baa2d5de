// A submit button says "Sending…" and disables itself while its form is on its way, so a
// double click sends once. A help only: every create form also carries a once key, and the
// server makes one row per key (practice/once.py). No inline code, for the CSP.
//
// Loaded from base.html with the translated label:
//   <script src="{% static 'js/submit-once.js' %}" data-sending="{% translate 'Sending…' %}" defer></script>
(() => {
  const script = document.currentScript;
  const label = (script && script.dataset.sending) || "Sending…";
  const held = new Map(); // button -> its own content, put back when released
  // A form whose answer is a download leaves the page in place: its button comes back.
  const RELEASE_AFTER_MS = 15000;

  function hold(button) {
    if (!button || held.has(button)) {
      return;
    }
    held.set(button, Array.from(button.childNodes));
    button.setAttribute("aria-disabled", "true");
    button.classList.add("is-sending");
    if (button.tagName === "BUTTON") {
      // Keep its size: "Sending…" is shorter, and a button that shrank would put what stands
      // beside it ("Cancel") under the second click of a double click, which then leaves the
      // page and drops what was being sent. (A style property, not an attribute: CSP-safe.)
      const box = button.getBoundingClientRect();
      button.style.minWidth = `${box.width}px`;
      button.style.minHeight = `${box.height}px`;
      const text = document.createElement("span");
      text.textContent = label;
      button.replaceChildren(text);
    }
    // Disabled after the browser has read the form: a disabled button's own name and value
    // (the check-in's "Done today") would otherwise not be sent.
    window.setTimeout(() => {
      if (held.has(button)) {
        button.disabled = true;
      }
    }, 0);
    window.setTimeout(() => release(button), RELEASE_AFTER_MS);
  }

  function release(button) {
    const content = held.get(button);
    if (content === undefined) {
      return;
    }
    held.delete(button);
    button.disabled = false;
    button.removeAttribute("aria-disabled");
    button.classList.remove("is-sending");
    if (button.tagName === "BUTTON") {
      button.style.minWidth = "";
      button.style.minHeight = "";
      button.replaceChildren(...content);
    }
  }

  function sending(form) {
    return Array.from(held.keys()).some((button) => button.form === form);
  }

  function buttonFor(form, event) {
    return event.submitter || form.querySelector("[type=submit]");
  }

  function usesHtmx(form) {
    return !!form && ["hx-post", "data-hx-post", "hx-get", "data-hx-get"].some((name) =>
      form.hasAttribute(name)
    );
  }

  // Ordinary forms: after every other handler (a cancelled "are you sure?" sends nothing).
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || usesHtmx(form)) {
      return;
    }
    if (form.target || form.hasAttribute("data-submit-again")) {
      return; // opens elsewhere, or may rightly be sent again from this page
    }
    if (sending(form)) {
      event.preventDefault(); // the second press of a double click
      return;
    }
    if (!event.defaultPrevented) {
      hold(buttonFor(form, event));
    }
  });

  // htmx forms send without leaving the page: held from the request until its answer.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    if (sending(form)) {
      event.preventDefault();
      return;
    }
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    hold((trigger && trigger.submitter) || form.querySelector("[type=submit]"));
  });
  document.addEventListener("htmx:afterRequest", () => {
    Array.from(held.keys())
      .filter((button) => !button.isConnected || usesHtmx(button.form))
      .forEach(release);
  });

  // Back to a page kept in the back/forward cache: its buttons work again.
  window.addEventListener("pageshow", () => {
    Array.from(held.keys()).forEach(release);
  });
})();
