// The meeting page's quorum box, refreshed every 5 seconds while registration runs.
(function () {
  "use strict";
  var box = document.getElementById("quorum");
  if (!box) { return; }
  var url = box.getAttribute("data-quorum-url");
  function show(figures) {
    document.getElementById("quorum-present").textContent = figures.present;
    document.getElementById("quorum-record").textContent = figures.members_of_record;
    document.getElementById("quorum-required").textContent = figures.required;
    var verdict = document.getElementById("quorum-verdict");
    verdict.textContent = figures.has_quorum
      ? "Quorum present: the meeting may transact business."
      : "No quorum: the meeting may only adjourn.";
    verdict.className = figures.has_quorum ? "ok" : "warn";
  }
  function refresh() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (figures) { if (figures) { show(figures); } })
      .catch(function () {});
  }
  window.setInterval(refresh, 5000);
})();
