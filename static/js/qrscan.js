// Reading a QR code with the phone's camera (getUserMedia, the back camera): frames are
// decoded by the browser's BarcodeDetector where it has one that reads QR codes, else by
// jsQR (static/vendor/jsqr). Used by two page parts, each a `.qr-scanner`:
// - data-mode="record" (templates/inspections/_qr_scan.html): the code read at the unit's
//   door goes to the server, through the phone's outbox when there is one, else to the API
//   with an Idempotency-Key; the form beside it sends a typed code the same way;
// - data-mode="fill" (templates/inspections/transcribe_start.html): the code read fills the
//   form's field and the form is sent.
(function () {
  "use strict";

  function detector() {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }, function () { return null; });
  }

  // Calls onCode(text) once with the first code read; returns a function that stops the camera.
  function scan(video, onCode, onError) {
    var stream = null, stopped = false, canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    function stop() {
      stopped = true;
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      video.srcObject = null;
    }
    function withJsQR() {
      if (!video.videoWidth || !window.jsQR) { return null; }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "attemptBoth" });
      return found ? found.data : null;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        return Promise.all([video.play(), detector()]);
      })
      .then(function (ready) {
        var native = ready[1];
        function tick() {
          if (stopped) { return; }
          var read = native && video.readyState >= 2
            ? native.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; },
              function () { return withJsQR(); })
            : Promise.resolve(withJsQR());
          read.then(function (text) {
            if (stopped) { return; }
            if (text) { stop(); onCode(text); } else { setTimeout(tick, 150); }
          });
        }
        tick();
      })
      .catch(function (error) { stop(); onError(error); });
    return stop;
  }

  function csrf(root) {
    var field = root.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function send(root, code, method, say) {
    var body = { code: code, method: method };
    if (window.visitOutbox) {
      body.scanned_at = new Date().toISOString();
      return Promise.resolve(window.visitOutbox.enqueue({
        url: root.dataset.api, method: "POST", json: body, label: root.dataset.outboxLabel, kind: "qr"
      })).then(function () { say(root.dataset.queued + " (" + code + ")"); },
        function () { say(root.dataset.failed, true); });
    }
    return fetch(root.dataset.api, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Idempotency-Key": window.crypto.randomUUID(),
        "X-CSRFToken": csrf(root) }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          say(typeof answer.detail === "string" ? answer.detail : root.dataset.failed, true);
          return;
        }
        recorded(root, answer, say);
      });
    }).catch(function () { say(root.dataset.failed, true); });
  }

  // What the server made of the code: said, and added to the visit's list of codes read.
  function recorded(root, answer, say) {
    say(answer.in_words);
    var list = root.parentNode.querySelector(".qr-scan-list");
    if (list) {
      var line = document.createElement("li");
      var strong = document.createElement("strong");
      strong.textContent = answer.in_words;
      line.appendChild(strong);
      line.appendChild(document.createTextNode(" · " + answer.method.label));
      list.appendChild(line);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".qr-scanner"), function (root) {
    var start = root.querySelector(".qr-start");
    var camera = root.querySelector(".qr-camera");
    var video = root.querySelector("video");
    var status = root.querySelector(".qr-status");
    var form = root.querySelector("form");
    var stop = null;
    function say(text, failed) {
      status.textContent = text;
      status.classList.toggle("text-danger", Boolean(failed));
    }
    // A code sent from the outbox (at once, or when the network returned): its result shown.
    document.addEventListener("outbox:sent", function (event) {
      if (event.detail.entry.kind === "qr" && event.detail.entry.url === root.dataset.api) {
        recorded(root, event.detail.data || {}, say);
      }
    });
    function close() {
      if (stop) { stop(); stop = null; }
      camera.hidden = true;
      start.hidden = false;
    }
    function found(text) {
      close();
      if (root.dataset.mode === "fill") {
        form.elements.code.value = text;
        form.submit();
      } else {
        send(root, text, "camera", say);
      }
    }
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      start.hidden = false;
      start.addEventListener("click", function () {
        start.hidden = true;
        camera.hidden = false;
        say(root.dataset.looking);
        stop = scan(video, found, function () { close(); say(root.dataset.noCamera, true); });
      });
      root.querySelector(".qr-stop").addEventListener("click", function () { close(); say(""); });
    }
    if (root.dataset.mode === "record") {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var code = form.elements.code.value.trim();
        if (!code) { form.elements.code.reportValidity(); return; }
        send(root, code, "typed", say).then(function () { form.elements.code.value = ""; });
      });
    }
  });
}());
