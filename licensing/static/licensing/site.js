// Progressive enhancement only: every page works without this file.
// On a small screen the license list's filters fold away unless some are in use, so the results come first.
document.addEventListener("DOMContentLoaded", function () {
  var filters = document.getElementById("filters");
  if (filters && !filters.hasAttribute("data-active") && window.matchMedia("(max-width: 47.99em)").matches) {
    filters.open = false;
  }
});
