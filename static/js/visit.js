// The visit page on a phone with a weak link: answers save as they change (htmx);
// an answer that did not reach the server says so and is sent again until it does.
(function () {
  "use strict";

  function mark(form, text) {
    var status = form.querySelector(".save-status");
    if (status) { status.textContent = text; status.classList.add("text-danger"); }
  }

  document.body.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt.closest("form.answer");
    if (!form) { return; }
    mark(form, form.dataset.unsaved);
    setTimeout(function () { window.htmx.trigger(form, "change"); }, 5000);
  });

  // Error answers (422) still replace the item, so the message shows under it.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });

  // Share the location when starting a visit, if the inspector's phone allows it.
  var start = document.querySelector("form.start-visit");
  if (start && navigator.geolocation) {
    start.addEventListener("submit", function (event) {
      if (start.dataset.located) { return; }
      event.preventDefault();
      var send = function () { start.dataset.located = "1"; start.submit(); };
      navigator.geolocation.getCurrentPosition(function (position) {
        start.elements.latitude.value = position.coords.latitude.toFixed(6);
        start.elements.longitude.value = position.coords.longitude.toFixed(6);
        start.elements.accuracy.value = Math.round(position.coords.accuracy);
        send();
      }, send, { timeout: 5000, maximumAge: 60000 });
    });
  }

  // One tap submits once: the button is disabled after the first.
  var submit = document.querySelector("form.submit-visit");
  if (submit) {
    submit.addEventListener("submit", function () {
      var button = submit.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
    });
  }
}());
