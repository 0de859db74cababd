// Kesu's only script of its own: behaviour that would otherwise be an inline event handler, which
// the Content-Security-Policy (script-src 'self') forbids. Keep it small; htmx does the rest.
"use strict";

// <select data-autosubmit>: submit its form on change (the language switch).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
