// parkgis maps on small screens: fold the legend and the layer list (tap to open), hide the
// zoom buttons (pinch instead), and never show a tooltip on top of an open popup.
(function () {
  var small = window.matchMedia("(max-width: 640px)").matches;
  var maps = Object.values(window).filter(function (v) { return window.L && v instanceof L.Map; });
  maps.forEach(function (map) {
    map.on("popupopen", function (e) {
      var src = e.popup && e.popup._source;
      if (src && src.closeTooltip) { src.closeTooltip(); }
    });
  });
  if (!small) { return; }
  document.querySelectorAll(".parkgis-legend").forEach(function (legend) {
    legend.classList.add("pg-folded");
    var head = legend.querySelector("h5") || legend;
    head.setAttribute("role", "button");
    head.setAttribute("tabindex", "0");
    head.addEventListener("click", function () { legend.classList.toggle("pg-folded"); });
  });
  var EXPANDED = "leaflet-control-layers-expanded";
  document.querySelectorAll(".leaflet-control-layers").forEach(function (box) {
    box.classList.remove(EXPANDED);
    box.addEventListener("click", function (e) {
      if (!box.classList.contains(EXPANDED)) { e.preventDefault(); box.classList.add(EXPANDED); }
      e.stopPropagation();
    });
  });
  maps.forEach(function (map) {
    map.on("click", function () {
      document.querySelectorAll(".leaflet-control-layers").forEach(function (box) {
        box.classList.remove(EXPANDED);
      });
    });
  });
})();
