// Posture photo: draw the landmarks over the photo, let the practitioner drag them (mouse, pen
// or touch), and keep the hidden form fields in step. The server measures from the saved points.
(function () {
  "use strict";
  var svg = document.getElementById("posture-svg");
  if (!svg) { return; }
  var NS = "http://www.w3.org/2000/svg";
  var width = Number(svg.dataset.width), height = Number(svg.dataset.height);
  var landmarks = JSON.parse(svg.dataset.landmarks || "{}");
  var vertical = svg.dataset.vertical ? JSON.parse(svg.dataset.vertical) : null;
  var field = document.getElementById("landmarks-field");
  var vfield = document.getElementById("vertical-field");
  var toggle = document.getElementById("vertical-toggle");
  var farToggle = document.getElementById("far-side-toggle");
  var c7Button = document.getElementById("place-c7");
  var view = svg.dataset.view || "front";
  // In a side view the far side's points sit on the near side's: only the near side is shown (and
  // dragged) unless the practitioner asks for both.
  var near = view === "left" || view === "right" ? view : null;
  var far = near === "left" ? "right" : near === "right" ? "left" : null;
  var radius = Math.max(width, height) / 120;
  var BONES = [
    ["left_ear", "left_shoulder"], ["right_ear", "right_shoulder"], ["left_shoulder", "right_shoulder"],
    ["left_shoulder", "left_hip"], ["right_shoulder", "right_hip"], ["left_hip", "right_hip"],
    ["left_hip", "left_knee"], ["left_knee", "left_ankle"], ["right_hip", "right_knee"], ["right_knee", "right_ankle"],
    ["left_shoulder", "left_elbow"], ["left_elbow", "left_wrist"], ["right_shoulder", "right_elbow"],
    ["right_elbow", "right_wrist"], ["left_ankle", "left_heel"], ["right_ankle", "right_heel"],
    ["left_heel", "left_foot_index"], ["right_heel", "right_foot_index"], ["c7", "left_ear"], ["c7", "right_ear"],
    ["left_wrist", "left_index"], ["right_wrist", "right_index"]
  ];

  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function toSvg(evt) {
    var pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    var p = pt.matrixTransform(svg.getScreenCTM().inverse());
    return [Math.max(0, Math.min(width, p.x)), Math.max(0, Math.min(height, p.y))];
  }

  function save() {
    field.value = JSON.stringify(landmarks);
    vfield.value = vertical ? JSON.stringify(vertical) : "";
  }

  function label(name) {
    if (name === "c7") { return "C7"; }
    var words = name.replace(/_index$/, "_toes").split("_");
    var side = words[0] === "left" ? "L " : words[0] === "right" ? "R " : "";
    return side + (side ? words.slice(1) : words).join(" ");
  }

  function shown(name) {
    return !far || name.indexOf(far + "_") !== 0 || (farToggle && farToggle.checked);
  }

  function draw() {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    BONES.forEach(function (b) {
      var a = landmarks[b[0]], c = landmarks[b[1]];
      if (a && c && shown(b[0]) && shown(b[1])) {
        svg.appendChild(el("line", { x1: a[0], y1: a[1], x2: c[0], y2: c[1], "class": "bone", "stroke-width": radius / 3 }));
      }
    });
    if (vertical) {
      svg.appendChild(el("line", { x1: vertical[0][0], y1: vertical[0][1], x2: vertical[1][0], y2: vertical[1][1],
        "class": "vertical", "stroke-width": radius / 2 }));
      vertical.forEach(function (p, i) { handle(p, "vertical-end", function (q) { vertical[i] = q; }, "true vertical " + (i + 1), ""); });
    }
    Object.keys(landmarks).forEach(function (name) {
      if (!shown(name)) { return; }
      var cls = far && name.indexOf(far + "_") === 0 ? "landmark far-side" : "landmark";
      handle(landmarks[name], cls, function (q) { landmarks[name] = q; }, name === "c7" ? "C7" : name.replace(/_/g, " "), label(name));
    });
    if (c7Button) {
      c7Button.textContent = landmarks.c7 ? "Remove C7" : "Place C7";
    }
  }

  // C7 is palpated, never found by the model: put it where it usually lies (at the back of the
  // neck, between ear and shoulder level) for the practitioner to drag onto the spinous process.
  function guessC7() {
    var ear = landmarks[(near || "left") + "_ear"] || landmarks.left_ear || landmarks.right_ear;
    var shoulder = landmarks[(near || "left") + "_shoulder"] || landmarks.left_shoulder || landmarks.right_shoulder;
    if (!near && landmarks.left_shoulder && landmarks.right_shoulder) {
      var l = landmarks.left_shoulder, r = landmarks.right_shoulder;
      return [(l[0] + r[0]) / 2, Math.min(l[1], r[1]) - Math.abs(l[0] - r[0]) / 6];
    }
    if (ear && shoulder) {
      var nose = landmarks.nose, back = nose ? (ear[0] >= nose[0] ? 1 : -1) : 0;
      var reach = Math.hypot(ear[0] - shoulder[0], ear[1] - shoulder[1]);
      return [shoulder[0] + back * reach * 0.3, (ear[1] + shoulder[1] * 2) / 3];
    }
    return [width / 2, height * 0.2];
  }

  function handle(p, cls, set, label, short) {
    var c = el("circle", { cx: p[0], cy: p[1], r: radius, "class": cls, tabindex: "0", role: "button" });
    var title = el("title", {}); title.textContent = label; c.appendChild(title);
    c.setAttribute("aria-label", label);
    var text = el("text", { x: p[0] + radius * 1.4, y: p[1] + radius * 0.5, "class": "landmark-label",
      "font-size": radius * 1.8, "stroke-width": radius / 3 });
    text.textContent = short;
    c.addEventListener("pointerdown", function (evt) {
      evt.preventDefault();
      c.setPointerCapture(evt.pointerId);
      function move(e) { var q = toSvg(e); c.setAttribute("cx", q[0]); c.setAttribute("cy", q[1]); set([Math.round(q[0] * 10) / 10, Math.round(q[1] * 10) / 10]); }
      function up() { c.removeEventListener("pointermove", move); c.removeEventListener("pointerup", up); save(); draw(); }
      c.addEventListener("pointermove", move);
      c.addEventListener("pointerup", up);
    });
    c.addEventListener("keydown", function (e) {
      var step = e.shiftKey ? 10 : 2, q = [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))];
      if (e.key === "ArrowLeft") { q[0] -= step; } else if (e.key === "ArrowRight") { q[0] += step; }
      else if (e.key === "ArrowUp") { q[1] -= step; } else if (e.key === "ArrowDown") { q[1] += step; } else { return; }
      e.preventDefault(); set(q); save(); draw();
    });
    svg.appendChild(c);
    if (short) { svg.appendChild(text); }
  }

  if (toggle) {
    toggle.addEventListener("change", function () {
      vertical = toggle.checked ? [[width * 0.1, height * 0.1], [width * 0.1, height * 0.9]] : null;
      save(); draw();
    });
  }
  if (farToggle) { farToggle.addEventListener("change", draw); }
  if (c7Button) {
    c7Button.addEventListener("click", function () {
      if (landmarks.c7) { delete landmarks.c7; } else { landmarks.c7 = guessC7().map(function (v) { return Math.round(v * 10) / 10; }); }
      save(); draw();
    });
  }
  save();
  draw();
})();
