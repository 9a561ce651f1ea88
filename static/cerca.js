// Suggestions while typing, as options of the search box's native <datalist> (accessible
// by default). Without this script the datalist still offers the themes.
(function () {
  "use strict";
  var input = document.getElementById("q-top");
  var list = document.getElementById("suggeriments");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var asked = "";
  function update() {
    var q = input.value.trim();
    if (q.length < 2 || q === asked) return;
    asked = q;
    fetch("/api/suggeriments?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || input.value.trim() !== q) return;
        var options = data.suggestions.map(function (s) {
          var o = document.createElement("option");
          o.value = s.text;
          return o;
        });
        list.replaceChildren.apply(list, options);
      })
      .catch(function () { /* suggestions are optional */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
})();
