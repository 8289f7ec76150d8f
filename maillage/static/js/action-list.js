/* Action list: progressive enhancement. Without JavaScript the search form is a plain GET form with a
   submit button; with it, ticking a facet or changing the sort updates the list in place, the URL
   follows (history.pushState) and the back button restores the previous list. */
(function () {
  "use strict";
  const form = document.querySelector("form[data-live-search]");
  if (!form || !window.fetch || !window.history.pushState) {
    return;
  }
  document.documentElement.classList.add("js");

  // On a phone, facets without a ticked value start folded so that the results are not pushed far down.
  function foldFacets(root) {
    if (window.matchMedia("(max-width: 991.98px)").matches) {
      root.querySelectorAll("details.facet:not([data-selected])").forEach(function (facet) {
        facet.open = false;
      });
    }
  }
  foldFacets(document);

  function urlOf(form) {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (value !== "") {
        params.append(name, value);
      }
    }
    const query = params.toString();
    return form.action + (query ? "?" + query : "");
  }

  async function load(url, push) {
    const region = document.getElementById("search-results");
    region.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("search-results");
      if (!fresh) {
        window.location.assign(url);
        return;
      }
      const focused = document.activeElement && document.activeElement.id;
      foldFacets(fresh);
      region.replaceWith(fresh);
      const again = focused && document.getElementById(focused);
      if (again) {
        again.focus();
      }
      const tools = page.querySelector(".list-tools");
      const oldTools = document.querySelector(".list-tools");
      if (tools && oldTools) {
        oldTools.replaceWith(tools);
      }
      document.title = page.title;
      if (push) {
        window.history.pushState({ live: true }, "", url);
      }
    } catch (error) {
      window.location.assign(url);
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox], select")) {
      load(urlOf(form), true);
    }
  });
  window.addEventListener("popstate", function () {
    load(window.location.href, false);
  });
})();
