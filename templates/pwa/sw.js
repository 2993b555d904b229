{% autoescape off %}// The service worker of the inspector's day (config/pwa.py, docs/offline.md): the field
// pages network first (a weak link gives up after a few seconds and shows the kept copy),
// static files kept and refreshed, photos kept; writes never pass here (the page's
// outbox sends them, static/js/outbox.js).
/* global workbox */
"use strict";
importScripts("{{ workbox_sw|escapejs }}");
workbox.setConfig({ modulePathPrefix: "{{ workbox_prefix|escapejs }}", debug: false });

var PAGES = "pccovid-pages";
var STATIC = "pccovid-static";
var PHOTOS = "pccovid-photos";
var OFFLINE = "{{ offline_url|escapejs }}";
var ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var FIELD_PAGES = new RegExp("{{ field_pages|escapejs }}");
var PHOTO_PAGES = new RegExp("{{ photos|escapejs }}");
var STATIC_PREFIX = "{{ static_prefix|escapejs }}";

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([
    // The "no network" page with the static files: signing out forgets the pages, not it.
    caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS.concat([OFFLINE])); })
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

var sameOrigin = function (url) { return url.origin === self.location.origin; };

workbox.routing.registerRoute(
  function (options) {
    return options.request.mode === "navigate" && sameOrigin(options.url) && FIELD_PAGES.test(options.url.pathname);
  },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES, networkTimeoutSeconds: 6,
    // A redirect (to the log-in page) is not the page: only a page itself is kept.
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })]
  })
);

workbox.routing.registerRoute(
  function (options) { return sameOrigin(options.url) && options.url.pathname.indexOf(STATIC_PREFIX) === 0; },
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC, plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })]
  })
);

workbox.routing.registerRoute(
  function (options) { return sameOrigin(options.url) && PHOTO_PAGES.test(options.url.pathname); },
  new workbox.strategies.CacheFirst({
    cacheName: PHOTOS, plugins: [
      new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
      new workbox.expiration.ExpirationPlugin({ maxEntries: 400 })
    ]
  })
);

// Any other page, when the network is gone: the page that says so and lists what is kept.
workbox.routing.setCatchHandler(function (options) {
  if (options.request.mode === "navigate") {
    return caches.match(OFFLINE, { ignoreSearch: true }).then(function (page) { return page || Response.error(); });
  }
  return Promise.resolve(Response.error());
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.mode !== "navigate" || !sameOrigin(new URL(request.url))) { return; }
  if (FIELD_PAGES.test(new URL(request.url).pathname)) { return; }
  // Not a field page: always the network; without one, the offline page.
  event.respondWith(fetch(request).catch(function () {
    return caches.match(OFFLINE, { ignoreSearch: true }).then(function (page) { return page || Response.error(); });
  }));
});
{% endautoescape %}
