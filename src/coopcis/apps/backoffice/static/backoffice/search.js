// Search as people type: while staff type in the search box, fetch the results alone
// (?live=1) and put them under the box. Without this script the form works as before:
// Enter submits it (and an exact account number or meter serial opens the account).
(function () {
  "use strict";
  var input = document.querySelector("input[data-live-search]");
  var results = document.getElementById("search-results");
  if (!input || !results || !window.fetch) {
    return;
  }
  var form = input.form;
  var DELAY_MS = 200;
  var MIN_CHARACTERS = 2;
  var timer = null;
  var latest = 0;
  var controller = null;

  function show(text, asked) {
    if (asked !== latest) {
      return; // an older answer arriving late never replaces a newer one
    }
    results.innerHTML = text;
  }

  function search() {
    var query = input.value.trim();
    var asked = ++latest;
    if (controller) {
      controller.abort();
    }
    var address = new URL(form.action, window.location.href);
    if (query.length < MIN_CHARACTERS) {
      show("", asked);
      window.history.replaceState(null, "", address.pathname);
      return;
    }
    address.searchParams.set("q", query);
    window.history.replaceState(null, "", address.pathname + address.search);
    address.searchParams.set("live", "1");
    controller = window.AbortController ? new AbortController() : null;
    fetch(address.toString(), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("search answered " + response.status);
        }
        return response.text();
      })
      .then(function (text) {
        show(text, asked);
      })
      .catch(function () {
        // aborted or signed out: the form still works with Enter
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY_MS);
  });
})();
