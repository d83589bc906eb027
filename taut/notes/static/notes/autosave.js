// The session note's draft saves itself: a moment after typing stops, the whole form is posted to
// the save endpoint (the same checks as the Save button; bad input changes nothing and is shown).
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  var status = document.getElementById("note-saved");
  if (!form || !status || !form.dataset.autosave) { return; }
  var timer = null;
  var inFlight = false;
  var again = false;

  function show(text, failed) {
    status.textContent = text;
    status.classList.toggle("error", !!failed);
  }

  function save() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    show("Saving…", false);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok && result.body.saved) {
        show("Saved at " + result.body.saved_at, false);
      } else {
        var errors = result.body && result.body.errors ? Object.values(result.body.errors) : [];
        show("Not saved: " + (errors.join(" ") || "please check the form."), true);
      }
    }).catch(function () {
      show("Not saved: the connection failed. Your text is still here; it will be saved on the next change.", true);
    }).finally(function () {
      inFlight = false;
      if (again) { again = false; save(); }
    });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  window.addEventListener("beforeunload", function () {
    if (timer) { clearTimeout(timer); timer = null; navigator.sendBeacon(form.dataset.autosave, new FormData(form)); }
  });
})();
