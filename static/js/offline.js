// The "no network" page: lists the field pages this phone keeps (recorded by outbox.js
// when it kept them), so that the inspector can go on without a network.
(function () {
  "use strict";
  var list = document.getElementById("kept-pages");
  if (!list) { return; }
  var kept = [];
  try { kept = JSON.parse(window.localStorage.getItem("pccovid-kept-pages") || "[]"); } catch (ignore) { kept = []; }
  if (!kept.length) {
    var empty = document.createElement("li");
    empty.textContent = list.dataset.empty;
    list.appendChild(empty);
    return;
  }
  kept.forEach(function (page) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.title || page.url;
    item.appendChild(link);
    list.appendChild(item);
  });
}());
