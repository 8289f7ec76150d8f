// The page of a background import, kept up to date: its state is asked every second (JSON) and the page reloads
// once the job is finished, to show the report. Without this script the « Actualiser » link does the same.
(function () {
  "use strict";
  var box = document.getElementById("import-state");
  if (!box || !box.getAttribute("data-state-url")) return;
  var url = box.getAttribute("data-state-url");
  var bar = document.getElementById("import-progress");
  var failures = 0;

  function show(name, text) {
    var element = box.querySelector('[data-job="' + name + '"]');
    if (element && element.textContent !== text) element.textContent = text;
  }

  function update(state) {
    show("label", state.label);
    show("phase", state.phase);
    var detail = "";
    if (state.percent !== null) {
      detail = state.percent + " %";
      if (state.lines) detail += " (" + state.lines + ")";
      bar.value = state.percent;
      bar.textContent = state.percent + " %";
    }
    show("detail", detail);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (state.finished) {
          window.location.reload();
          return;
        }
        update(state);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 10) window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 1000);
})();
