// The officer's workbench (/me): log visits with a check-in point, and keep them when offline.
// Programme activities (briefings, volunteer service, ledger reviews: form.queued-form, posted
// to the form's action, /me/activities) go through the same queue, with the same key rule.
//
// A visit is put in a queue in localStorage FIRST, with a client-made idempotency key, and
// then sent. It leaves the queue once the server has answered: stored, or refused for good
// (e.g. 422, shown). Signed out (401) or a stale page's token (403 on the CSRF check) keep
// it for after sign-in. With no signal the fetch fails and the visit waits; it is sent on
// the "online" event, on the next page load, and every 15 s. The server stores a key once
// (visits.client_key is unique), so a visit sent twice (lost answer, two tabs) is one row.
(function () {
  "use strict";
  var QUEUE = "parkgis.visitQueue.v1";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var statusEl = document.getElementById("queue-status");
  var geoEl = document.getElementById("geo-status");
  var here = null;
  var flushing = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); }
  function drop(key) { save(load().filter(function (x) { return x.client_key !== key; })); }

  function showQueue(text) {
    if (!statusEl) return;
    var n = load().length;
    if (text) { statusEl.textContent = text; statusEl.hidden = false; return; }
    statusEl.hidden = n === 0;
    statusEl.dataset.count = String(n);
    statusEl.textContent = (statusEl.dataset.template || "{n}").replace("{n}", String(n));
  }

  function send(item) {
    var body = {};
    Object.keys(item).forEach(function (k) { if (k !== "_to") body[k] = item[k]; });
    var to = /^\/me\/(visits|activities)$/.test(item._to || "") ? item._to : "/me/visits";
    return fetch(to, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": csrf
      },
      body: new URLSearchParams(body).toString()
    });
  }

  // Send what is queued, oldest first; stop at the first network failure.
  async function flush() {
    if (flushing) return null;
    flushing = true;
    var last = null;
    try {
      var q = load();
      for (var i = 0; i < q.length; i++) {
        var item = q[i], r;
        try { r = await send(item); } catch (e) { break; }  // still offline
        var body = null;
        try { body = await r.json(); } catch (e) { body = null; }
        if (r.status >= 500) break;                          // try again later
        var field = body && body.field;
        if (r.status === 401 || (r.status === 403 && (field === "csrf_token" || field === "Origin"))) {
          // Signed out, or the page's token is stale: keep the visit for after sign-in.
          showQueue((body && body.description) || ("HTTP " + r.status));
          return { ok: false, body: body, status: r.status };
        }
        drop(item.client_key);
        last = { ok: r.ok, body: body, status: r.status };
        if (!r.ok) {
          showQueue((body && body.description) || ("HTTP " + r.status));
          return last;
        }
      }
    } finally {
      flushing = false;
    }
    showQueue();
    return last;
  }

  function done(result) {
    if (!result || !result.ok) return;
    if (result.body && result.body.done_key) {  // an activity: the server names the message
      window.location.assign("/me?done=" + encodeURIComponent(result.body.done_key));
      return;
    }
    var d = result.body && result.body.distance_m;
    var key = result.body && result.body.duplicate ? "visit_dup" :
      (result.body && result.body.kind === "investment_call" ? "call" : "visit");
    window.location.assign("/me?done=" + key + (d !== null && d !== undefined ? "&d=" + d : ""));
  }

  document.querySelectorAll("form.visit-form, form.queued-form").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = {};
      new FormData(form).forEach(function (v, k) {
        if (k === "csrf_token") return;
        // Several firms ticked: one comma list (the server reads both forms).
        data[k] = k in data && data[k] !== "" ? data[k] + "," + String(v) : String(v);
      });
      data._to = form.getAttribute("action") || "/me/visits";
      data.client_key = newKey();
      if (here) { data.lon = String(here.lon); data.lat = String(here.lat); }
      var q = load();
      q.push(data);
      save(q);  // queued before anything is sent: a visit is never lost
      form.querySelector("button[type=submit]").disabled = true;
      showQueue();
      flush().then(function (result) {
        form.querySelector("button[type=submit]").disabled = false;
        if (result && result.ok) done(result);
        else if (!result) form.closest("details").open = false;
      });
    });
  });

  window.addEventListener("online", function () { flush().then(done); });
  setInterval(function () { if (load().length) flush().then(done); }, 15000);
  showQueue();
  if (load().length) flush().then(done);

  if (geoEl && navigator.geolocation) {
    geoEl.textContent = geoEl.dataset.wait || "";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        here = { lon: pos.coords.longitude, lat: pos.coords.latitude, acc: pos.coords.accuracy };
        geoEl.dataset.ready = "1";
        geoEl.textContent = (geoEl.dataset.ok || "").replace("{n}", String(Math.round(here.acc)));
      },
      function () { geoEl.dataset.ready = "0"; geoEl.textContent = geoEl.dataset.none || ""; },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  }
})();
