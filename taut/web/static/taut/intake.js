// The intake's small enhancements; every page works without them.
// - a "yes/no" question's detail field shows only after "yes";
// - the "Copy" button copies the new link's address;
// - the safety step shows one short group of questions at a time;
// - the pain chart's raw text box is hidden when the chart itself works.
(function () {
  "use strict";
  function sync(detail) {
    var name = detail.getAttribute("data-detail-for");
    var yes = document.querySelector('input[name="' + CSS.escape(name) + '"][value="yes"]');
    var hasValue = Array.prototype.some.call(detail.querySelectorAll("input, select, textarea"), function (el) {
      return el.type === "radio" || el.type === "checkbox" ? el.checked : el.value;
    });
    detail.classList.toggle("hidden", !(yes && yes.checked) && !hasValue && !detail.querySelector(".error"));
  }
  function all() { document.querySelectorAll("[data-detail-for]").forEach(sync); }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[type=radio]")) { all(); }
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) { return; }
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  // The safety step, one short group at a time (without a script every group shows, one form).
  function paged() {
    var form = document.querySelector("form[data-screen-paged]");
    if (!form) { return; }
    var groups = Array.prototype.slice.call(form.querySelectorAll("[data-screen-group]"));
    if (groups.length < 2) { return; }
    var save = form.querySelector(".intake-actions button[type=submit]");
    var current = 0;
    var withError = groups.findIndex(function (g) { return g.querySelector(".error"); });
    if (withError >= 0) { current = withError; }
    function unanswered(group) {
      return Array.prototype.filter.call(group.querySelectorAll(".yesno fieldset"), function (fs) {
        var radios = fs.querySelectorAll("input[type=radio]");
        if (!radios.length || fs.closest(".yesno-detail.hidden")) { return false; }
        return !Array.prototype.some.call(radios, function (r) { return r.checked; });
      });
    }
    function show(n, focus) {
      current = n;
      groups.forEach(function (g, i) {
        g.hidden = i !== n;
        var nav = g.querySelector(".group-nav");
        if (nav) { nav.hidden = false; }
      });
      if (save) { save.hidden = n !== groups.length - 1; }
      if (focus) {
        groups[n].scrollIntoView({ block: "start" });
        var legend = groups[n].querySelector("legend");
        if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus({ preventScroll: true }); }
      }
    }
    form.addEventListener("click", function (e) {
      var next = e.target.closest && e.target.closest("[data-group-next]");
      var back = e.target.closest && e.target.closest("[data-group-back]");
      if (back) { show(Math.max(0, current - 1), true); }
      if (!next) { return; }
      var open = unanswered(groups[current]);
      var note = groups[current].querySelector(".group-note");
      if (open.length) {
        if (!note) {
          note = document.createElement("p");
          note.className = "error group-note";
          note.setAttribute("role", "alert");
          next.parentNode.insertBefore(note, next.parentNode.firstChild);
        }
        note.textContent = "Please answer every question in this group (" + open.length + " left) before going on.";
        open[0].scrollIntoView({ block: "center" });
        return;
      }
      if (note) { note.remove(); }
      show(Math.min(groups.length - 1, current + 1), true);
    });
    show(current, withError >= 0);
  }
  // The pain chart's text box is the no-script path: with the chart working, clients never see it.
  function hideFallback() {
    var area = document.querySelector(".intake-public textarea.pain-lines");
    if (!area || !document.querySelector("[data-painchart] [data-zone]")) { return; }
    var field = area.closest(".field");
    if (field && !field.querySelector(".error")) { field.hidden = true; }
  }
  function ready() { all(); paged(); hideFallback(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
