// Approve / Decline ask "are you sure?" in a dialog on the page instead of a second page.
// Without JavaScript (or without <dialog>) the same buttons open the confirmation page.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    var dialog = document.getElementById(form.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      dialog.showModal();
    });
  });
  // A double click on "Yes" sends one answer; the server refuses a second one anyway.
  document.querySelectorAll("dialog.confirm form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-close")) { return; }
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
