// The customer's actions: what can't be undone asks "are you sure?" in a dialog on the page instead
// of on a second page, and a double click sends an action once. Without JavaScript (or without
// <dialog>) the same buttons open the confirmation page; the server acts once whatever is sent.
(function () {
  "use strict";
  document.querySelectorAll("form[data-act-confirm]").forEach(function (form) {
    var dialog = document.getElementById(form.getAttribute("data-act-confirm"));
    var confirm = form.querySelector("input[name=confirm]");
    if (!dialog || !confirm || typeof dialog.showModal !== "function") { return; }
    form.addEventListener("submit", function (event) {
      if (confirm.value === "yes") { return; }
      event.preventDefault();
      dialog.showModal();
    });
    dialog.querySelector("[data-no]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-yes]").addEventListener("click", function (event) {
      if (form.dataset.sent) { return; }
      form.dataset.sent = "1";
      event.currentTarget.disabled = true;
      confirm.value = "yes";
      form.submit();
    });
  });
  document.querySelectorAll("form.act").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
