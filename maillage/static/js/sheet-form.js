// The sheet form, enhanced: character counters, fields revealed by a choice, autosave of drafts.
// Without this script the form works the same: every field is shown and the person saves by hand.
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  if (!form) return;

  // Character counters on long texts (data-maxlength), announced only when the limit is near.
  form.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var input = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!input) return;
    var max = parseInt(input.getAttribute("data-maxlength"), 10);
    function update() {
      var length = input.value.replace(/\r\n/g, "\n").length;
      counter.textContent = length + " / " + max + " caractères";
      var near = length > max * 0.9;
      counter.classList.toggle("text-danger", length > max);
      counter.setAttribute("aria-live", near ? "polite" : "off");
    }
    input.addEventListener("input", update);
    update();
  });

  // `Précision (si autre)` and `Raisons…` show only when their choice is ticked (or already filled).
  form.querySelectorAll("[data-reveal-by]").forEach(function (group) {
    var values = (group.getAttribute("data-reveal-values") || "").split(" ").filter(Boolean);
    var inputs = form.querySelectorAll('[name="' + group.getAttribute("data-reveal-by") + '"]');
    var text = group.querySelector("input, textarea");
    function update() {
      var ticked = Array.prototype.some.call(inputs, function (input) {
        return input.checked && values.indexOf(input.value) !== -1;
      });
      group.hidden = !ticked && !(text && text.value.trim()) && !group.querySelector(".invalid-feedback");
    }
    inputs.forEach(function (input) { input.addEventListener("change", update); });
    update();
  });

  // Autosave of drafts every 20 seconds, when something changed.
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  if (!url || !window.fetch || !window.FormData) return;
  var SKIPPED = ["files", "remove_files", "move"];
  function payload() {
    var data = new FormData(form);
    SKIPPED.forEach(function (name) { data.delete(name); });
    return data;
  }
  function signature(data) {
    var parts = [];
    data.forEach(function (value, name) { if (name !== "version") parts.push(name + "=" + value); });
    return parts.join("&");
  }
  var saved = signature(payload());
  var busy = false;
  function autosave() {
    var data = payload();
    var current = signature(data);
    if (busy || current === saved) return;
    busy = true;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) {
          form.querySelector('[name="version"]').value = result.body.version;
          saved = current;
          status.textContent = result.body.message;
        } else {
          status.textContent = result.body.error || "Brouillon non enregistré.";
        }
      })
      .catch(function () { status.textContent = "Brouillon non enregistré (connexion perdue)."; })
      .then(function () { busy = false; });
  }
  window.setInterval(autosave, 20000);
})();
