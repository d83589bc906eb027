// Gait video: pick the walker by clicking them on an early frame (coordinates in video pixels).
(function () {
  "use strict";
  var img = document.getElementById("people-frame");
  if (!img) { return; }
  img.addEventListener("click", function (evt) {
    var box = img.getBoundingClientRect();
    var x = (evt.clientX - box.left) * Number(img.dataset.width) / box.width;
    var y = (evt.clientY - box.top) * Number(img.dataset.height) / box.height;
    document.getElementById("seed-x").value = Math.round(x);
    document.getElementById("seed-y").value = Math.round(y);
    var button = document.getElementById("seed-submit");
    button.disabled = false;
    button.textContent = "Analyse again following the person at (" + Math.round(x) + ", " + Math.round(y) + ")";
  });
})();
