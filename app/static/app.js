// MyLife progressive enhancement: the pages work without this file.
(function () {
  "use strict";
  var banner = document.getElementById("connection");
  var pending = {};  // element id -> element whose save has not reached the server

  function show(key) {
    if (!banner) return;
    banner.textContent = banner.dataset[key] || "";
    banner.hidden = !banner.textContent;
  }

  function retryPending() {
    Object.keys(pending).forEach(function (id) {
      var element = pending[id];
      delete pending[id];
      if (document.body.contains(element) && window.htmx) {
        window.htmx.trigger(element, "change");
      }
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.classList) target.classList.add("pending");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.classList) target.classList.remove("pending");
  });
  document.addEventListener("htmx:sendError", function (event) {
    // The connection dropped: the answer stays on the screen and is sent again later.
    var element = event.detail.elt;
    if (element && element.id) pending[element.id] = element;
    show("offline");
  });
  document.addEventListener("htmx:responseError", function () { show("failed"); });
  window.addEventListener("offline", function () { show("offline"); });
  window.addEventListener("online", function () {
    show("online");
    retryPending();
    window.setTimeout(function () { if (banner) banner.hidden = true; }, 4000);
  });
  window.setInterval(function () { if (navigator.onLine) retryPending(); }, 15000);

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
