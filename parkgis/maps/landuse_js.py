"""The land-use map's page code: the theme switcher and its styles.

The script reads the ``<script type="application/json">`` block of the ``LanduseThemes``
:class:`parkgis.maps.page.PageData` (theme keys and labels, serialised with
:func:`parkgis.maps.safe.js_literal`); labels reach the page only through
``textContent``. Each parcel carries ``c_<theme>`` colours (checked ``#rrggbb`` values);
switching restyles the one parcel layer and shows that theme's legend section (the
legend's sections are in theme order). It exposes ``window.parkgisLanduse``
(``show(theme)``, ``current()``, ``themes()``) for scripts and tests.

When the parcels come from vector tiles (``D.tiled``: the layer key and, per theme, the
tile property and colour table), switching calls ``window.parkgisTiles.restyle`` instead,
and popups and hover are the tile layer's own (:mod:`parkgis.maps.tiles_js`); the layer
placeholder is then ``null``.
"""

CSS = """
<style>
.pg-lu-themes {background: rgba(255,255,255,.95); padding: 6px 8px; border-radius: 6px;
  font: 13px/1.35 system-ui, "Noto Sans CJK SC", sans-serif;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 220px;}
.pg-lu-themes b {display: block; margin-bottom: 3px;}
.pg-lu-themes label {display: flex; gap: 5px; align-items: center; cursor: pointer;
  margin: 2px 0;}
@media (max-width: 480px) {
  .pg-lu-themes {max-width: 150px; font-size: 12px;}
  .parkgis-legend {max-width: 200px; max-height: 38vh; font-size: 12px;}
}
</style>
"""

SCRIPT = """
(function () {
  var map = __MAP__, layer = __LAYER__;
  var D = JSON.parse(document.getElementById(__DATA_ID__).textContent);
  var keys = D.themes.map(function (th) { return th.key; });
  var current = null;
  function sections() {
    var legend = document.getElementById('parkgis-legend');
    if (!legend) { return []; }
    var heads = legend.querySelectorAll('h6'), out = [];
    for (var i = 0; i < heads.length; i++) {
      out.push([heads[i], heads[i].nextElementSibling]);
    }
    return out;
  }
  function show(key) {
    if (keys.indexOf(key) < 0) { key = keys[0]; }
    current = key;
    if (D.tiled) {
      var spec = D.tiled.themes[key];
      if (window.parkgisTiles) { window.parkgisTiles.restyle(D.tiled.layer, spec.by, spec.colors); }
    } else {
      layer.setStyle(function (f) {
        var p = (f && f.properties) || {};
        return {fillColor: p['c_' + key] || '#e9ecef'};
      });
    }
    sections().forEach(function (pair, i) {
      var on = keys[i] === key;
      pair.forEach(function (el) { if (el) { el.style.display = on ? '' : 'none'; } });
    });
    var box = document.getElementById('pg-lu-themes');
    if (box) {
      var inputs = box.querySelectorAll('input');
      for (var j = 0; j < inputs.length; j++) { inputs[j].checked = inputs[j].value === key; }
    }
    return key;
  }
  var Ctl = L.Control.extend({
    options: {position: 'topright'},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'pg-lu-themes');
      box.id = 'pg-lu-themes';
      var head = L.DomUtil.create('b', '', box);
      head.textContent = D.label;
      D.themes.forEach(function (th) {
        var label = L.DomUtil.create('label', '', box);
        var input = L.DomUtil.create('input', '', label);
        input.type = 'radio';
        input.name = 'pg-lu-theme';
        input.value = th.key;
        var span = L.DomUtil.create('span', '', label);
        span.textContent = th.label;
        L.DomEvent.on(input, 'change', function () { if (input.checked) { show(th.key); } });
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  if (keys.length > 1) { new Ctl().addTo(map); }
  function fmt(v) {
    if (typeof v === 'number') { return v.toLocaleString(undefined, {maximumFractionDigits: 2}); }
    return String(v);
  }
  function card(id) {
    var row = D.info[String(id)] || [];
    var box = document.createElement('div');
    box.className = 'parkgis-popup landuse';
    var h = document.createElement('h6');
    h.textContent = row[0] == null ? '' : String(row[0]);
    box.appendChild(h);
    var table = document.createElement('table');
    for (var i = 1; i < row.length; i++) {
      if (row[i] == null || row[i] === '') { continue; }
      var tr = document.createElement('tr');
      var th = document.createElement('th');
      th.textContent = D.fields[i];
      var td = document.createElement('td');
      td.textContent = fmt(row[i]);
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
  }
  function tip(id) {
    var row = D.info[String(id)] || [];
    var span = document.createElement('span');
    span.textContent = [row[0], row[1]].filter(function (x) { return x != null; }).join(' · ');
    return span;
  }
  if (layer) {
    layer.eachLayer(function (l) {
      var id = l.feature && l.feature.properties ? l.feature.properties.id : null;
      l.bindPopup(function () { return card(id); }, {maxWidth: 360});
      l.bindTooltip(function () { return tip(id); }, {sticky: true});
    });
  }
  function start() { show(D.first); }
  if (document.readyState === 'complete') { start(); }
  else { window.addEventListener('load', start); }
  window.parkgisLanduse = {
    show: show,
    current: function () { return current; },
    themes: function () { return keys.slice(); }
  };
})();
"""
