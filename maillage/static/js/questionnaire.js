// The questionnaire section form, enhanced: questions shown only when their condition holds, autosave.
// Without this script every question is shown with its « Seulement si … » note and the person saves by hand.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire-form");
  if (!form) return;

  // --- Conditions (data-show-if on the question's block) ---------------------------------------------------
  var blocks = form.querySelectorAll("[data-show-if]");

  function inputsOf(code) {
    return form.querySelectorAll('[name="' + code + '"]');
  }

  function valueOf(code) {
    // The answer of a question on this page: a list for checkboxes, a string otherwise, null when unanswered.
    var inputs = inputsOf(code);
    if (!inputs.length) return undefined; // not on this page: the server decided
    var first = inputs[0];
    if (first.type === "checkbox") {
      var ticked = [];
      inputs.forEach(function (input) { if (input.checked) ticked.push(input.value); });
      return ticked.length ? ticked : null;
    }
    if (first.type === "radio") {
      var chosen = null;
      inputs.forEach(function (input) { if (input.checked) chosen = input.value; });
      return chosen;
    }
    return first.value.trim() === "" ? null : first.value.trim();
  }

  function number(text) {
    var cleaned = String(text).replace(/[\s\u00a0\u202f€%]/g, "").replace(",", ".");
    var parsed = parseFloat(cleaned);
    return isNaN(parsed) ? null : parsed;
  }

  function same(value, expected) {
    if (typeof expected === "boolean") return value === (expected ? "oui" : "non");
    if (typeof expected === "number") return number(value) === expected;
    return String(value) === String(expected);
  }

  function holds(rule, value) {
    if (value === null) return false;
    var values = Array.isArray(value) ? value : [value];
    switch (rule.operator) {
      case "answered": return true;
      case "is_true": return value === "oui";
      case "is_false": return value === "non";
      case "greater_than": return number(value) !== null && number(value) > rule.value;
      case "at_least": return number(value) !== null && number(value) >= rule.value;
      case "less_than": return number(value) !== null && number(value) < rule.value;
      case "in": return values.some(function (v) { return rule.value.some(function (e) { return same(v, e); }); });
      case "not_equals": return !values.some(function (v) { return same(v, rule.value); });
      default: return values.some(function (v) { return same(v, rule.value); }); // equals, contains
    }
  }

  function visible(code, seen) {
    var block = document.getElementById("q-" + code);
    if (!block || !block.hasAttribute("data-show-if")) return true;
    if (seen[code]) return false;
    seen[code] = true;
    var rule = JSON.parse(block.getAttribute("data-show-if"));
    var value = valueOf(rule.question);
    if (value === undefined) return rule.visible;
    return visible(rule.question, seen) && holds(rule, value);
  }

  function updateConditions() {
    blocks.forEach(function (block) {
      var shown = visible(block.getAttribute("data-question"), {});
      // A question with an error or a warning stays visible: the person must see it.
      block.hidden = !shown && !block.querySelector(".invalid-feedback, .alert-warning");
    });
  }
  if (blocks.length) {
    form.addEventListener("change", updateConditions);
    form.addEventListener("input", updateConditions);
    updateConditions();
  }

  // --- Autosave every 20 seconds when something changed ----------------------------------------------------
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var progress = document.getElementById("section-progress");
  if (!url || !window.fetch || !window.FormData) return;

  function signature(data) {
    var parts = [];
    data.forEach(function (value, name) { if (name !== "csrfmiddlewaretoken") parts.push(name + "=" + value); });
    return parts.join("&");
  }
  var saved = signature(new FormData(form));
  var busy = false;

  function autosave() {
    var data = new FormData(form);
    var current = signature(data);
    if (busy || current === saved) return;
    busy = true;
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (reply) {
        if (reply.ok && reply.body.saved) {
          saved = current;
          if (progress) {
            progress.textContent = reply.body.progress + " % de la section rempli (" + reply.body.answered +
              " réponse" + (reply.body.answered > 1 ? "s" : "") + " sur " + reply.body.total + ").";
          }
        }
        if (status) status.textContent = reply.body.message || "";
      })
      .catch(function () {
        if (status) status.textContent = "Enregistrement automatique impossible pour l'instant ; pensez à enregistrer.";
      })
      .then(function () { busy = false; });
  }
  window.setInterval(autosave, 20000);
})();
