"""Page code of tiled layers and the zone basemap (Leaflet.VectorGrid).

Leaflet 1.9 lacks two things VectorGrid 1.3 uses (``L.DomEvent.fakeStop`` and a
position on clicked points); the script supplies both.

Each layer's settings arrive as a ``<script type="application/json">`` block (written with
:func:`parkgis.maps.safe.js_literal`). Styles come from one property (``by``) through a
colour table; a click fetches ``/api/v1/{collection}/{id}`` with the page's cookie and
fills the popup with ``textContent`` only, so no value is ever read as HTML. In a
downloaded file the layer's ``inline`` GeoJSON (simplified) is drawn instead of tiles and
the popup shows what was inlined.

A layer whose popup has no ``api`` shows the tile feature's own properties (the land-use
tiles carry the numbers the caller may see); ``hover`` names fields shown in a tooltip
under the pointer.

``window.parkgisTiles`` exposes ``ready()`` (every tiled layer has drawn its visible
tiles), ``drawn()`` (features drawn in loaded tiles), ``layers``, and ``restyle(layer, by,
colors)``, which colours a layer by another property (loaded tiles at once, later tiles as
they come; the inline form of a download too), for pages that switch themes, tests and
the bench.
"""

SCRIPT = """
(function () {
  var map = __MAP__;
  var D = JSON.parse(document.getElementById(__DATA_ID__).textContent);
  if (L.DomEvent && !L.DomEvent.fakeStop) { L.DomEvent.fakeStop = L.DomEvent.stopPropagation; }
  if (!L.Map.prototype._parkgisTilePatch) {
    // Leaflet 1.9 asks a clicked point for getLatLng(); VectorGrid's points have none.
    var fireDOM = L.Map.prototype._fireDOMEvent;
    L.Map.prototype._fireDOMEvent = function (e, type, targets) {
      var lent = [];
      (targets || []).forEach(function (t) {
        if (t.getLatLng && !t._latlng && e && e.clientX !== undefined) {
          t._latlng = this.mouseEventToLatLng(e);
          lent.push(t);
        }
      }, this);
      try { return fireDOM.call(this, e, type, targets); } finally {
        lent.forEach(function (t) { delete t._latlng; });
      }
    };
    L.Map.prototype._parkgisTilePatch = true;
  }
  var T = window.parkgisTiles = window.parkgisTiles || {layers: {}, pending: {}, restylers: {},
    restyle: function (name, by, colors) {
      if (T.restylers[name]) { T.restylers[name](by, colors); }
    },
    ready: function () {
      for (var k in T.pending) { if (T.pending[k]) { return false; } }
      return Object.keys(T.layers).length > 0;
    },
    drawn: function () {
      var n = 0;
      for (var k in T.layers) {
        var l = T.layers[k];
        if (l._vectorTiles) {
          for (var t in l._vectorTiles) {
            n += Object.keys(l._vectorTiles[t]._features || {}).length;
          }
        } else if (l.getLayers) { n += l.getLayers().length; }
      }
      return n;
    }};
  function styleOf(p) {
    var s = {};
    for (var k in D.style) { s[k] = D.style[k]; }
    if (D.by && p && D.colors[p[D.by]] !== undefined) {
      s.fillColor = D.colors[p[D.by]];
      if (D.line) { s.color = D.colors[p[D.by]]; }
    }
    if (D.point) { s.radius = s.radius || 5; s.fill = true; }
    return s;
  }
  function show(v, field) {
    if (v === null || v === undefined || v === '') { return null; }
    var labels = (D.popup && D.popup.values[field]) || {};
    if (labels[v] !== undefined) { return labels[v]; }
    if (typeof v === 'boolean') { return v ? '\\u2713' : '\\u2717'; }
    if (typeof v === 'number') { return v.toLocaleString(undefined, {maximumFractionDigits: 2}); }
    if (typeof v === 'object') { return JSON.stringify(v); }
    return String(v);
  }
  function card(p) {
    var box = document.createElement('div');
    box.className = 'parkgis-popup ' + (D.popup.css || '');
    var h = document.createElement('h6');
    h.textContent = show(p[D.popup.title], D.popup.title) || ('#' + p.id);
    box.appendChild(h);
    var table = document.createElement('table');
    D.popup.rows.forEach(function (row) {
      var v = show(p[row[0]], row[0]);
      if (v === null) { return; }
      var tr = document.createElement('tr');
      var th = document.createElement('th'); th.textContent = row[1];
      var td = document.createElement('td'); td.textContent = v;
      tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function open(latlng, props) {
    if (!D.popup || !props || props.id === undefined || !latlng) { return; }
    var pop = L.popup({maxWidth: 360}).setLatLng(latlng);
    if (D.inline || !D.popup.api) { pop.setContent(card(props)).openOn(map); return; }
    var wait = document.createElement('div');
    wait.className = 'parkgis-popup loading';
    wait.textContent = D.popup.loading;
    pop.setContent(wait).openOn(map);
    fetch(D.popup.api + encodeURIComponent(props.id), {credentials: 'same-origin',
      headers: {'Accept': 'application/json'}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (f) { pop.setContent(card(f.properties || f)); })
      .catch(function () { wait.textContent = D.popup.error; });
  }
  if (D.pane && !map.getPane(D.pane)) {
    map.createPane(D.pane);
    map.getPane(D.pane).style.zIndex = 250;
  }
  var layer;
  if (!D.inline && location.protocol === 'file:') { return; }  // a download: no tile server
  if (D.inline && D.sublayers) {
    layer = L.featureGroup();
    for (var sub in D.sublayers) {
      if (!D.inline[sub]) { continue; }
      (function (spec, fc) {
        L.geoJSON(fc, {
          pane: D.pane || 'overlayPane',
          interactive: false,
          style: function (f) {
            var o = {};
            for (var k in spec.style) { o[k] = spec.style[k]; }
            var p = f.properties || {};
            if (spec.by && spec.colors[p[spec.by]] !== undefined) {
              o.color = spec.colors[p[spec.by]]; o.fillColor = o.color;
            }
            return o;
          },
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, {radius: 3, color: '#868e96', weight: 1});
          }
        }).addTo(layer);
      })(D.sublayers[sub], D.inline[sub]);
    }
  } else if (D.inline) {
    layer = L.geoJSON(D.inline, {
      style: function (f) { return styleOf(f.properties); },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, styleOf(f.properties)); },
      interactive: !!(D.popup || D.hover)
    });
    layer.on('click', function (e) { open(e.latlng, e.layer.feature.properties); });
  } else {
    var styles = {};
    styles[D.layer] = function (p) { return styleOf(p); };
    if (D.sublayers) {
      for (var name in D.sublayers) {
        (function (sub) {
          styles[name] = function (p) {
            var o = {};
            for (var k in sub.style) { o[k] = sub.style[k]; }
            if (sub.by && p && sub.colors[p[sub.by]] !== undefined) {
              o.color = sub.colors[p[sub.by]];
              o.fillColor = o.color;
            }
            return o;
          };
        })(D.sublayers[name]);
      }
    }
    layer = L.vectorGrid.protobuf(D.url, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: !!(D.popup || D.hover),
      getFeatureId: function (f) { return f.properties.id; },
      // No minZoom/maxZoom here: a grid layer's zoom range changes the map's own and
      // would race the first fitBounds. Below a layer's minimum zoom tiles are 204.
      // (VectorGrid 1.3 ignores zoomOffset in its URLs, so 512-pixel tiles are no option.)
      pane: D.pane || 'overlayPane',
      attribution: D.attribution || ''
    });
    T.pending[D.layer] = true;
    layer.on('loading', function () { T.pending[D.layer] = true; });
    layer.on('load', function () { T.pending[D.layer] = false; });
    // VectorGrid's canvas fires feature clicks without a position: keep the last one.
    var lastClick = null;
    map.getContainer().addEventListener('click', function (ev) {
      lastClick = map.mouseEventToLatLng(ev);
    }, true);
    layer.on('click', function (e) {
      open(e.latlng || lastClick, e.layer && e.layer.properties);
    });
  }
  if (D.hover && D.hover.length && !D.sublayers) {
    var tip = L.tooltip({sticky: true, direction: 'top', offset: [0, -6]});
    var lastMove = null;
    map.getContainer().addEventListener('mousemove', function (ev) {
      lastMove = map.mouseEventToLatLng(ev);
    }, true);
    var tipText = function (p) {
      var span = document.createElement('span');
      span.textContent = D.hover.map(function (f) { return show(p[f], f); })
        .filter(function (v) { return v !== null; }).join(' \u00b7 ');
      return span;
    };
    var propsOf = function (e) {
      var l = e.layer || {};
      return l.properties || (l.feature && l.feature.properties) || null;
    };
    layer.on('mouseover mousemove', function (e) {
      var p = propsOf(e), at = e.latlng || lastMove;
      if (!p || !at) { return; }
      if (e.type === 'mouseover' || !map.hasLayer(tip)) { tip.setContent(tipText(p)); }
      tip.setLatLng(at);
      if (!map.hasLayer(tip)) { map.openTooltip(tip); }
    });
    layer.on('mouseout', function () { map.closeTooltip(tip); });
  }
  T.restylers[D.layer] = function (by, colors) {
    D.by = by;
    D.colors = colors || {};
    if (layer.setStyle && !layer._vectorTiles) {
      layer.setStyle(function (f) { return styleOf(f.properties); });
      return;
    }
    for (var key in layer._vectorTiles || {}) {
      var tile = layer._vectorTiles[key];
      for (var id in tile._features) {
        var item = tile._features[id];
        layer._updateStyles(item.feature, tile, styleOf(item.feature.properties));
      }
    }
  };
  if (D.inline && D.note) {
    var legend = document.getElementById('parkgis-legend');
    if (legend) {
      var note = document.createElement('div');
      note.className = 'note';
      note.textContent = D.note;
      legend.appendChild(note);
    }
  }
  T.layers[D.layer] = layer;
  layer.addTo(map);
  if (D.name) {  // into the layer control, which the page creates after this script
    // Folium declares the control with `let` (not a window property): record every
    // layer control as it is made.
    if (!L.Control.Layers._parkgisMade) {
      L.Control.Layers._parkgisMade = [];
      L.Control.Layers.addInitHook(function () { L.Control.Layers._parkgisMade.push(this); });
    }
    setTimeout(function () {
      var made = L.Control.Layers._parkgisMade.slice();
      for (var k in window) { made.push(window[k]); }
      for (var i = 0; i < made.length; i++) {
        var c = made[i];
        if (c instanceof L.Control.Layers && c._map === map) {
          c.addOverlay(layer, D.name);
          break;
        }
      }
    }, 0);
  }
})();
"""
