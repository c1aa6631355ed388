"""The coverage map's page code: the officer filter control and its styles.

The script reads a ``<script type="application/json">`` block written by
the ``OfficerFilter`` :class:`parkgis.maps.page.PageData` (serialised with
:func:`parkgis.maps.safe.js_literal`, so no ``</script>`` can end it); officer names go into
the page only through ``textContent``, never as HTML. It exposes
``window.parkgisCoverage`` (``select(id)``, ``territories()``, ``firms()``: counts of
what is shown) for scripts and tests.
"""

CSS = """
<style>
.pg-cov-filter {background: rgba(255,255,255,.95); padding: 6px 8px; border-radius: 6px;
  font: 13px/1.3 system-ui, "Noto Sans CJK SC", sans-serif; box-shadow: 0 1px 5px rgba(0,0,0,.35);}
.pg-cov-filter label {display: block; font-weight: 600; margin-bottom: 3px;}
.pg-cov-filter select {max-width: 240px;}
.pg-cov-filter a.pg-cov-route {display: none; margin-top: 4px; color: #0b5394;}
.pg-stop {background: #1864ab; color: #fff; border-radius: 50%; text-align: center;
  font: bold 12px/22px system-ui, sans-serif; border: 2px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,.5);}
</style>
"""

SCRIPT = """
(function () {
  var map = __MAP__, terr = __TERR__, firms = __FIRMS__;
  var D = JSON.parse(document.getElementById(__DATA_ID__).textContent);
  function collect(group) {
    var out = [];
    group.eachLayer(function (l) { out.push(l); });
    return out;
  }
  var allTerr = collect(terr), allFirms = collect(firms), shown = {t: allTerr.length,
    f: allFirms.length};
  function owns(l, id) {
    var p = (l.feature && l.feature.properties) || {};
    if (p.officer_id != null) { return String(p.officer_id) === id; }
    var ids = p.officer_ids || [];
    for (var k = 0; k < ids.length; k++) { if (String(ids[k]) === id) { return true; } }
    return false;
  }
  function apply(group, layers, id) {
    var n = 0;
    layers.forEach(function (l) {
      var on = id === '' || owns(l, id);
      if (on) { n++; if (!group.hasLayer(l)) { group.addLayer(l); } }
      else if (group.hasLayer(l)) { group.removeLayer(l); }
    });
    return n;
  }
  function select(id) {
    id = id == null ? '' : String(id);
    shown.t = apply(terr, allTerr, id);
    shown.f = apply(firms, allFirms, id);
    return shown;
  }
  function zoomTo(id) {
    var shownLayers = [];
    [terr, firms].forEach(function (g) { g.eachLayer(function (l) { shownLayers.push(l); }); });
    if (!id || !shownLayers.length) { return; }
    var b = L.featureGroup(shownLayers).getBounds();
    if (b.isValid()) { map.fitBounds(b, {maxZoom: 16, padding: [24, 24]}); }
  }
  var Ctl = L.Control.extend({
    options: {position: 'topright'},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'pg-cov-filter');
      var label = L.DomUtil.create('label', '', box);
      label.textContent = D.label;
      label.htmlFor = 'pg-cov-officer';
      var sel = L.DomUtil.create('select', '', box);
      sel.id = 'pg-cov-officer';
      var all = document.createElement('option');
      all.value = '';
      all.textContent = D.all;
      sel.appendChild(all);
      D.officers.forEach(function (o) {
        var opt = document.createElement('option');
        opt.value = String(o.id);
        opt.textContent = o.name;
        opt.lang = 'zh-CN';  // a person's name
        if (String(o.id) === String(D.current || '')) { opt.selected = true; }
        sel.appendChild(opt);
      });
      var route = L.DomUtil.create('a', 'pg-cov-route', box);
      route.textContent = D.route;
      route.id = 'pg-cov-route';
      function offerRoute(id) {
        if (!id || location.protocol === 'file:') { route.style.display = 'none'; return; }
        var url = new URL(location.href);
        url.searchParams.set('officer_id', id);
        url.searchParams.set('route', '1');
        url.searchParams.delete('download');
        route.href = url.toString();
        route.style.display = 'block';
      }
      offerRoute(D.current ? String(D.current) : '');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(sel, 'change', function () {
        select(sel.value);
        zoomTo(sel.value);
        offerRoute(sel.value);
      });
      return box;
    }
  });
  if (D.officers.length > 1) { new Ctl().addTo(map); }
  window.parkgisCoverage = {
    select: select,
    territories: function () { return shown.t; },
    firms: function () { return shown.f; }
  };
})();
"""
