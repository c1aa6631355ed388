"""The battle map's page code: CSS and the script that draws projects from the JSON data.

The script reads the ``<script type="application/json">`` block written by
the ``ProjectBoard`` :class:`parkgis.maps.page.PageData`. Every text in it was HTML-escaped on the
server (:func:`parkgis.maps.safe.safe_text`), so the script may put it into popups as
HTML; numbers and ISO dates are formatted here. Row layout: see ``ROW`` in
:mod:`parkgis.maps.projects`.

It exposes ``window.parkgisProjects`` (``setFrame(i)``, ``frames``, ``count()``,
``visible()``, ``late()``, ``open(id)``) for scripts and tests.
"""

CSS = """
<style>
.pg-proj-icon {background: none; border: 0;}
.pg-proj {width: 100%; height: 100%; border-radius: 50%; border: 2px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,.45); box-sizing: border-box; position: relative;
  opacity: .92;}
.pg-proj.pg-late {box-shadow: 0 0 0 3px #e31a1c, 0 0 6px 3px rgba(227,26,28,.55);}
.pg-badge {position: absolute; top: -9px; right: -9px; width: 15px; height: 15px;
  line-height: 15px; border-radius: 50%; background: #c92a2a; color: #fff; font: bold 11px
  system-ui, sans-serif; text-align: center; box-shadow: 0 0 0 1px #fff;}
.pg-cluster {background: rgba(60,60,60,.22); border-radius: 50%;}
.pg-cluster div {width: 30px; height: 30px; margin: 5px; border-radius: 50%; background: #fff;
  border: 2px solid #444; box-sizing: border-box; text-align: center;
  font: bold 12px/26px system-ui, sans-serif; color: #222;}
.pg-cluster.pg-cluster-has-late div {border-color: #e31a1c;}
.pg-cluster-late {position: absolute; top: -6px; right: -6px; min-width: 16px; height: 16px;
  padding: 0 3px; border-radius: 8px; background: #c92a2a; color: #fff;
  font: bold 10px/16px system-ui, sans-serif; text-align: center;}
.pg-late-text {color: #c92a2a; font-weight: 600;}
.pg-slider {background: rgba(255,255,255,.95); padding: 6px 10px; border-radius: 6px;
  font: 12px/1.3 system-ui, "Noto Sans CJK SC", sans-serif; min-width: 260px;}
.pg-slider input {width: 100%; margin: 4px 0;}
.pg-slider .pg-frame {font-weight: 600;}
.pg-slider .pg-note {color: #666;}
.pg-chips {display: flex; flex-wrap: wrap; gap: 3px; margin-top: 3px;}
.pg-chip {padding: 0 4px; border-radius: 3px; color: #fff; font-size: 11px;}
.parkgis-popup a.pg-timeline {display: inline-block; margin-top: 6px;}
</style>
"""

