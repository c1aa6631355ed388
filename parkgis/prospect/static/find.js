/* /find: map of the results, map click sets the place, compare, hold and shortlist. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("find-data").textContent);
  var el = document.getElementById("map");
  var map = L.map(el, {maxZoom: 19});
  window.parkgisFindMap = map;
  if (el.dataset.tiles) {
    var opts = {attribution: el.dataset.attribution, maxZoom: 19};
    if (el.dataset.subdomains) { opts.subdomains = el.dataset.subdomains; }
    L.tileLayer(el.dataset.tiles, opts).addTo(map);
  }
  L.control.scale({imperial: false}).addTo(map);
  var bounds = null;
  function addLayer(fc, near) {
    if (!fc || !fc.features || !fc.features.length) { return; }
    var layer = L.geoJSON(fc, {
      style: function () {
        return near ? {color: "#868e96", weight: 1, dashArray: "4", fillOpacity: 0.2}
                    : {color: "#c92a2a", weight: 2, fillColor: "#fa5252", fillOpacity: 0.45};
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties || {};
        lyr.bindTooltip((near ? "~" : "") + p.rank + ". " + String(p.code || p.id));
        lyr.on("click", function () {
          var li = document.querySelector('[data-site="' + p.kind + ":" + p.id + '"]');
          if (li) { li.scrollIntoView({behavior: "smooth", block: "center"}); }
        });
      }
    }).addTo(map);
    var b = layer.getBounds();
    bounds = bounds ? bounds.extend(b) : b;
  }
  addLayer(data.features, false);
  addLayer(data.near_misses, true);
  var lon = document.getElementById("near_lon"), lat = document.getElementById("near_lat");
  var pin = null;
  function setPin(ll) {
    if (pin) { pin.setLatLng(ll); } else { pin = L.circleMarker(ll, {radius: 7, color: "#1c7ed6"}).addTo(map); }
  }
  if (lon.value && lat.value && data.origin_display) { setPin([data.origin_display[1], data.origin_display[0]]); }
  if (bounds && bounds.isValid()) { map.fitBounds(bounds, {padding: [16, 16]}); }
  else if (data.view) { map.fitBounds([[data.view[1], data.view[0]], [data.view[3], data.view[2]]]); }
  else { map.setView([23.33, 112.7], 13); }
  map.on("click", function (e) {
    /* the map shows GCJ-02 on AMap: the server takes WGS84, so undo the shift roughly */
    var ll = e.latlng, dlon = data.shift ? data.shift[0] : 0, dlat = data.shift ? data.shift[1] : 0;
    lon.value = (ll.lng - dlon).toFixed(6);
    lat.value = (ll.lat - dlat).toFixed(6);
    setPin(ll);
  });
  var csrf = document.querySelector('meta[name="csrf-token"]');
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : ""},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return {ok: r.ok, body: j}; });
    });
  }
  document.querySelectorAll("button.hold").forEach(function (b) {
    b.addEventListener("click", function () {
      var out = b.nextElementSibling;
      var who = (document.getElementById("prospect") || {}).value || data.holder || "prospect";
      var body = {holder: who, days: data.hold_days};
      body[b.dataset.kind + "_id"] = parseInt(b.dataset.id, 10);
      b.disabled = true;
      post("/api/v1/reservations", body).then(function (r) {
        out.textContent = r.ok ? data.labels.held + " → " + r.body.expires_at.slice(0, 10)
                               : (r.body.description || "error");
        if (!r.ok) { b.disabled = false; }
      });
    });
  });
  function picked() {
    return Array.prototype.map.call(document.querySelectorAll("input.pick:checked"),
      function (c) { return c.value; });
  }
  var cmp = document.getElementById("compare-btn");
  if (cmp) {
    cmp.addEventListener("click", function () {
      var s = picked();
      if (s.length < 2 || s.length > 4) {
        document.getElementById("compare-out").textContent = data.labels.compare_hint; return;
      }
      document.getElementById("compare-sites").value = s.join(",");
      document.getElementById("compare").submit();
    });
  }
  var sl = document.getElementById("shortlist-btn");
  if (sl) {
    sl.addEventListener("click", function () {
      var out = document.getElementById("shortlist-out");
      var s = picked();
      var who = document.getElementById("prospect").value.trim();
      post("/api/v1/shortlists", {sites: s, prospect: who, lang: data.lang}).then(function (r) {
        out.textContent = "";
        if (r.ok) {
          var a = document.createElement("a");
          a.href = r.body.url; a.id = "shortlist-link"; a.textContent = location.origin + r.body.url;
          out.appendChild(a);
        } else {
          out.textContent = (r.body.field ? r.body.field + ": " : "") + (r.body.description || "error");
        }
      });
    });
  }
}());
