// The intake's small enhancements; every page works without them.
// - a "yes/no" question's detail field shows only after "yes";
// - the "Copy" button copies the new link's address.
(function () {
  "use strict";
  function sync(detail) {
    var name = detail.getAttribute("data-detail-for");
    var yes = document.querySelector('input[name="' + CSS.escape(name) + '"][value="yes"]');
    var hasValue = Array.prototype.some.call(detail.querySelectorAll("input, select"), function (el) { return el.value; });
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
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
