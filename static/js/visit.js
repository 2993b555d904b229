// The visit page on an inspector's phone (docs/offline.md). Every field saves as it is
// entered, through the phone's outbox (static/js/outbox.js): answers, figures, the
// statement, corrections, photos, the start and the submission; nothing reloads the page
// and nothing typed is lost — a reload, even offline, shows what waits with "waiting to be
// sent", and text still being typed is kept as a draft on the phone. Errors show beside
// their field, with what was typed kept. The conclusion per criterion and the answers
// that need a photo follow the answers as they change (the rules of
// inspections/fieldwork.py and evidence.py, applied to the page's data).
//
// Without JavaScript every form posts to its own page view, as before.
(function () {
  "use strict";
  var root = document.getElementById("visit");
  var outbox = window.visitOutbox;
  if (!root) { return; }
  var visitId = root.dataset.visit;
  var api = root.dataset.api;
  var status = root.dataset.status;
  var labels = JSON.parse(root.dataset.conclusionLabels || "{}");
  var codes = JSON.parse(root.dataset.conclusionCodes || "{}");
  var checklist = document.getElementById("checklist");
  var startForm = document.querySelector("form.start-visit");
  var figuresForm = document.querySelector("form.figures");
  var evidenceForm = document.querySelector("form.evidence");
  var correctionForm = document.querySelector("form.correction");
  var submitForm = document.querySelector("form.submit-visit");
  var photoList = document.getElementById("photo-list");
  var correctionList = document.getElementById("correction-list");
  var DRAFT = "pccovid-draft:" + visitId + ":";

  function t(name) { return root.dataset["t" + name] || ""; }
  function answerForms() { return Array.prototype.slice.call(document.querySelectorAll("form.answer")); }
  function formFor(itemId) { return document.getElementById("item-" + itemId); }
  function pad(n) { return String(n).padStart(2, "0"); }
  function clock(moment) { return pad(moment.getHours()) + ":" + pad(moment.getMinutes()) + ":" + pad(moment.getSeconds()); }
  var timers = {};
  function debounce(fn, wait) {
    return function (key, arg) {
      if (timers[key]) { clearTimeout(timers[key].id); }
      timers[key] = { run: function () { return fn(arg); } };
      timers[key].id = setTimeout(function () { delete timers[key]; fn(arg); }, wait);
    };
  }
  // Before a submission: what was still being typed goes to the outbox now, ahead of it.
  function flushTimers() {
    return Promise.all(Object.keys(timers).map(function (key) {
      var timer = timers[key];
      clearTimeout(timer.id);
      delete timers[key];
      return timer.run();
    }));
  }

  // ------------------------------------------------------------------ drafts

  // What is typed is kept on the phone at once, until it is in the outbox (or refused
  // there): a reload or a dropped connection mid-sentence loses nothing.
  function keepDraft(input) {
    if (!input.id || input.type === "file" || input.type === "hidden" || input.type === "radio") { return; }
    try { window.localStorage.setItem(DRAFT + input.id, input.value); } catch (ignore) { /* storage full */ }
  }
  function dropDraft(input) { if (input && input.id) { window.localStorage.removeItem(DRAFT + input.id); } }
  function restoreDrafts() {
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf(DRAFT) !== 0) { return; }
      var input = document.getElementById(key.slice(DRAFT.length));
      if (input && !input.disabled && input.value !== window.localStorage.getItem(key)) {
        input.value = window.localStorage.getItem(key);
      }
    });
  }

  // ------------------------------------------------------------------ field messages

  function fieldError(input, message) {
    if (!input) { return; }
    var holder = input.closest(".mb-3, .col-6, .col-12, div") || input.parentNode;
    var id = input.id + "-error";
    var note = document.getElementById(id);
    if (!message) {
      if (note) { note.remove(); }
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!note) {
      note = document.createElement("div");
      note.id = id;
      note.className = "invalid-feedback d-block";
      note.setAttribute("role", "alert");
      holder.appendChild(note);
    }
    note.textContent = message;
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
  }

  function setStatus(form, message, kind) {
    var holder = form.querySelector(".save-status");
    if (!holder) { return; }
    holder.textContent = message;
    holder.classList.toggle("text-danger", kind === "error" || kind === "conflict");
    holder.classList.toggle("text-body-secondary", kind !== "error" && kind !== "conflict");
  }

  // ------------------------------------------------------------------ answers

  function answerValue(form) {
    if (form.dataset.kind === "yes_no") {
      var checked = form.querySelector("input[name=value]:checked");
      return checked ? checked.value : null;
    }
    var input = form.querySelector("[name=value]");
    if (!input || input.value.trim() === "") { return null; }
    return input.value.trim();
  }

  function answerWords(form, value) {
    if (value === null) { return "—"; }
    if (form.dataset.kind === "yes_no") {
      var label = form.querySelector("label[for=v-" + form.dataset.item + "-" + value + "]");
      return label ? label.textContent : value;
    }
    return value;
  }

  function setAnswer(form, value, note) {
    if (form.dataset.kind === "yes_no") {
      form.querySelectorAll("input[name=value]").forEach(function (radio) { radio.checked = radio.value === value; });
    } else {
      var input = form.querySelector("[name=value]");
      if (input) { input.value = value === null || value === undefined ? "" : value; }
    }
    var noteInput = form.querySelector("[name=note]");
    if (noteInput && note !== undefined) { noteInput.value = note || ""; }
  }

  function question(form) {
    var legend = form.querySelector("legend");
    return legend ? legend.textContent.replace(/\s*\*\s*required\s*$/i, "").replace(/\s+/g, " ").trim() : "";
  }

  function sendAnswer(form) {
    var value = answerValue(form);
    var note = form.querySelector("[name=note]");
    var said = JSON.stringify([value, note ? note.value : ""]);
    if (timers[form.id]) { clearTimeout(timers[form.id].id); delete timers[form.id]; }
    rules();
    if (form.dataset.said === said) { return Promise.resolve(); }  // the same answer: already on its way
    form.dataset.said = said;
    setStatus(form, t("Waiting"), "pending");
    return outbox.enqueue({
      url: api + "answers", kind: "answer", visit: visitId, field: "answer:" + form.dataset.item, seen: status,
      json: { item_id: Number(form.dataset.item), value: value, note: note ? note.value : "",
              base: form.dataset.base || null },
      label: question(form).slice(0, 90), display: answerWords(form, value)
    }).then(function () {
      form.querySelectorAll("input[type=text], textarea").forEach(dropDraft);
    });
  }
  var sendAnswerSoon = debounce(sendAnswer, 700);

  // ------------------------------------------------------------------ the rules, as on the server

  function numberOf(value) {
    if (typeof value === "number") { return value; }
    var number = parseFloat(String(value).replace(",", "."));
    return isNaN(number) ? null : number;
  }

  // inspections/fieldwork.py is_noncompliant
  function noncompliant(rule, value, kind) {
    if (rule === null || value === null || value === "na") { return false; }
    if (typeof rule === "object") {
      if (kind !== "number" && kind !== "percentage") { return false; }
      var number = numberOf(value);
      if (number === null) { return false; }
      return ("lt" in rule && number < rule.lt) || ("gt" in rule && number > rule.gt);
    }
    return value === rule;
  }

  function ruleOf(form, name) {
    var raw = form.dataset[name];
    return raw ? JSON.parse(raw) : null;
  }

  // inspections/fieldwork.py compute_conclusion
  function conclusion() {
    var marks = {};
    answerForms().forEach(function (form) {
      var rule = ruleOf(form, "rule");
      if (rule === null) { return; }
      var value = answerValue(form);
      if (value === null || value === "na") { return; }
      (marks[form.dataset.section] = marks[form.dataset.section] || []).push(noncompliant(rule, value, form.dataset.kind));
    });
    var result = {};
    Object.keys(marks).sort().forEach(function (code) {
      var failed = marks[code].filter(Boolean).length;
      result[code] = failed === 0 ? codes.compliant : 2 * failed >= marks[code].length ? codes.noncompliant : codes.partly;
    });
    var values = Object.keys(result).map(function (code) { return result[code]; });
    if (values.length) {
      var distinct = values.filter(function (v, i) { return values.indexOf(v) === i; });
      result.overall = distinct.length === 1 && (distinct[0] === codes.compliant || distinct[0] === codes.noncompliant) ?
        distinct[0] : codes.partly;
    }
    return result;
  }

  function photographed() {
    var items = {};
    if (photoList) {
      photoList.querySelectorAll("li[data-item]").forEach(function (li) { if (li.dataset.item) { items[li.dataset.item] = true; } });
    }
    return items;
  }

  // The answers that need a photo (inspections/evidence.py photos_missing), said at once.
  function rules() {
    var withPhoto = photographed();
    answerForms().forEach(function (form) {
      var photoRule = ruleOf(form, "photoRule");
      var needs = photoRule !== null && answerValue(form) === photoRule && !withPhoto[form.dataset.item];
      var note = form.querySelector(".photo-needed");
      if (note) { note.hidden = !needs; }
    });
    var shown = document.querySelector("#live-conclusion .conclusion-values");
    if (shown) {
      var result = conclusion();
      var parts = Object.keys(result).filter(function (code) { return code !== "overall"; }).map(function (code) {
        return code + ") " + (labels[result[code]] || result[code]);
      });
      if (result.overall) { parts.push(t("Overall") + " " + (labels[result.overall] || result.overall)); }
      shown.textContent = parts.length ? parts.join(" · ") : "—";
    }
    var progress = document.getElementById("progress");
    if (progress) {
      progress.value = answerForms().filter(function (form) {
        return answerValue(form) !== null || (form.dataset.kind === "photo" && withPhoto[form.dataset.item]);
      }).length;
    }
  }

  function problemsBeforeSubmitting() {
    var withPhoto = photographed();
    var missing = [];
    var photos = [];
    answerForms().forEach(function (form) {
      var answered = form.dataset.kind === "photo" ? withPhoto[form.dataset.item] : answerValue(form) !== null;
      if (form.dataset.required && !answered) { missing.push(form.dataset.code); }
      var photoRule = ruleOf(form, "photoRule");
      if (photoRule !== null && answerValue(form) === photoRule && !withPhoto[form.dataset.item]) {
        photos.push(form.dataset.code);
      }
    });
    if (missing.length) { return t("Required").replace("%(codes)s", missing.join(", ")); }
    if (photos.length) { return t("Photos").replace("%(codes)s", photos.join(", ")); }
    return "";
  }

  // ------------------------------------------------------------------ start and submit

  function started() {
    status = "in_progress";
    root.dataset.status = status;
    if (startForm) { startForm.hidden = true; }
    if (checklist) { checklist.hidden = false; }
    document.querySelectorAll("form.answer fieldset").forEach(function (set) { set.disabled = false; });
    var shown = document.getElementById("visit-status");
    if (shown) { shown.textContent = t("Started"); }
    // The parts drawn to their width (the signature pad) measure themselves again, now shown.
    window.dispatchEvent(new Event("resize"));
  }

  function submitted() {
    document.querySelectorAll("#checklist form").forEach(function (form) {
      form.querySelectorAll("input, select, textarea, button").forEach(function (control) { control.disabled = true; });
    });
    var shown = document.getElementById("visit-status");
    if (shown) { shown.textContent = t("Submitted"); }
  }

  function locate() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve({}); return; }
      navigator.geolocation.getCurrentPosition(function (position) {
        resolve({ latitude: Number(position.coords.latitude.toFixed(6)),
                  longitude: Number(position.coords.longitude.toFixed(6)),
                  accuracy: Math.round(position.coords.accuracy) });
      }, function () { resolve({}); }, { timeout: 5000, maximumAge: 60000 });
    });
  }

  // ------------------------------------------------------------------ figures, statement

  var FIGURES = ["staff_total", "staff_with_app", "qr_codes", "scans_last_7_days", "portal_accounts"];

  // dd/mm/yyyy [hh:mm] → ISO 8601 in Hà Tĩnh's time, or null; undefined if not a date.
  function parseMoment(text, withTime) {
    text = (text || "").trim();
    if (!text) { return null; }
    var match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text);
    if (!match) { return undefined; }
    var day = Number(match[1]), month = Number(match[2]), year = Number(match[3]);
    var check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) { return undefined; }
    var date = year + "-" + pad(month) + "-" + pad(day);
    if (!withTime) { return date; }
    var hour = match[4] ? Number(match[4]) : 0, minute = match[5] ? Number(match[5]) : 0;
    if (hour > 23 || minute > 59) { return undefined; }
    return date + "T" + pad(hour) + ":" + pad(minute) + ":00+07:00";
  }

  function sendFigures() {
    var body = {};
    var wrong = false;
    FIGURES.forEach(function (name) {
      var input = figuresForm.elements[name];
      var text = input.value.trim();
      fieldError(input, "");
      if (text === "") { body[name] = null; return; }
      if (!/^\d+$/.test(text)) { fieldError(input, t("NotNumber")); wrong = true; return; }
      body[name] = Number(text);
    });
    if (!wrong && body.staff_total !== null && body.staff_with_app !== null && body.staff_with_app > body.staff_total) {
      fieldError(figuresForm.elements.staff_with_app, t("MoreStaff"));
      wrong = true;
    }
    var taken = figuresForm.elements.taken_at;
    fieldError(taken, "");
    var moment = parseMoment(taken.value, true);
    if (moment === undefined) { fieldError(taken, t("Date")); wrong = true; }
    if (wrong) { setStatus(figuresForm, "", ""); return Promise.resolve(); }
    body.taken_at = moment;
    setStatus(figuresForm, t("Waiting"), "pending");
    return outbox.enqueue({
      url: api + "figures", kind: "figures", visit: visitId, field: "figures", seen: status, json: body,
      label: document.getElementById("figures-heading").textContent,
      display: FIGURES.map(function (name) { return body[name] === null ? "—" : body[name]; }).join(" · ")
    });
  }
  var sendFiguresSoon = debounce(sendFigures, 800);

  function sendStatement(textarea) {
    var body = {};
    body[textarea.name] = textarea.value;
    var label = document.querySelector("label[for=" + textarea.id + "]");
    return outbox.enqueue({
      url: api + "statement", kind: "statement", visit: visitId, field: "statement:" + textarea.name, seen: status,
      json: body, label: label ? label.textContent : textarea.name, display: textarea.value.slice(0, 120)
    }).then(function () { dropDraft(textarea); });
  }
  var sendStatementSoon = debounce(sendStatement, 800);

  // ------------------------------------------------------------------ corrections, photos

  function correctionRow(entry) {
    var li = document.createElement("li");
    li.dataset.seq = entry.seq;
    li.className = "outbox-row";
    var day = entry.json.deadline.split("-").reverse().join("/");
    li.textContent = entry.json.description + " — " + t("By").replace("%(day)s", day) + " ";
    var badge = document.createElement("span");
    badge.className = "badge text-bg-secondary";
    badge.textContent = t("Waiting");
    li.appendChild(badge);
    return li;
  }

  function sendCorrection() {
    var description = correctionForm.elements.description;
    var deadline = correctionForm.elements.deadline;
    fieldError(description, "");
    fieldError(deadline, "");
    var day = parseMoment(deadline.value, false);
    var wrong = false;
    if (!description.value.trim()) { fieldError(description, t("SayWhat")); wrong = true; }
    if (!day) { fieldError(deadline, t("Date")); wrong = true; }
    else if (day < root.dataset.day) { fieldError(deadline, t("BeforeVisit")); wrong = true; }
    if (wrong) { (description.value.trim() ? deadline : description).focus(); return; }
    outbox.enqueue({
      url: api + "corrections", kind: "correction", visit: visitId, seen: status,
      json: { description: description.value.trim(), deadline: day },
      label: document.getElementById("corrections-heading").textContent, display: description.value.trim()
    }).then(function (entry) {
      correctionList.appendChild(correctionRow(entry));
      correctionForm.reset();
      dropDraft(description);
      dropDraft(deadline);
    });
  }

  function photoRow(entry, file) {
    var li = document.createElement("li");
    li.className = "col-6 col-md-3 outbox-row";
    li.dataset.seq = entry.seq;
    var item = (entry.form || []).filter(function (part) { return part[0] === "item_id"; })[0];
    li.dataset.item = item ? item[1] : "";
    var img = document.createElement("img");
    img.className = "img-fluid rounded";
    img.alt = file.name || "";
    img.src = URL.createObjectURL(file);
    var caption = document.createElement("div");
    caption.className = "small text-body-secondary";
    var badge = document.createElement("span");
    badge.className = "badge text-bg-secondary";
    badge.textContent = t("Waiting");
    caption.appendChild(badge);
    li.append(img, caption);
    return li;
  }

  function sendPhoto() {
    var input = evidenceForm.elements.photo;
    fieldError(input, "");
    var file = input.files && input.files[0];
    if (!file) { fieldError(input, t("ChoosePhoto")); input.focus(); return; }
    var form = new FormData();
    form.append("photo", file, file.name);
    var item = evidenceForm.elements.namedItem("item");  // (elements.item is the collection's own method)
    if (item && item.value) { form.append("item_id", item.value); }
    form.append("note", evidenceForm.elements.note ? evidenceForm.elements.note.value : "");
    form.append("keep_metadata", evidenceForm.elements.keep_metadata && evidenceForm.elements.keep_metadata.checked ? "true" : "false");
    form.append("captured_at", new Date(file.lastModified || Date.now()).toISOString());
    outbox.enqueue({
      url: api + "evidence", kind: "evidence", visit: visitId, form: form,
      label: document.getElementById("evidence-heading").textContent + ": " + file.name, display: file.name
    }).then(function (entry) {
      photoList.appendChild(photoRow(entry, file));
      evidenceForm.reset();
      rules();
    });
  }

  // ------------------------------------------------------------------ what the outbox says

  function rowFor(list, seq) { return list ? list.querySelector("li[data-seq='" + seq + "']") : null; }

  function applyEntry(entry) {
    if (entry.visit !== visitId) { return; }
    var refused = entry.state === "error" || entry.state === "conflict";
    var note = refused ? (entry.state === "conflict" ? t("Conflict") : entry.message + " — " + t("Refused")) : t("Waiting");
    if (entry.kind === "start") { started(); }
    if (entry.kind === "answer") {
      var form = formFor(entry.json.item_id);
      if (!form) { return; }
      setAnswer(form, entry.json.value, entry.json.note);
      setStatus(form, note, refused ? entry.state : "pending");
    }
    if (entry.kind === "figures" && figuresForm) {
      FIGURES.forEach(function (name) {
        figuresForm.elements[name].value = entry.json[name] === null ? "" : entry.json[name];
      });
      setStatus(figuresForm, refused ? entry.message : t("Waiting"), refused ? "error" : "pending");
      Object.keys(entry.fields || {}).forEach(function (name) { fieldError(figuresForm.elements[name], entry.fields[name]); });
    }
    if (entry.kind === "statement" && submitForm) {
      Object.keys(entry.json).forEach(function (name) {
        if (submitForm.elements[name]) { submitForm.elements[name].value = entry.json[name]; }
      });
    }
    if (entry.kind === "correction" && correctionList) {
      var row = rowFor(correctionList, entry.seq) || correctionList.appendChild(correctionRow(entry));
      markRow(row, entry, function () {
        correctionForm.elements.description.value = entry.json.description;
        correctionForm.elements.deadline.value = entry.json.deadline.split("-").reverse().join("/");
        outbox.discard(entry.seq);
        correctionForm.elements.description.focus();
      });
    }
    if (entry.kind === "evidence" && photoList) {
      var photo = entry.form.filter(function (part) { return part[0] === "photo"; })[0];
      var li = rowFor(photoList, entry.seq) || (photo && photoList.appendChild(photoRow(entry, photo[1])));
      if (li) { markRow(li, entry, null); }
    }
    if (entry.kind === "submit") {
      if (refused) { showSubmitError(entry.message); } else { submitted(); }
    }
  }

  function markRow(row, entry, edit) {
    var badge = row.querySelector(".badge");
    var refused = entry.state === "error" || entry.state === "conflict";
    if (badge) {
      badge.textContent = refused ? entry.message : t("Waiting");
      badge.className = "badge text-wrap " + (refused ? "text-bg-danger" : "text-bg-secondary");
    }
    if (refused && edit && !row.querySelector("button")) {
      var again = document.createElement("button");
      again.type = "button";
      again.className = "btn btn-link btn-sm";
      again.textContent = t("Edit");
      again.addEventListener("click", function () { row.remove(); edit(); });
      row.appendChild(again);
    }
  }

  function showSubmitError(message) {
    var box = document.getElementById("submit-errors");
    if (!box) { return; }
    box.textContent = message;
    box.hidden = !message;
    if (message) { box.focus(); box.scrollIntoView({ block: "center" }); }
  }

  function sent(entry, data) {
    if (entry.visit !== visitId) { return; }
    if (entry.kind === "answer") {
      var form = formFor(entry.json.item_id);
      if (form) {
        form.dataset.base = data.saved_at || "";
        setStatus(form, t("Saved") + " " + clock(new Date()), "saved");
      }
    }
    if (entry.kind === "figures" && figuresForm) {
      setStatus(figuresForm, t("Saved") + " " + clock(new Date()), "saved");
      FIGURES.concat(["taken_at"]).forEach(function (name) { dropDraft(figuresForm.elements[name]); });
    }
    if (entry.kind === "start" && data.status) {
      var shown = document.getElementById("visit-status");
      if (shown) { shown.textContent = data.status.label; }
    }
    if (entry.kind === "correction") {
      var row = rowFor(correctionList, entry.seq);
      if (row) { row.querySelector(".badge").remove(); row.removeAttribute("data-seq"); }
    }
    if (entry.kind === "evidence") {
      var li = rowFor(photoList, entry.seq);
      if (li) { li.querySelector(".badge").remove(); li.removeAttribute("data-seq"); }
    }
    if (entry.kind === "submit") {
      // Submitted: the page as the server now shows it (read-only), kept for offline use.
      window.location.reload();
    }
  }

  function discarded(entry) {
    if (entry.visit !== visitId) { return; }
    if (entry.kind === "answer" && formFor(entry.json.item_id)) { delete formFor(entry.json.item_id).dataset.said; }
    if (!entry.server) { return; }
    if (entry.kind === "answer" && entry.server.answer) {
      var form = formFor(entry.json.item_id);
      if (form) {
        setAnswer(form, entry.server.answer.value, entry.server.answer.note);
        form.dataset.base = entry.server.answer.saved_at;
        setStatus(form, t("Saved"), "saved");
        rules();
      }
    }
  }

  // ------------------------------------------------------------------ wiring

  if (!outbox) {
    // No outbox (a browser without IndexedDB): each answer posts its form as it changes.
    answerForms().forEach(function (form) {
      form.addEventListener("change", function () { form.submit(); });
    });
    return;
  }

  answerForms().forEach(function (form) {
    form.addEventListener("change", function () { sendAnswer(form); });
    form.addEventListener("input", function (event) {
      keepDraft(event.target);
      if (event.target.type !== "radio") { sendAnswerSoon(form.id, form); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); sendAnswer(form); });
  });

  if (figuresForm) {
    figuresForm.addEventListener("input", function (event) { keepDraft(event.target); sendFiguresSoon("figures"); });
    figuresForm.addEventListener("submit", function (event) { event.preventDefault(); sendFigures(); });
  }
  if (submitForm) {
    ["shortcomings", "unit_statement", "recommendations"].forEach(function (name) {
      var textarea = submitForm.elements[name];
      if (!textarea) { return; }
      textarea.addEventListener("input", function () { keepDraft(textarea); sendStatementSoon(name, textarea); });
    });
    submitForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = submitForm.querySelector("button[type=submit]");
      if (button.disabled) { return; }  // one tap submits once
      var problem = problemsBeforeSubmitting();
      showSubmitError(problem);
      if (problem) { return; }
      button.disabled = true;
      var texts = ["shortcomings", "unit_statement", "recommendations"].map(function (name) { return submitForm.elements[name]; })
        .filter(Boolean);
      flushTimers().then(function () { return Promise.all(texts.map(sendStatement)); }).then(function () {
        return outbox.enqueue({
          url: api + "submit", kind: "submit", visit: visitId, field: "submit", seen: status,
          label: button.textContent
        });
      }).then(submitted);
    });
  }
  if (correctionForm) {
    correctionForm.addEventListener("input", function (event) { keepDraft(event.target); });
    correctionForm.addEventListener("submit", function (event) { event.preventDefault(); sendCorrection(); });
  }
  if (evidenceForm) {
    evidenceForm.addEventListener("submit", function (event) { event.preventDefault(); sendPhoto(); });
  }
  if (startForm) {
    startForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = startForm.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      locate().then(function (where) {
        where.started_at = new Date().toISOString();
        return outbox.enqueue({
          url: api + "start", kind: "start", visit: visitId, field: "start", seen: status, json: where,
          label: button ? button.textContent : "start"
        });
      }).then(started);
    });
  }

  document.addEventListener("outbox:sent", function (event) { sent(event.detail.entry, event.detail.data); });
  document.addEventListener("outbox:refused", function (event) { applyEntry(event.detail.entry); });
  document.addEventListener("outbox:discarded", function (event) { discarded(event.detail.entry); });
  var keepSoon = debounce(function () { outbox.keep(window.location.pathname, document.title); }, 1500);
  var waiting = 0;
  document.addEventListener("outbox:change", function (event) {
    var mine = event.detail.entries.filter(function (entry) { return entry.visit === visitId; }).length;
    // All of this visit sent: the phone's copy of the page is brought up to date.
    if (waiting && !mine) { keepSoon("page"); }
    waiting = mine;
  });

  outbox.ready.then(function (entries) {
    restoreDrafts();
    entries.forEach(applyEntry);
    rules();
  });
  rules();
}());
