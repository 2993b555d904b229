// Signed out: the field pages this phone kept for that person are forgotten (what waits
// in their outbox stays, in their own database, until they sign in again and it is sent).
(function () {
  "use strict";
  try {
    window.localStorage.removeItem("pccovid-kept-pages");
    window.localStorage.removeItem("pccovid-owner");
  } catch (ignore) { /* no storage */ }
  if (window.caches) {
    caches.delete("pccovid-pages");
    caches.delete("pccovid-photos");
  }
}());
