// The admin's language switch changes language as soon as one is chosen (without script: its button).
"use strict";
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
