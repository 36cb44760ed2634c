// While a card payment is being checked, ask every few seconds and reload once it is decided.
// Progressive only: without JavaScript the panel asks the customer to reload.
(function () {
  "use strict";
  var panel = document.querySelector("[data-pay-status]");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-pay-status");
  var every = 1000 * (parseInt(panel.getAttribute("data-pay-every"), 10) || 5);
  var tries = 0;
  function ask() {
    tries += 1;
    if (tries > 120) { return; }  // ten minutes: after that the reload hint on the page stands
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : { checking: true }; })
      .then(function (answer) {
        if (answer.checking) { window.setTimeout(ask, every); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(ask, every); });
  }
  window.setTimeout(ask, every);
})();
