// parkgis page frame: the print button, and closing the nav menu on Escape or outside clicks.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var nav = document.getElementById("pg-nav");
  if (!nav) { return; }
  document.addEventListener("click", function (e) {
    if (nav.open && !nav.contains(e.target)) { nav.open = false; }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { nav.open = false; }
  });
})();
