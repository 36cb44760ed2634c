// Scan station: keep the code box ready for the next scan. The page already has `autofocus`;
// this also covers a page restored from the back/forward cache, and selects any code left in it,
// so a barcode scanner (a keyboard that types the code and Enter) can scan again at once.
(function () {
  "use strict";
  function ready() {
    var box = document.getElementById("id_code");
    if (!box) return;
    box.focus();
    box.select();
  }
  window.addEventListener("pageshow", ready);
  document.addEventListener("DOMContentLoaded", ready);
})();
