// The phone's outbox (docs/offline.md). Every change an inspector makes on a visit is
// first written here, in IndexedDB, then sent to the API in the order it was made, each
// with its own Idempotency-Key: a retry after a dropped connection is applied once. A
// reload, a closed browser or a restarted phone loses nothing; what waits is shown as a
// count in the menu bar and a list with each entry's state.
//
// An entry the server cannot apply stays: refused (422, with the reason, to be corrected
// or discarded) or in conflict (409: the visit changed meanwhile, or another member
// changed the same answer), with the server's value beside the phone's, until the
// inspector chooses.
//
// window.visitOutbox.enqueue({url, method, json | form, label, kind, visit, field, seen,
// display}) adds an entry (a later change of the same `field` replaces one not yet sent)
// and sends it as soon as the network allows.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="outbox-user"]');
  if (!meta || !window.indexedDB || !window.idb) { return; }
  var user = meta.content;
  var panel = document.getElementById("outbox");
  var button = document.getElementById("outbox-button");
  var list = document.getElementById("outbox-list");
  var PAGES = "pccovid-pages";
  var KEPT = "pccovid-kept-pages";
  var DONE = "pccovid-outbox-done";
  var RETRY = [2000, 5000, 10000, 30000, 60000];
  var dbPromise = window.idb.openDB("pccovid-outbox-" + user, 1, {
    upgrade: function (db) {
      var store = db.createObjectStore("entries", { keyPath: "seq", autoIncrement: true });
      store.createIndex("visit", "visit");
    }
  });
  var retries = 0;
  var timer = null;
  var loginNeeded = false;
  var shownCount = null;

  function text(name) { return panel ? panel.dataset[name] || "" : ""; }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (part) { return part.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }
  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  function all() {
    return dbPromise.then(function (db) { return db.getAll("entries"); });
  }
  function put(entry) {
    return dbPromise.then(function (db) { return db.put("entries", entry); });
  }
  function remove(seq) {
    return dbPromise.then(function (db) { return db.delete("entries", seq); });
  }

  // ------------------------------------------------------------------ adding

  function enqueue(spec) {
    var entry = {
      key: newKey(), url: spec.url, method: spec.method || "POST", json: spec.json || null,
      form: spec.form ? formParts(spec.form) : null, label: spec.label || "", kind: spec.kind || "",
      visit: String(spec.visit || ""), field: spec.field || "", seen: spec.seen || "",
      display: spec.display || "", state: "pending", message: "", server: null, attempts: 0,
      created: new Date().toISOString()
    };
    return dbPromise.then(function (db) {
      var tx = db.transaction("entries", "readwrite");
      return tx.store.getAll().then(function (entries) {
        // A later change of the same field replaces the one not yet sent (never one in flight).
        var earlier = entry.field && entries.filter(function (e) {
          return e.field === entry.field && e.visit === entry.visit && e.state !== "sending";
        })[0];
        if (earlier) {
          entry.seq = earlier.seq;
          entry.created = earlier.created;
        }
        return tx.store.put(entry).then(function (seq) { entry.seq = seq; return tx.done; });
      });
    }).then(function () {
      // Counted by the outbox's button before the page shows the entry as waiting.
      return changed();
    }).then(function () {
      drainSoon(0);
      return entry;
    });
  }

  // A FormData as storable parts (a photo is kept as its Blob, with its name).
  function formParts(form) {
    var parts = [];
    form.forEach(function (value, name) {
      parts.push(value instanceof Blob ? [name, value, value.name || "photo.jpg"] : [name, String(value)]);
    });
    return parts;
  }

  // ------------------------------------------------------------------ sending

  function request(entry) {
    var headers = { "Idempotency-Key": entry.key, "X-CSRFToken": cookie("csrftoken"), "Accept": "application/json" };
    if (entry.seen) { headers["X-Visit-Status"] = entry.seen; }
    var body;
    if (entry.form) {
      body = new FormData();
      entry.form.forEach(function (part) {
        if (part.length === 3) { body.append(part[0], part[1], part[2]); } else { body.append(part[0], part[1]); }
      });
    } else if (entry.json) {
      body = JSON.stringify(entry.json);
      headers["Content-Type"] = "application/json";
    }
    var controller = window.AbortController ? new AbortController() : null;
    var limit = setTimeout(function () { if (controller) { controller.abort(); } }, entry.form ? 120000 : 30000);
    return fetch(entry.url, {
      method: entry.method, headers: headers, body: body, credentials: "same-origin", redirect: "error",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(limit);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }, function (error) { clearTimeout(limit); throw error; });
  }

  function drainSoon(delay) {
    clearTimeout(timer);
    timer = setTimeout(drain, delay);
  }

  var draining = false;
  function drain() {
    if (draining) { return Promise.resolve(); }
    draining = true;
    var run = function () { return loop().then(done, done); };
    var done = function () { draining = false; };
    // One tab sends at a time; another waits for the lock, then finds nothing left.
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("pccovid-outbox-" + user, run);
    }
    return run();
  }

  function loop() {
    return all().then(function (entries) {
      var next = entries.filter(function (e) { return e.state === "pending"; })[0];
      if (!next || loginNeeded) { return null; }
      next.state = "sending";
      next.attempts += 1;
      return put(next).then(function () {
        changed();
        return request(next);
      }).then(function (answer) {
        return settle(next, answer).then(function (goOn) { return goOn ? loop() : null; });
      }, function () {
        // No network (or it dropped mid-way): the entry waits; tried again later.
        next.state = "pending";
        return put(next).then(function () {
          offline(true);
          changed();
          drainSoon(RETRY[Math.min(retries, RETRY.length - 1)]);
          retries += 1;
        });
      });
    });
  }

  // What the server said; true to go on with the next entry.
  function settle(entry, answer) {
    var status = answer.status;
    var data = answer.data || {};
    offline(false);
    retries = 0;
    if (status >= 200 && status < 300) {
      return remove(entry.seq).then(function () { return rebase(entry, data); }).then(all).then(function (left) {
        // "Everything was sent" is said even if the page reloads on this answer (a submission).
        if (!left.length) { window.sessionStorage.setItem(DONE, String(Date.now())); }
        emit("outbox:sent", { entry: entry, data: data });
        changed();
        return true;
      });
    }
    if (status === 401 || (status === 403 && /CSRF/i.test(data.detail || ""))) {
      loginNeeded = true;
      entry.state = "pending";
      return put(entry).then(function () { changed(); return false; });
    }
    if (status >= 500 || status === 0) {
      entry.state = "pending";
      return put(entry).then(function () {
        changed();
        drainSoon(RETRY[Math.min(retries, RETRY.length - 1)]);
        retries += 1;
        return false;
      });
    }
    entry.state = status === 409 ? "conflict" : "error";
    entry.message = messageOf(data);
    entry.server = data.conflict || null;
    entry.fields = data.fields || fieldsOf(data);
    return put(entry).then(function () {
      emit("outbox:refused", { entry: entry, status: status, data: data });
      changed();
      return true;
    });
  }

  function messageOf(data) {
    if (typeof data.detail === "string") { return data.detail; }
    if (Array.isArray(data.detail)) {
      return data.detail.map(function (problem) { return problem.msg; }).join("; ");
    }
    return "";
  }
  // The fields named by a refusal of the request's shape (ninja's 422: loc = [..., field]).
  function fieldsOf(data) {
    var fields = {};
    if (Array.isArray(data.detail)) {
      data.detail.forEach(function (problem) {
        var loc = problem.loc || [];
        if (loc.length) { fields[loc[loc.length - 1]] = problem.msg; }
      });
    }
    return fields;
  }

  // An answer saved: the next change of the same answer, not yet sent, builds on it.
  function rebase(entry, data) {
    if (!entry.field || !data.saved_at) { return Promise.resolve(); }
    return all().then(function (entries) {
      return Promise.all(entries.filter(function (e) {
        return e.field === entry.field && e.visit === entry.visit && e.json && "base" in e.json && e.attempts === 0;
      }).map(function (e) { e.json.base = data.saved_at; return put(e); }));
    });
  }

  // ------------------------------------------------------------------ choosing

  // Send the phone's version again over what the server now holds.
  function keepMine(seq) {
    return dbPromise.then(function (db) { return db.get("entries", seq); }).then(function (entry) {
      if (!entry) { return null; }
      var server = entry.server || {};
      if (server.answer && entry.json) { entry.json.base = server.answer.saved_at; }
      if (server.status) { entry.seen = server.status.code; }
      entry.key = newKey();  // the earlier key keeps its answer (the conflict)
      entry.state = "pending";
      entry.message = "";
      entry.server = null;
      entry.attempts = 0;
      return put(entry).then(function () { changed(); drainSoon(0); return entry; });
    });
  }

  function discard(seq) {
    return dbPromise.then(function (db) { return db.get("entries", seq); }).then(function (entry) {
      return remove(seq).then(function () {
        if (entry) { emit("outbox:discarded", { entry: entry }); }
        changed();
      });
    });
  }

  // ------------------------------------------------------------------ showing

  function changed() {
    return all().then(function (entries) {
      render(entries);
      emit("outbox:change", { entries: entries });
      return entries;
    });
  }

  function offline(state) {
    var note = document.getElementById("outbox-offline");
    if (note) { note.hidden = !state; }
  }

  function stateText(entry) {
    if (loginNeeded && entry.state === "pending") { return text("stateLogin"); }
    return text("state" + entry.state.charAt(0).toUpperCase() + entry.state.slice(1));
  }

  function render(entries) {
    if (!panel || !button) { return; }
    var count = entries.length;
    button.hidden = count === 0;
    panel.hidden = count === 0 || button.getAttribute("aria-expanded") !== "true";
    button.textContent = count === 1 ? text("waitingOne") : text("waitingMany").replace("%(count)s", count);
    document.getElementById("outbox-login").hidden = !loginNeeded;
    var live = document.getElementById("outbox-live");
    if (live) { live.textContent = count ? button.textContent : ""; }
    var doneNote = document.getElementById("outbox-done");
    if (doneNote) {
      // Said when the last entry goes, on this page or on the one that follows it at once.
      var justDone = Date.now() - Number(window.sessionStorage.getItem(DONE) || 0) < 10000;
      if (count === 0 && ((shownCount === null && justDone) || shownCount > 0)) {
        doneNote.hidden = false;
        setTimeout(function () { doneNote.hidden = true; }, 6000);
      } else if (count) {
        doneNote.hidden = true;
      }
    }
    shownCount = count;
    list.textContent = "";
    entries.forEach(function (entry) { list.appendChild(row(entry)); });
    // Conflicts and refusals need the inspector: open the list for them.
    if (entries.some(function (e) { return e.state === "conflict" || e.state === "error"; })) { open(true); }
  }

  function row(entry) {
    var item = document.createElement("li");
    item.className = "border-top py-1 outbox-entry outbox-" + entry.state;
    item.dataset.seq = entry.seq;
    var head = document.createElement("div");
    var label = document.createElement("strong");
    label.textContent = entry.label;
    var state = document.createElement("span");
    state.className = "badge ms-1 " + ({ conflict: "text-bg-danger", error: "text-bg-danger" }[entry.state] ||
      "text-bg-secondary");
    state.textContent = stateText(entry);
    var when = document.createElement("span");
    when.className = "text-body-secondary ms-1";
    when.textContent = clock(entry.created);
    head.append(label, state, when);
    item.appendChild(head);
    if (entry.message) {
      var message = document.createElement("div");
      message.className = "text-danger";
      message.textContent = entry.message;
      item.appendChild(message);
    }
    if (entry.state === "conflict" || entry.state === "error") {
      if (entry.server) {
        var shown = entry.server.answer ? entry.server.answer.value_label :
          entry.server.status ? entry.server.status.label + (entry.server.status.comment ? " — " +
            entry.server.status.comment : "") : "";
        item.appendChild(line(text("server"), shown));
      }
      if (entry.display) { item.appendChild(line(text("phone"), entry.display)); }
      var actions = document.createElement("div");
      actions.className = "d-flex flex-wrap gap-2 mt-1";
      var server = entry.server || {};
      // Sending again makes sense over another answer, or over a visit that can still be filled.
      if (entry.state === "conflict" && (server.answer || (server.status && server.status.fillable))) {
        actions.appendChild(action(text("keep"), "btn-outline-primary", function () { keepMine(entry.seq); }));
        actions.appendChild(action(text("take"), "btn-outline-secondary", function () { discard(entry.seq); }));
      } else {
        actions.appendChild(action(text("discard"), "btn-outline-secondary", function () { discard(entry.seq); }));
      }
      item.appendChild(actions);
    }
    return item;
  }

  function line(title, value) {
    var div = document.createElement("div");
    var strong = document.createElement("span");
    strong.className = "fw-semibold me-1";
    strong.textContent = title;
    div.append(strong, document.createTextNode(value || "—"));
    return div;
  }

  function action(label, style, onClick) {
    var control = document.createElement("button");
    control.type = "button";
    control.className = "btn btn-sm " + style;
    control.textContent = label;
    control.addEventListener("click", onClick);
    return control;
  }

  function clock(iso) {
    var moment = new Date(iso);
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return pad(moment.getHours()) + ":" + pad(moment.getMinutes()) + " " + pad(moment.getDate()) + "/" +
      pad(moment.getMonth() + 1) + "/" + moment.getFullYear();
  }

  function open(state) {
    if (!button || !panel) { return; }
    button.setAttribute("aria-expanded", state ? "true" : "false");
    panel.hidden = !state || button.hidden;
  }

  if (button) {
    button.addEventListener("click", function () { open(button.getAttribute("aria-expanded") !== "true"); });
  }

  // ------------------------------------------------------------------ pages kept for the field

  // A page kept in the worker's cache, only if it is the page itself (not the log-in page
  // a lapsed session redirects to); recorded for the "no network" page's list.
  function keep(url, title) {
    if (!window.caches) { return Promise.resolve(false); }
    return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
      if (response.status !== 200 || response.type === "opaqueredirect") { return false; }
      return caches.open(PAGES).then(function (cache) {
        return cache.put(url, response);
      }).then(function () { record(url, title); return true; });
    }).catch(function () { return false; });
  }

  function record(url, title) {
    var kept = [];
    try { kept = JSON.parse(window.localStorage.getItem(KEPT) || "[]"); } catch (ignore) { kept = []; }
    kept = kept.filter(function (page) { return page.url !== url; });
    kept.push({ url: url, title: title || url, at: Date.now() });
    window.localStorage.setItem(KEPT, JSON.stringify(kept.slice(-200)));
  }

  // A page kept less than this long ago is not fetched again when the route sheet is opened
  // again (each fetch is a view of the visit in its log; opened online, a page is fresh anyway).
  var KEEP_FRESH_MS = 15 * 60 * 1000;

  function keptRecently(kept, url) {
    var page = kept.filter(function (p) { return p.url === url; })[0];
    if (!page || !page.at || Date.now() - page.at > KEEP_FRESH_MS) { return Promise.resolve(false); }
    return caches.open(PAGES).then(function (cache) { return cache.match(url); }).then(Boolean);
  }

  // An itinerary (or a home) names the visits of the day: kept as soon as it is open.
  function keepDay() {
    var day = document.querySelector("[data-offline-pages]");
    if (!day || !navigator.onLine || !window.caches) { return; }
    var pages = [];
    try { pages = JSON.parse(day.dataset.offlinePages); } catch (ignore) { pages = []; }
    var note = document.getElementById(day.dataset.offlineStatus || "");
    var kept = [];
    try { kept = JSON.parse(window.localStorage.getItem(KEPT) || "[]"); } catch (ignore) { kept = []; }
    Promise.all(pages.map(function (page) {
      return keptRecently(kept, page.url).then(function (fresh) { return fresh || keep(page.url, page.title); });
    })).then(function (results) {
      var count = results.filter(Boolean).length;
      if (note && count) {
        note.textContent = note.dataset.template.replace("%(count)s", count);
        note.hidden = false;
      }
    });
    record(window.location.pathname, document.title);
  }

  // This phone's kept pages belong to whoever signed in: another person starts afresh.
  function ownPagesOnly() {
    if (!window.caches) { return Promise.resolve(); }
    var owner = window.localStorage.getItem("pccovid-owner");
    if (owner === user) { return Promise.resolve(); }
    window.localStorage.setItem("pccovid-owner", user);
    window.localStorage.removeItem(KEPT);
    return Promise.all([caches.delete(PAGES), caches.delete("pccovid-photos")]);
  }

  // ------------------------------------------------------------------ start

  // Entries left "sending" by a page closed mid-request are sent again (same key: applied once).
  function recover() {
    return all().then(function (entries) {
      return Promise.all(entries.filter(function (e) { return e.state === "sending"; }).map(function (e) {
        e.state = "pending";
        return put(e);
      }));
    });
  }

  window.visitOutbox = {
    enqueue: enqueue, entries: all, keepMine: keepMine, discard: discard, drain: drain, keep: keep,
    ready: null
  };
  window.visitOutbox.ready = ownPagesOnly().then(recover).then(changed).then(function (entries) {
    drainSoon(0);
    keepDay();
    return entries;
  });
  window.addEventListener("online", function () { retries = 0; drainSoon(0); });
  window.addEventListener("offline", function () { offline(true); });
  if (!navigator.onLine) { offline(true); }

  if ("serviceWorker" in navigator && meta.dataset.worker) {
    navigator.serviceWorker.register(meta.dataset.worker, { scope: "/" }).catch(function () { return null; });
  }
}());
