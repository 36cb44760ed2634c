// Keyboard navigation for the console's queues: j/k or the arrow keys move between rows, Enter
// opens the selected case, "/" jumps to the search box. Progressive enhancement: every row is a
// plain link and the filters a plain form, so the page works the same without this file.
(function () {
  "use strict";
  var selected = null; // the reference of the selected row, kept across the live refresh

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table[data-queue] tbody tr[data-row]"));
  }

  function linkOf(row) {
    return row.querySelector("th a");
  }

  function select(row) {
    rows().forEach(function (r) { r.removeAttribute("aria-selected"); });
    if (!row) { selected = null; return; }
    row.setAttribute("aria-selected", "true");
    var link = linkOf(row);
    selected = link ? link.textContent : null;
    if (link) { link.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var at = all.findIndex(function (r) { return r.getAttribute("aria-selected") === "true"; });
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !document.querySelector("table[data-queue]")) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    if (event.key === "j" || event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var row = rows().find(function (r) { return r.getAttribute("aria-selected") === "true"; });
      if (row && linkOf(row)) { window.location.assign(linkOf(row).href); event.preventDefault(); }
    } else if (event.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { search.focus(); search.select(); event.preventDefault(); }
    }
  });

  // After the live refresh swaps the table in, keep the same case selected.
  document.addEventListener("htmx:afterSwap", function () {
    if (!selected) { return; }
    var again = rows().find(function (r) { var l = linkOf(r); return l && l.textContent === selected; });
    if (!again) { return; }
    again.setAttribute("aria-selected", "true");
    if (document.activeElement === document.body) { linkOf(again).focus({ preventScroll: true }); }
  });
})();
