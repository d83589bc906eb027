// Phrases on the session note: choose one of your phrases under a text field and press Insert
// (or Enter on the list): the phrase goes in at the cursor and the draft saves itself as if typed.
(function () {
  "use strict";
  function insert(select) {
    var option = select.options[select.selectedIndex];
    var field = document.getElementById(select.dataset.phraseTarget);
    if (!option || !option.value || !field) { return; }
    var text = option.dataset.text || "";
    var start = field.selectionStart, end = field.selectionEnd;
    if (typeof start !== "number" || document.activeElement !== field && field.dataset.phraseCursor === undefined) {
      start = end = field.value.length;
    }
    var before = field.value.slice(0, start), after = field.value.slice(end);
    if (before && !/\s$/.test(before)) { text = " " + text; }
    var cursor = before.length + text.length;
    if (after && !/^\s/.test(after)) { text = text + " "; }  // the words after keep their space
    field.value = before + text + after;
    field.focus();
    field.setSelectionRange(cursor, cursor);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    select.selectedIndex = 0;
  }
  document.querySelectorAll("[data-phrase-insert]").forEach(function (box) { box.hidden = false; });
  document.querySelectorAll("textarea").forEach(function (field) {
    // remember that the practitioner placed the cursor, so a phrase goes there and not at the end
    field.addEventListener("blur", function () { field.dataset.phraseCursor = "1"; });
  });
  document.querySelectorAll("[data-phrase-button]").forEach(function (button) {
    var select = document.getElementById(button.dataset.phraseButton);
    if (!select) { return; }
    button.addEventListener("click", function () { insert(select); });
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); insert(select); }
    });
  });
})();
