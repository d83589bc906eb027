// The phrase form shows the one text box a phrase needs, or the per-part boxes of a whole-note template.
(function () {
  "use strict";
  var choice = document.getElementById("t-field");
  if (!choice) { return; }
  function show() {
    var note = choice.value === "note";
    document.querySelectorAll("[data-template-part]").forEach(function (part) {
      part.hidden = (part.dataset.templatePart === "note") !== note;
    });
  }
  choice.addEventListener("change", show);
  show();
})();
