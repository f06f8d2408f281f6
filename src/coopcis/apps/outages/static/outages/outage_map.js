// The outage maps (staff: /outages/map/; public: /portal/outage-map/), drawn as SVG from
// the coordinates in the page's JSON, with no map tiles and nothing from another site.
// The figures are fetched again every data-refresh-seconds while the page is open. Words
// come from the page (data-text-* attributes), so the public map reads in Spanish too.
(function () {
  "use strict";
  var svg = document.getElementById("outage-map");
  if (!svg) { return; }
  var NS = "http://www.w3.org/2000/svg";
  var url = svg.getAttribute("data-url");
  var audience = svg.getAttribute("data-audience");
  var every = Number(svg.getAttribute("data-refresh-seconds")) || 15;
  var W = 1000, H = 700, MARGIN = 24;

  function text(name) { return svg.getAttribute("data-text-" + name) || ""; }

  function projector(b) {
    var kx = Math.cos(((b.north + b.south) / 2) * Math.PI / 180);
    var w = Math.max((b.east - b.west) * kx, 1e-6), h = Math.max(b.north - b.south, 1e-6);
    var scale = Math.min((W - 2 * MARGIN) / w, (H - 2 * MARGIN) / h);
    var ox = (W - w * scale) / 2, oy = (H - h * scale) / 2;
    return function (lat, lon) {
      return [(ox + (lon - b.west) * kx * scale).toFixed(1), (oy + (b.north - lat) * scale).toFixed(1)];
    };
  }

  function node(name, attrs, parent, content) {
    var made = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (key) { made.setAttribute(key, attrs[key]); });
    if (content !== undefined) { made.textContent = content; }
    if (parent) { parent.appendChild(made); }
    return made;
  }

  function tooltip(parent, words) { node("title", {}, parent, words); }

  function drawSubstations(layer, data, at) {
    var group = node("g", { "class": "substations" }, layer);
    data.substations.forEach(function (s) {
      var p = at(s.lat, s.lon);
      node("rect", { "class": "substation", x: p[0] - 4, y: p[1] - 4, width: 8, height: 8 }, group);
      node("text", { "class": "substation-name", x: Number(p[0]) + 7, y: Number(p[1]) + 4 }, group, s.name);
    });
  }

  function drawStaff(layer, data, at) {
    data.outages.forEach(function (o) {
      var group = node("g", { "class": "outage", "data-outage": o.id }, layer);
      o.points.forEach(function (point) {
        var p = at(point[0], point[1]);
        node("circle", { "class": point[2] ? "sp reported" : "sp", cx: p[0], cy: p[1], r: 2.2 }, group);
      });
      if (o.lat !== null && o.lon !== null) {
        var d = at(o.lat, o.lon);
        var ring = node("circle", { "class": "device", cx: d[0], cy: d[1], r: 9 }, group);
        tooltip(ring, "#" + o.id + " " + o.device + " (" + o.kind + "): " + figure(o.affected) +
          (o.life_support ? " (" + o.life_support + " life support)" : ""));
        node("text", { "class": "device-label", x: Number(d[0]) + 11, y: Number(d[1]) - 8 }, group, o.device);
      }
    });
  }

  function drawPublic(layer, data, at) {
    data.feeders.forEach(function (f) {
      if (f.lat === null || f.lon === null) { return; }
      var p = at(f.lat, f.lon);
      var r = (4 + Math.sqrt(f.members_out) * 0.9).toFixed(1);
      var mark = node("circle", { "class": "area-out", cx: p[0], cy: p[1], r: r, "data-feeder": f.feeder }, layer);
      tooltip(mark, f.area + " " + f.feeder + ": " + figure(f.members_out) + " " + text("members-out"));
    });
  }

  // figures as US bills print them, in Spanish too (1,234)
  function figure(value) {
    return typeof value === "number" ? value.toLocaleString("en-US") : value;
  }

  function cells(row, values) {
    values.forEach(function (value) {
      var cell = row.insertCell();
      cell.textContent = figure(value);
      if (typeof value === "number") { cell.className = "num"; }
    });
  }

  function fillTable(id, rows) {
    var table = document.getElementById(id);
    if (!table) { return; }
    var body = table.tBodies[0];
    while (body.rows.length) { body.deleteRow(0); }
    rows.forEach(function (values) { cells(body.insertRow(), values); });
  }

  function setText(id, value) {
    var target = document.getElementById(id);
    if (target) { target.textContent = figure(value); }
  }

  function draw(data) {
    var old = document.getElementById("outage-map-layer");
    if (old) { old.parentNode.removeChild(old); }
    var layer = node("g", { id: "outage-map-layer" }, svg);
    if (data.bounds) {
      var at = projector(data.bounds);
      drawSubstations(layer, data, at);
      if (audience === "staff") { drawStaff(layer, data, at); } else { drawPublic(layer, data, at); }
    }
    if (audience === "staff") {
      fillTable("map-outages", data.outages.map(function (o) {
        return [o.id, o.tier, o.device + " (" + o.kind + ")", o.affected, o.life_support,
          o.reported, o.started, o.estimate || "—", o.crew || "—"];
      }));
      setText("map-outage-count", data.outages.length);
      setText("map-members", data.members_affected);
      setText("map-life-support", data.life_support_households);
    } else {
      fillTable("map-areas", data.areas.map(function (a) {
        return [a.area, a.members_out, a.members_served];
      }));
      fillTable("map-feeders", data.feeders.map(function (f) {
        return [f.area, f.feeder, f.members_out, f.members_served];
      }));
      setText("map-outage-count", data.outages);
      setText("map-members", data.members_out);
      setText("map-served", data.members_served);
    }
    setText("map-updated", data.updated);
    svg.setAttribute("data-updated", data.generated_at);
  }

  function refresh() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () {});
  }
  refresh();
  window.setInterval(refresh, every * 1000);
})();
