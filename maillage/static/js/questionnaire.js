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

  // --- Autosave: 2 s after typing stops, every 20 s, and when the page is hidden or left --------------------
  // The status (aria-live) says « Enregistrement… », « Enregistré à 14 h 32 » or why nothing was saved; after a
  // failed save the page warns before it is left (beforeunload), and the typed text stays in the form.
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var progress = document.getElementById("section-progress");
  if (!url || !window.fetch || !window.FormData) return;
  var DEBOUNCE_MS = 2000;
  var INTERVAL_MS = 20000;
  var EXPIRED = "Non enregistré : votre session a peut-être expiré. Reconnectez-vous dans un autre onglet " +
    "sans fermer celui-ci, puis enregistrez.";
  var OFFLINE = "Hors ligne : non enregistré. Gardez cette page ouverte et enregistrez une fois la connexion revenue.";

  function signature(data) {
    var parts = [];
    data.forEach(function (value, name) { if (name !== "csrfmiddlewaretoken") parts.push(name + "=" + value); });
    return parts.join("&");
  }
  var saved = signature(new FormData(form));
  var busy = false;
  var failed = false;
  var submitting = false;
  var timer = null;
  var sentOnLeaving = null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function clock(date) {
    var hours = date.getHours(), minutes = date.getMinutes();
    return hours + " h " + (minutes < 10 ? "0" : "") + minutes;
  }

  function refused(text) {
    failed = true;
    say(text);
  }

  function dirty() {
    return signature(new FormData(form)) !== saved;
  }

  function autosave() {
    window.clearTimeout(timer);
    var data = new FormData(form);
    var current = signature(data);
    if (busy || current === saved) return;
    busy = true;
    say("Enregistrement…");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          // The login page (session expired) or a refusal page (CSRF): nothing was saved.
          refused(EXPIRED);
          return;
        }
        return response.json().then(function (body) {
          if (response.ok && body.saved) {
            saved = current;
            failed = false;
            say("Enregistré à " + (body.saved_at || clock(new Date())));
            if (progress) {
              progress.textContent = body.progress + " % de la section rempli (" + body.answered +
                " réponse" + (body.answered > 1 ? "s" : "") + " sur " + body.total + ").";
            }
          } else {
            refused("Non enregistré : " + (body.message || "le serveur a refusé l'enregistrement."));
          }
        });
      })
      .catch(function () {
        refused(OFFLINE);
      })
      .then(function () {
        busy = false;
        if (dirty()) schedule(); // typed while the save ran
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, DEBOUNCE_MS);
  }

  function saveOnLeaving() {
    // The page is hidden or left: a request that outlives it (keepalive, or a beacon), with the CSRF token.
    if (submitting || !dirty()) return;
    var data = new FormData(form);
    var current = signature(data);
    if (current === sentOnLeaving) return; // hidden, then left: one request is enough
    sentOnLeaving = current;
    var sent = false;
    try {
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.ok && json) {
          saved = current;
          failed = false;
          say("Enregistré à " + clock(new Date()));
        } else {
          sentOnLeaving = null; // still here (the tab was only hidden): say it, and try again on leaving
          refused(EXPIRED);
        }
      }).catch(function () {
        sentOnLeaving = null;
        refused(OFFLINE);
      });
      sent = true;
    } catch (error) {
      sent = false;
    }
    if (!sent && navigator.sendBeacon) navigator.sendBeacon(url, data);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () { submitting = true; window.clearTimeout(timer); });
  window.setInterval(autosave, INTERVAL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveOnLeaving();
  });
  window.addEventListener("pagehide", saveOnLeaving);
  window.addEventListener("pageshow", function () { submitting = false; });
  window.addEventListener("beforeunload", function (event) {
    // Warn only when the last save failed (offline, session expired) and the text is not saved yet.
    if (submitting || !failed || !dirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });
  window.addEventListener("online", function () { if (failed) autosave(); });
})();
