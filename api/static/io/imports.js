// The import page: send the file for a report (dry run), show it, draw it, then load it.
// Every value from the file is put into the page with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  var zh = form.dataset.lang === "zh";
  var T = zh
    ? {checking: "检查中…", loading: "导入中…", ok: "可以导入", no: "不能导入", loaded: "已导入，批次 ",
       stale: "页面已过期，请刷新", file: "文件", features: "要素", encoding: "编码", crs: "坐标系",
       bbox: "范围 (EPSG:4326)", geometry: "几何", mapped: "已对应", unmapped: "未对应",
       missing: "缺少必填", counts: "新增 / 更新 / 跳过", problems: "问题", row: "行", field: "字段",
       message: "说明", samples: "样例", layers: "图层", more: "另有 ", errors: "个错误",
       warnings: "个提醒", uploading: "上传中", network: "网络中断，文件未送达，请重试",
       tooBig: function (size, max) {
         return "文件 " + mb(size) + "，超过导入上限 " + mb(max) +
           "；请拆分文件，或请管理员调高 PARKGIS_IMPORT_MAX_BYTES";
       }}
    : {checking: "Checking…", loading: "Loading…", ok: "Would load", no: "Would NOT load",
       loaded: "Loaded, import ", stale: "This page is stale: reload it", file: "File",
       features: "Features", encoding: "Encoding", crs: "CRS", bbox: "Bbox (EPSG:4326)",
       geometry: "Geometry", mapped: "Mapped", unmapped: "Unmapped", missing: "Required, missing",
       counts: "Insert / update / skip", problems: "Problems", row: "Row", field: "Field",
       message: "Message", samples: "Samples", layers: "Layers", more: "more: ", errors: "errors",
       warnings: "warnings", uploading: "Uploading", network: "The connection dropped before " +
       "the file arrived: try again",
       tooBig: function (size, max) {
         return "This file is " + mb(size) + ", over the import limit of " + mb(max) +
           ": split it, or ask an administrator to raise PARKGIS_IMPORT_MAX_BYTES";
       }};
  var fileInput = document.getElementById("file");
  var drop = document.getElementById("drop");
  var checkBtn = document.getElementById("check");
  var loadBtn = document.getElementById("load");
  var status = document.getElementById("status");
  var reportBox = document.getElementById("report");
  var bar = document.getElementById("progress");
  var chosen = null;
  var map = L.map("map").setView([23.35, 112.7], 12);
  var zoneLayer = L.geoJSON(null, {style: {color: "#6c757d", weight: 1, fillOpacity: 0.05}}).addTo(map);
  var fileLayer = L.geoJSON(null, {
    style: function (f) {
      var s = f.properties.status;
      var c = s === "error" ? "#dc3545" : s === "warning" ? "#fd7e14" : "#0d6efd";
      return {color: c, weight: s === "ok" ? 1.5 : 3, fillOpacity: 0.25};
    },
    pointToLayer: function (f, ll) {
      var s = f.properties.status;
      var c = s === "error" ? "#dc3545" : s === "warning" ? "#fd7e14" : "#0d6efd";
      return L.circleMarker(ll, {radius: 5, color: c, fillOpacity: 0.7});
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(T.row + " " + String(f.properties.row) + " · " + f.properties.status);
    }
  }).addTo(map);

  function mb(bytes) {
    return bytes < 102400 ? (bytes / 1024).toFixed(1) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  }
  function choose(file) {
    chosen = file;
    document.getElementById("file-name").textContent = file ? file.name + " · " + mb(file.size) : "";
    // Refuse a file over the server's limit here, before it is sent over a slow line.
    var max = Number(form.dataset.maxBytes) || 0;
    var tooBig = !!file && max > 0 && file.size > max;
    reportBox.replaceChildren();
    if (tooBig) showError(T.tooBig(file.size, max));
    checkBtn.disabled = !file || tooBig;
    loadBtn.disabled = true;
  }
  function showError(text) {
    reportBox.replaceChildren(el("div", text, "alert alert-danger"));
    reportBox.firstChild.id = "verdict";
  }
  // The bar: how much of the file has gone up, then a running clock while the server works.
  function progress(fraction, text) {
    bar.hidden = fraction === null;
    status.textContent = text || "";
    if (fraction === null) return;
    var pct = Math.round(fraction * 100);
    bar.firstElementChild.style.width = pct + "%";
    bar.setAttribute("aria-valuenow", String(pct));
    bar.firstElementChild.classList.toggle("progress-bar-striped", fraction >= 1);
    bar.firstElementChild.classList.toggle("progress-bar-animated", fraction >= 1);
  }
  drop.addEventListener("click", function () { fileInput.click(); });
  drop.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") fileInput.click(); });
  fileInput.addEventListener("change", function () { choose(fileInput.files[0] || null); });
  ["dragenter", "dragover"].forEach(function (n) {
    drop.addEventListener(n, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (n) {
    drop.addEventListener(n, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });

  function lines(id) {
    return document.getElementById(id).value.split("\n").map(function (s) { return s.trim(); })
      .filter(function (s) { return s.length > 0; });
  }
  function query(commit) {
    var q = new URLSearchParams();
    q.set("kind", document.getElementById("kind").value);
    q.set("mode", document.getElementById("mode").value);
    ["key", "crs", "encoding"].forEach(function (id) {
      var v = document.getElementById(id).value.trim();
      if (v) q.set(id, v);
    });
    if (document.getElementById("repair").checked) q.set("repair", "true");
    lines("map-lines").forEach(function (m) { q.append("map", m); });
    lines("set-lines").forEach(function (m) { q.append("set", m); });
    q.set("preview", "2000");
    if (commit) q.set("commit", "true");
    return q.toString();
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function row(dl, term, value, note) {
    dl.appendChild(el("dt", term, "col-sm-4"));
    var dd = el("dd", value, "col-sm-8");
    if (note) dd.appendChild(el("div", note, "evidence"));
    dl.appendChild(dd);
  }
  function show(r) {
    reportBox.replaceChildren();
    var verdict = el("div", r.loaded ? T.loaded + r.import_id : r.would_load ? T.ok : T.no,
      "alert " + (r.would_load || r.loaded ? "alert-success" : "alert-danger"));
    verdict.id = "verdict";
    reportBox.appendChild(verdict);
    var dl = el("dl", null, "row");
    row(dl, T.file, r.file.name + " · " + r.driver, "sha256 " + r.file.sha256);
    row(dl, T.layers, r.layers.join(", "), "→ " + (r.layer || ""));
    row(dl, T.features, r.features);
    row(dl, T.encoding, r.encoding.name, r.encoding.evidence.join("; ") +
      (r.encoding.samples.length ? " · " + T.samples + ": " + r.encoding.samples.join(" | ") : ""));
    row(dl, T.crs, r.crs.used, (r.crs.declared ? r.crs.declared + " · " : "") + r.crs.evidence +
      (r.crs.warnings.length ? " · ⚠ " + r.crs.warnings.join("; ") : ""));
    row(dl, T.bbox, r.bbox_4326 ? r.bbox_4326.join(", ") : "-");
    var g = r.geometry;
    row(dl, T.geometry, JSON.stringify(g.types), "invalid " + g.invalid + ", empty " + g.empty +
      ", repaired " + g.repaired);
    row(dl, T.mapped, Object.keys(r.fields.mapped).map(function (k) {
      return k + "←" + r.fields.mapped[k]; }).concat(Object.keys(r.fields.set).map(function (k) {
      return k + "=" + r.fields.set[k]; })).join(", ") || "-");
    row(dl, T.unmapped, r.fields.unmapped.join(", ") || "-");
    if (r.fields.missing_required.length) {
      row(dl, T.missing, r.fields.missing_required.join(", "));
      dl.lastChild.classList.add("text-danger", "fw-bold");
    }
    row(dl, T.counts, r.counts.insert + " / " + r.counts.update + " / " + r.counts.skip);
    reportBox.appendChild(dl);
    var p = r.problems;
    reportBox.appendChild(el("h2", T.problems + ": " + p.errors + " " + T.errors + ", " +
      p.warnings + " " + T.warnings, "h6"));
    if (p.first.length) {
      var wrap = el("div", null, "problems table-responsive");
      var table = el("table", null, "table table-sm");
      var head = el("tr");
      [T.row, T.field, T.message].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(el("thead")).appendChild(head);
      var body = table.appendChild(el("tbody"));
      p.first.forEach(function (x) {
        var tr = el("tr", null, x.severity === "error" ? "table-danger" : "table-warning");
        tr.appendChild(el("td", x.row === undefined ? "-" : x.row));
        tr.appendChild(el("td", x.field || ""));
        tr.appendChild(el("td", x.message + (x.location ? " @ " + x.location.join(", ") : "")));
        body.appendChild(tr);
      });
      wrap.appendChild(table);
      reportBox.appendChild(wrap);
      if (p.count > p.first.length) reportBox.appendChild(el("p", T.more + (p.count - p.first.length)));
    }
    fileLayer.clearLayers();
    if (r.preview && r.preview.features.length) {
      fileLayer.addData(r.preview);
      map.fitBounds(fileLayer.getBounds(), {padding: [20, 20]});
      drawZone(r.bbox_4326);
    }
  }
  function drawZone(b) {
    if (!b) return;
    fetch("/api/v1/parcels?limit=2000&bbox=" + b.join(","), {credentials: "same-origin"})
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (fc) { zoneLayer.clearLayers(); if (fc) zoneLayer.addData(fc); })
      .catch(function () {});
  }
  function send(commit) {
    if (!chosen) return;
    checkBtn.disabled = loadBtn.disabled = true;
    var data = new FormData();
    data.append("file", chosen, chosen.name);
    var work = commit ? T.loading : T.checking;
    var started = Date.now();
    var clock = null;
    function tick() { progress(1, work + " " + Math.round((Date.now() - started) / 1000) + " s"); }
    function done() { if (clock) clearInterval(clock); progress(null); }
    // XMLHttpRequest, not fetch: only it reports how much of the upload has gone.
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/imports?" + query(commit));
    xhr.setRequestHeader("X-CSRF-Token", document.querySelector('meta[name="csrf-token"]').content);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable || !e.total) return;
      progress(e.loaded / e.total * 0.999, T.uploading + " " + Math.floor(100 * e.loaded / e.total) +
        "% · " + mb(e.loaded) + " / " + mb(e.total));
    };
    xhr.upload.onload = function () { started = Date.now(); tick(); clock = setInterval(tick, 1000); };
    progress(0, T.uploading + " 0% · " + mb(0) + " / " + mb(chosen.size));
    xhr.onload = function () {
      done();
      checkBtn.disabled = false;
      var b;
      try { b = JSON.parse(xhr.responseText); } catch (e) { b = {description: "error " + xhr.status}; }
      if (b.report) { show(b.report); return; }
      if (xhr.status >= 400) {
        showError(xhr.status === 403 && b.field === "csrf_token" ? T.stale :
          (b.description || b.detail || "error " + xhr.status));
        return;
      }
      show(b);
      loadBtn.disabled = !(b.would_load && !b.loaded);
      if (b.loaded) refreshPast();
    };
    xhr.onerror = function () { done(); status.textContent = T.network; checkBtn.disabled = false; };
    xhr.send(data);
  }
  // After a load, the list of past imports shows it (same columns as the server renders,
  // times on the zone's clock as YYYY-MM-DD HH:MM).
  var clock = new Intl.DateTimeFormat("sv-SE", {timeZone: form.dataset.tz, year: "numeric",
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
  function refreshPast() {
    fetch("/api/v1/imports?limit=20", {credentials: "same-origin"})
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (out) {
        if (!out) return;
        var body = document.querySelector("#past tbody");
        body.replaceChildren();
        out.imports.forEach(function (i) {
          var tr = el("tr");
          [i.id, clock.format(new Date(i.at)).replace(",", ""), i.actor, i.kind, i.file_name]
            .forEach(function (v) {
            tr.appendChild(el("td", v));
          });
          tr.appendChild(el("td")).appendChild(el("code", i.sha256.slice(0, 12)));
          tr.appendChild(el("td", i.inserted + "/" + i.updated + "/" + i.skipped));
          body.appendChild(tr);
        });
      })
      .catch(function () {});
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); send(false); });
  loadBtn.addEventListener("click", function () { send(true); });
})();
