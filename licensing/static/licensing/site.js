// Progressive enhancement only: every page works without this file.
// On a small screen the license list's filters fold away unless some are in use, so the results come first.
document.addEventListener("DOMContentLoaded", function () {
  var filters = document.getElementById("filters");
  if (filters && !filters.hasAttribute("data-active") && window.matchMedia("(max-width: 47.99em)").matches) {
    filters.open = false;
  }
});

// The license page's "Print this record" button: shown only where a script can print (hidden otherwise).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
