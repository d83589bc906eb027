// The pain chart: click, tap or drag over the body to mark zones; each mark has an intensity
// and a quality. The marks live in the form's "pain" textarea (one "zone:intensity:quality"
// a line, the zone by its label), so the page also works without this script. Hovering a ranked muscle overlays
// its referral pattern.
(function () {
  "use strict";
  var form = document.getElementById("pain-chart-form");
  if (!form) { return; }
  var area = form.querySelector("textarea[name=pain]");
  var list = document.getElementById("marks-list");
  var charts = form.querySelector("[data-painchart]");
  var QUALITIES = ["", "aching", "deep", "dull", "sharp", "burning", "throbbing", "shooting",
    "numbness", "tingling", "weakness", "stiffness", "cramping"];
  var marks = new Map();
  var painting = false;
  var paintAdds = true;

  // A line names its zone by the label a person reads ("Temple (right)"); an id works too.
  function zoneOf(text) {
    if (charts.querySelector('[data-zone="' + CSS.escape(text) + '"]')) { return text; }
    var el = charts.querySelector('[data-zone][aria-label="' + CSS.escape(text) + '"]');
    return el ? el.dataset.zone : null;
  }

  function parseLines() {
    marks.clear();
    area.value.split("\n").forEach(function (line) {
      var parts = line.trim().split(":");
      if (!parts[0]) { return; }
      var zone = zoneOf(parts[0].trim());
      if (!zone) { return; }
      var intensity = 5, quality = "";
      parts.slice(1).forEach(function (p) {
        if (/^\d+$/.test(p)) { intensity = Math.min(10, parseInt(p, 10)); } else { quality = p; }
      });
      marks.set(zone, { intensity: intensity, quality: quality });
    });
  }

  function label(zone) {
    var el = charts.querySelector('[data-zone="' + CSS.escape(zone) + '"]');
    return el ? el.getAttribute("aria-label") : zone;
  }

  function writeLines() {
    var lines = [];
    marks.forEach(function (m, zone) {
      lines.push(label(zone) + ":" + m.intensity + (m.quality ? ":" + m.quality : ""));
    });
    area.value = lines.join("\n");
  }

  function paint() {
    charts.querySelectorAll("[data-zone]").forEach(function (el) {
      var m = marks.get(el.dataset.zone);
      var on = m !== undefined;
      el.classList.toggle("pain", on);
      // the fill shows the intensity: 0-3 light, 4-6 mid, 7-10 dark (the chart's legend)
      el.classList.toggle("pain-low", on && m.intensity <= 3);
      el.classList.toggle("pain-high", on && m.intensity >= 7);
      el.setAttribute("aria-pressed", on ? "true" : "false");
    });
    list.textContent = "";
    marks.forEach(function (m, zone) {
      var row = document.createElement("div");
      row.className = "mark-row";
      var name = document.createElement("span");
      name.className = "mark-name";
      name.textContent = label(zone);
      var level = document.createElement("input");
      level.type = "number"; level.min = "0"; level.max = "10"; level.value = m.intensity;
      level.setAttribute("aria-label", "Intensity 0 to 10 for " + label(zone));
      level.addEventListener("change", function () {
        var v = parseInt(level.value, 10);
        m.intensity = isNaN(v) ? 5 : Math.max(0, Math.min(10, v));
        changed();
      });
      var quality = document.createElement("select");
      quality.setAttribute("aria-label", "How it feels at " + label(zone));
      QUALITIES.forEach(function (q) {
        var o = document.createElement("option");
        o.value = q; o.textContent = q || "quality…"; o.selected = q === m.quality;
        quality.appendChild(o);
      });
      quality.addEventListener("change", function () { m.quality = quality.value; changed(); });
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "secondary small"; remove.textContent = "Remove";
      remove.addEventListener("click", function () { marks.delete(zone); changed(); });
      row.append(name, level, quality, remove);
      list.appendChild(row);
    });
  }

  function changed() {
    writeLines();
    paint();
    form.dispatchEvent(new CustomEvent("chart-changed", { bubbles: true }));
  }

  function toggle(zone, add) {
    if (add === undefined) { add = !marks.has(zone); }
    if (add && !marks.has(zone)) { marks.set(zone, { intensity: 5, quality: "" }); }
    if (!add) { marks.delete(zone); }
  }

  charts.addEventListener("pointerdown", function (e) {
    var zone = e.target.closest && e.target.closest("[data-zone]");
    if (!zone) { return; }
    e.preventDefault();
    painting = true;
    paintAdds = !marks.has(zone.dataset.zone);
    toggle(zone.dataset.zone, paintAdds);
    paint();
  });
  charts.addEventListener("pointerover", function (e) {
    if (!painting) { return; }
    var zone = e.target.closest && e.target.closest("[data-zone]");
    if (zone) { toggle(zone.dataset.zone, paintAdds); paint(); }
  });
  document.addEventListener("pointerup", function () {
    if (painting) { painting = false; changed(); }
  });
  // Keyboard: each body view is one stop in the tab order, not every zone (a roving tabindex);
  // the arrow keys move to the nearest zone in that direction, Home and End to the view's first
  // and last zone, and Enter or Space marks or clears the zone in focus.
  function zonesOf(svg) { return Array.prototype.slice.call(svg.querySelectorAll("[data-zone]")); }
  function centre(el) { var b = el.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; }
  charts.querySelectorAll("svg").forEach(function (svg) {
    zonesOf(svg).forEach(function (el, i) { el.setAttribute("tabindex", i === 0 ? "0" : "-1"); });
  });
  function rove(from, to) {
    if (!to) { return; }
    from.setAttribute("tabindex", "-1");
    to.setAttribute("tabindex", "0");
    to.focus();
  }
  function nearest(el, dx, dy) {
    var c = centre(el), best = null, bestScore = Infinity;
    zonesOf(el.ownerSVGElement).forEach(function (other) {
      if (other === el) { return; }
      var o = centre(other), vx = o[0] - c[0], vy = o[1] - c[1];
      var along = vx * dx + vy * dy;
      if (along <= 0.5) { return; }
      var score = along + 2 * Math.abs(vx * dy - vy * dx);
      if (score < bestScore) { bestScore = score; best = other; }
    });
    return best;
  }
  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  charts.addEventListener("keydown", function (e) {
    var zone = e.target.closest && e.target.closest("[data-zone]");
    if (!zone) { return; }
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      toggle(zone.dataset.zone);
      changed();
    } else if (ARROWS[e.key]) {
      e.preventDefault();
      rove(zone, nearest(zone, ARROWS[e.key][0], ARROWS[e.key][1]));
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      var all = zonesOf(zone.ownerSVGElement);
      rove(zone, e.key === "Home" ? all[0] : all[all.length - 1]);
    }
  });
  area.addEventListener("change", function () { parseLines(); paint(); });

  function overlay(json) {
    var levels = {};
    try { levels = json ? JSON.parse(json) : {}; } catch (err) { levels = {}; }
    charts.querySelectorAll("[data-zone]").forEach(function (el) {
      var level = levels[el.dataset.zone];
      el.classList.toggle("overlay-essential", level === "essential");
      el.classList.toggle("overlay-spillover", level === "spillover");
    });
  }
  var ranking = document.getElementById("ranking");
  ["mouseover", "focusin"].forEach(function (type) {
    ranking.addEventListener(type, function (e) {
      var item = e.target.closest && e.target.closest("[data-referral]");
      if (item) { overlay(item.dataset.referral); }
    });
  });
  ["mouseleave", "focusout"].forEach(function (type) {
    ranking.addEventListener(type, function () { overlay(null); });
  });

  // An empty chart asks for nothing: no preview request (which would only say the chart is
  // required), just the hint; the required-field error is for a submitted form.
  var hint = ranking.firstElementChild ? ranking.firstElementChild.cloneNode(true) : null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.elt !== form || area.value.trim()) { return; }
    e.preventDefault();
    ranking.replaceChildren();
    if (hint) { ranking.appendChild(hint.cloneNode(true)); }
  });
  area.closest(".field").classList.add("fallback");
  parseLines();
  paint();
})();
