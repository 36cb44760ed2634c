// Progressive enhancement for the case view's reply form: show only the field the chosen kind of
// reply uses. Without JavaScript both fields show and the server ignores the one not chosen.
(function () {
  "use strict";
  var form = document.querySelector("form.reply-form");
  if (!form) { return; }
  var template = form.querySelector(".reply-template-field");
  var own = form.querySelector(".reply-own-field");
  function sync() {
    var chosen = form.querySelector("input[name=mode]:checked");
    var mine = chosen && chosen.value === "own";
    template.hidden = mine;
    own.hidden = !mine;
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "mode") { sync(); }
  });
  sync();
})();
