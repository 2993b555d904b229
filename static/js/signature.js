// The signature pad of the visit page (templates/inspections/_signatures.html): the unit's
// representative or the team leader signs with a finger; "Lưu chữ ký" sends the drawing as a
// PNG through the phone's outbox when there is one (it keeps it until the link returns),
// else straight to the API with an Idempotency-Key. Without this script the form posts a
// photo of the signature instead.
(function () {
  "use strict";

  var form = document.querySelector("form.signature-form");
  if (!form || !window.SignaturePad) { return; }
  var area = form.querySelector(".signature-pad-area");
  var canvas = form.querySelector("canvas.signature-pad");
  var status = form.querySelector(".signature-status");
  var nameInput = form.elements.signer_name;
  var fileInput = form.elements.image;
  area.hidden = false;
  var pad = new window.SignaturePad(canvas, { penColor: "#0b1f66", minWidth: 0.8, maxWidth: 2.6 });

  // A canvas drawn at the screen's pixel density, and kept when the phone turns.
  function fit() {
    // Not shown yet (the checklist of a visit not started): measured when it is.
    if (!canvas.offsetWidth) { return; }
    var drawing = pad.isEmpty() ? null : pad.toData();
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (drawing) { pad.fromData(drawing); }
  }
  window.addEventListener("resize", fit);
  fit();

  function say(text, failed) {
    status.textContent = text;
    status.classList.toggle("text-danger", Boolean(failed));
  }

  form.querySelector(".signature-clear").addEventListener("click", function () {
    pad.clear();
    say("");
  });

  // The name follows the role chosen until the person types one of their own.
  var typedName = false;
  nameInput.addEventListener("input", function () { typedName = true; });
  Array.prototype.forEach.call(form.querySelectorAll("input[name=role]"), function (radio) {
    radio.addEventListener("change", function () {
      if (!typedName) { nameInput.value = radio.dataset.defaultName || ""; }
    });
  });

  function dataUrlToBlob(url) {
    var parts = url.split(","), bytes = atob(parts[1]), buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i += 1) { buffer[i] = bytes.charCodeAt(i); }
    return new Blob([buffer], { type: "image/png" });
  }

  function show(role, name, src, note) {
    var item = document.querySelector('[data-signature-role="' + role + '"]');
    if (!item) { return; }
    var image = item.querySelector("img.signature-image");
    if (!image) {
      image = document.createElement("img");
      image.className = "signature-image border rounded";
      item.insertBefore(image, item.querySelector(".signature-facts"));
    }
    image.src = src;
    image.alt = form.dataset.alt + " " + name;
    item.querySelector(".signature-facts").textContent = name + (note ? " · " + note : "");
  }

  // Sent from the outbox (at once, or when the network returned): said so.
  document.addEventListener("outbox:sent", function (event) {
    if (event.detail.entry.kind !== "signature") { return; }
    var saved = event.detail.data || {};
    if (saved.image_url) { show(saved.role && saved.role.code || saved.role, saved.signer_name, saved.image_url, ""); }
    say(form.dataset.saved);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var role = form.querySelector("input[name=role]:checked").value;
    var name = nameInput.value.trim();
    var photo = fileInput.files && fileInput.files[0];
    if (!name) { nameInput.focus(); nameInput.reportValidity(); return; }
    if (pad.isEmpty() && !photo) { say(form.dataset.empty, true); return; }
    var data = new FormData();
    data.append("role", role);
    data.append("signer_name", name);
    var preview = "";
    if (!pad.isEmpty()) {
      preview = pad.toDataURL("image/png");
      data.append("image", dataUrlToBlob(preview), "chu-ky.png");
    } else {
      data.append("image", photo, photo.name);
      preview = URL.createObjectURL(photo);
    }
    var url = form.dataset.api;
    if (window.visitOutbox) {
      Promise.resolve(window.visitOutbox.enqueue({
        url: url, method: "POST", form: data, label: form.dataset.outboxLabel, kind: "signature"
      })).then(function () {
        show(role, name, preview, form.dataset.pending);
        say(form.dataset.queued);
        pad.clear();
        fileInput.value = "";
      }, function () { say(form.dataset.failed, true); });
      return;
    }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Idempotency-Key": window.crypto.randomUUID(), "X-CSRFToken": form.elements.csrfmiddlewaretoken.value }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) {
        say(typeof answer.body.detail === "string" ? answer.body.detail : form.dataset.failed, true);
        return;
      }
      show(role, answer.body.signer_name, answer.body.image_url, "");
      say(form.dataset.saved);
      pad.clear();
      fileInput.value = "";
    }).catch(function () {
      say(form.dataset.failed, true);
    }).then(function () { button.disabled = false; });
  });
}());
