// The repair order form, enhanced: the device list filters as you type, the price follows the
// chosen device and service level, and a field checked by htmx says so to screen readers (aria-invalid). Without
// this file the form works the same, through ?q= searches and full-page checks.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  var search = document.getElementById("id_q");
  var searchForm = document.getElementById("model-search");
  var list = document.getElementById("models");
  var count = document.getElementById("models-count");
  var price = document.getElementById("price");
  if (!form || !list) return;

  function filter() {
    var words = (search.value || "").toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    list.querySelectorAll("label[data-search]").forEach(function (label) {
      var text = label.getAttribute("data-search");
      var radio = label.querySelector("input");
      var match = words.every(function (w) { return text.indexOf(w) !== -1; }) || (radio && radio.checked);
      label.hidden = !match;
      if (match) shown += 1;
    });
    if (count) {
      count.textContent = words.length ? shown + (shown === 1 ? " model matches." : " models match.") : "";
    }
  }

  if (search) {
    search.addEventListener("input", filter);
    // With the list filtering as you type there is nothing to reload for (and nothing to lose).
    searchForm.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
  }

  // Prices come formatted by the page (the shop's currency, as everywhere): nothing is reckoned here.
  var payDiagnosis = document.getElementById("pay-diagnosis");
  var payPostage = document.getElementById("pay-postage");
  list.addEventListener("change", function (event) {
    var radio = event.target;
    if (!price || !radio.matches("input[name=model]")) return;
    price.textContent = "";
    price.append("Diagnosis for the " + radio.getAttribute("data-name") + ": ");
    var amount = document.createElement("strong");
    amount.textContent = radio.getAttribute("data-money");
    price.append(amount);
    if (payDiagnosis) payDiagnosis.textContent = " (" + radio.getAttribute("data-money") + ")";
  });
  form.addEventListener("change", function (event) {
    var radio = event.target;
    if (!payPostage || !radio.matches("input[name=service_level]")) return;
    payPostage.textContent = radio.getAttribute("data-name") + ": " + radio.getAttribute("data-money");
  });

  // When htmx swaps a field's error in (or out), mark the field (in)valid to match. A mutation
  // observer sees every swap, whatever element htmx fired its events on.
  function sync() {
    form.querySelectorAll(".error[data-field]").forEach(function (error) {
      var bad = error.textContent.trim() !== "";
      form.querySelectorAll("[name='" + error.getAttribute("data-field") + "']").forEach(function (input) {
        if (bad) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }
  new MutationObserver(sync).observe(form, { childList: true, subtree: true, characterData: true });
})();