SCRIPT = """
(function () {
  var map = __MAP__, markersLayer = __MARKERS__, parcelsLayer = __PARCELS__;
  var D = JSON.parse(document.getElementById(__DATA_ID__).textContent);
  var S = D.stages, CODE = D.codes, T = D.labels, NOW = D.frames.length - 1;
  var R = D.row, items = [];

  function fmt(v) {
    return v == null ? '\\u2014' : (Math.round(v * 100) / 100).toLocaleString('en-US');
  }
  function money(yi) {  // 亿元 in Chinese, CNY million in English
    if (yi == null) { return '\\u2014'; }
    return D.en ? 'CNY ' + fmt(yi * 100) + ' ' + T.yi : fmt(yi) + ' ' + T.yi;
  }
  function size(yi) {
    return Math.round(Math.min(12 + 5 * Math.sqrt(Math.max(yi || 0, 0)), 44));
  }
  function isLate(p, current) { return current && p[R.overdue] > 0; }
  function icon(p, code, current) {
    var st = S[CODE[code]], late = isLate(p, current), d = size(p[R.yi]);
    return L.divIcon({
      className: 'pg-proj-icon', iconSize: [d, d],
      html: '<div class="pg-proj' + (late ? ' pg-late' : '') + '" data-stage="' + st.key +
        '" style="background:' + st.color + '">' + (late ? '<b class="pg-badge">!</b>' : '') +
        '</div>'
    });
  }
  function polyStyle(p, code, current) {
    var st = S[CODE[code]], late = isLate(p, current);
    return {color: late ? D.overdue_color : st.color, weight: late ? 3 : 1.5,
            dashArray: late ? '6 4' : null, fillColor: st.color, fillOpacity: 0.35};
  }
  function row(k, v) {
    return v == null || v === '' ? '' : '<tr><th>' + k + '</th><td>' + v + '</td></tr>';
  }
  function popup(p) {
    var st = S[CODE[p[R.stage]]], next = '\\u2014';
    if (p[R.next] != null) {
      next = S[p[R.next]].label + (p[R.planned] ? ' \\u00b7 ' + p[R.planned] : '');
      if (p[R.late] > 0) {
        next += ' \\u00b7 <span class="pg-late-text">' +
          T.late.replace('{n}', p[R.late]) + '</span>';
      } else if (p[R.left] != null) {
        next += ' \\u00b7 ' + T.left.replace('{n}', p[R.left]);
      }
    }
    var officer = p[R.officer] == null ? null : D.officers[p[R.officer]];
    return '<div class="parkgis-popup project"><h6>' + p[R.name] + '</h6><table>' +
      row(T.firm, p[R.firm]) + row(T.investment, money(p[R.yi])) +
      row(T.stage, '<span style="color:' + st.color + '">\\u25cf</span> ' + st.label) +
      row(T.reason, p[R.reason]) + row(T.next, next) + row(T.officer, officer) +
      '</table><a class="pg-timeline" target="_blank" rel="noopener" href="' + D.link_base +
      '/projects/' + p[R.id] + '/timeline">' + T.timeline + '</a></div>';
  }

  D.projects.forEach(function (p) {
    var it = {p: p, m: L.marker([p[R.lat], p[R.lon]], {keyboard: false})};
    it.m.bindPopup(function () { return popup(p); }, {maxWidth: 360});
    var shape = p[R.parcel] == null ? null : D.parcels[p[R.parcel]];
    if (shape) {
      it.poly = L.polygon(L.GeoJSON.coordsToLatLngs(shape, 2),
                          polyStyle(p, p[R.hist].charAt(NOW), true));
      it.poly.bindPopup(function () { return popup(p); }, {maxWidth: 360});
    }
    items.push(it);
  });

  var chips = null, label = null, shown = 0;
  function setFrame(i) {
    i = Math.max(0, Math.min(NOW, i | 0));
    var current = i === NOW, visible = [], counts = {};
    markersLayer.clearLayers();
    items.forEach(function (it) {
      var code = it.p[R.hist].charAt(i);
      if (code === '-') {
        if (it.poly && parcelsLayer.hasLayer(it.poly)) { parcelsLayer.removeLayer(it.poly); }
        return;
      }
      counts[code] = (counts[code] || 0) + 1;
      it.m.pgLate = isLate(it.p, current);
      it.m.setIcon(icon(it.p, code, current));
      visible.push(it.m);
      if (it.poly) {
        it.poly.setStyle(polyStyle(it.p, code, current));
        if (!parcelsLayer.hasLayer(it.poly)) { parcelsLayer.addLayer(it.poly); }
      }
    });
    markersLayer.addLayers(visible);
    shown = visible.length;
    if (label) {
      label.innerHTML = '<span class="pg-frame">' + D.frames[i] + '</span> \\u00b7 ' +
        T.count.replace('{n}', shown) +
        (current ? '' : ' <span class="pg-note">' + T.history + '</span>');
    }
    if (chips) {
      chips.innerHTML = S.map(function (st) {
        var n = counts[st.code] || 0;
        if (!n) { return ''; }
        return '<span class="pg-chip" data-stage="' + st.key + '" style="background:' +
          st.color + ';color:' + st.text + '">' + st.label + ' ' + n + '</span>';
      }).join('');
    }
  }

  var Slider = L.Control.extend({
    options: {position: 'bottomright'},
    onAdd: function () {
      var div = L.DomUtil.create('div', 'pg-slider leaflet-bar');
      div.innerHTML = '<div>' + T.slider + '</div><input type="range" min="0" max="' + NOW +
        '" step="1" value="' + NOW + '" aria-label="' + T.slider + '">' +
        '<div class="pg-slider-label"></div><div class="pg-chips"></div>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  var ctl = new Slider();
  ctl.addTo(map);
  var box = ctl.getContainer(), input = box.querySelector('input');
  label = box.querySelector('.pg-slider-label');
  chips = box.querySelector('.pg-chips');
  input.addEventListener('input', function () { setFrame(+input.value); });
  setFrame(NOW);
  window.parkgisProjects = {
    setFrame: function (i) { input.value = i; setFrame(i); },
    frames: D.frames,
    count: function () { return items.length; },
    visible: function () { return shown; },
    late: function () {
      return items.filter(function (x) { return x.m.pgLate && markersLayer.hasLayer(x.m); }).length;
    },
    open: function (id) {
      var it = items.filter(function (x) { return x.p[R.id] === id; })[0];
      if (!it || !markersLayer.hasLayer(it.m)) { return false; }
      markersLayer.zoomToShowLayer(it.m, function () { it.m.openPopup(); });
      return true;
    }
  };
})();
"""
