// MyLife progressive enhancement: the pages work without this file.
(function () {
  "use strict";
  var banner = document.getElementById("connection");
  var screen = document.querySelector("form.survey-screen");
  // The server's clock minus this browser's: times kept here are compared with the server's.
  var clockOffset = screen ? Number(screen.dataset.now) - Date.now() : 0;
  var RETRY_MS = [2000, 4000, 8000, 16000, 30000];  // then every 30 s while it fails
  var SETTLE_MS = 1000;  // arrow keys: the choice is saved once it has rested this long

  function show(key) {
    if (!banner) return;
    banner.textContent = banner.dataset[key] || "";
    banner.hidden = !banner.textContent;
  }

  // --- Autosave: every answer is sent the moment it settles; one the server has not
  // confirmed is kept in this browser (by assessment and item, with the time it was given),
  // marked beside its question and sent again until it is saved. ---

  function autosaved(node) {
    return node && node.closest ? node.closest("[data-autosave]") : null;
  }

  function storageKey(element) {
    return "mylife:answer:" + screen.dataset.assessment + ":" + element.dataset.autosave;
  }

  function valueOf(element) {
    if (element.tagName === "TEXTAREA") return element.value;
    var checked = element.querySelector("input:checked");
    return checked ? checked.value : "";
  }

  function setValue(element, value) {
    if (element.tagName === "TEXTAREA") {
      element.value = value;
      return;
    }
    element.querySelectorAll("input").forEach(function (input) {
      input.checked = input.value === value;
    });
  }

  function keep(element) {
    var entry = { value: valueOf(element), at: Date.now() + clockOffset };
    try { localStorage.setItem(storageKey(element), JSON.stringify(entry)); } catch (e) { /* full or off */ }
  }

  function kept(element) {
    try { return JSON.parse(localStorage.getItem(storageKey(element)) || "null"); } catch (e) { return null; }
  }

  function forget(element, value) {
    var entry = kept(element);
    if (entry && entry.value === value) localStorage.removeItem(storageKey(element));
  }

  function statusOf(element) {
    return document.getElementById("status-" + element.dataset.autosave.replace(/\./g, "-"));
  }

  function markRetrying(element) {
    var status = statusOf(element);
    if (!status || status.querySelector(".retry-text")) return;  // announced once
    var note = document.createElement("span");
    note.className = "retry-text";
    note.textContent = screen.dataset.retrying;
    status.replaceChildren(note);
  }

  function save(element) {
    window.clearTimeout(element.settleTimer);
    window.clearTimeout(element.retryTimer);
    element.settleTimer = element.retryTimer = null;
    if (window.htmx && document.body.contains(element)) window.htmx.trigger(element, "autosave");
  }

  function retryLater(element) {
    var attempt = element.attempts || 0;
    element.attempts = attempt + 1;
    window.clearTimeout(element.retryTimer);
    element.retryTimer = window.setTimeout(function () { save(element); },
      RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
  }

  function settleNow(element) {
    if (element && element.settleTimer) save(element);
  }

  function restore() {
    // After a reload: an answer given here that the server does not have yet wins, and is sent.
    document.querySelectorAll("[data-autosave]").forEach(function (element) {
      var entry = kept(element);
      if (!entry) return;
      if (entry.value === valueOf(element) || entry.at <= Number(element.dataset.savedAt)) {
        localStorage.removeItem(storageKey(element));
        return;
      }
      setValue(element, entry.value);
      markRetrying(element);
      save(element);
    });
  }

  document.addEventListener("keydown", function (event) {
    var element = autosaved(event.target);
    if (!element || element.tagName === "TEXTAREA") return;
    if (event.key.indexOf("Arrow") === 0) element.byKeys = true;
    else if (event.key === " " || event.key === "Enter") settleNow(element);
  });
  document.addEventListener("pointerdown", function (event) {
    var element = autosaved(event.target);
    if (element) element.byKeys = false;
  });
  document.addEventListener("focusout", function (event) {
    var element = autosaved(event.target);
    if (element && !element.contains(event.relatedTarget)) settleNow(element);
  });
  document.addEventListener("change", function (event) {
    var element = autosaved(event.target);
    if (!element || element.tagName === "TEXTAREA") return;  // textareas: htmx's own trigger
    keep(element);
    statusOf(element).replaceChildren();
    if (!element.byKeys) return save(element);
    // Moving through 0–10 with the arrow keys: one save when the choice comes to rest.
    window.clearTimeout(element.settleTimer);
    element.settleTimer = window.setTimeout(function () { save(element); }, SETTLE_MS);
  });
  document.addEventListener("input", function (event) {
    var element = autosaved(event.target);
    if (element && element.tagName === "TEXTAREA") keep(element);
  });
  if (screen) {
    screen.addEventListener("submit", function () {
      // The screen's form carries every answer; the heading of the next screen gets focus.
      try { sessionStorage.setItem("mylife:focus-heading", "1"); } catch (e) { /* off */ }
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var element = autosaved(event.detail.elt);
    if (element) element.sending = valueOf(element);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.classList) target.classList.add("pending");
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A reply for a choice the person has since moved away from (one still waiting to settle,
    // or a newer one queued) does not say "Saved": the newer choice's own reply will.
    var element = autosaved(event.detail.elt);
    if (element && (element.settleTimer || valueOf(element) !== element.sending)) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.classList) target.classList.remove("pending");
    var element = autosaved(event.detail.elt);
    if (!element) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if ((status >= 200 && status < 300) || status === 409 || status === 422) {
      // Saved, or refused for good (its reason is shown): nothing left to send.
      forget(element, element.sending);
      element.attempts = 0;
      window.clearTimeout(element.retryTimer);
      element.retryTimer = null;
    } else {
      markRetrying(element);
      retryLater(element);
    }
  });
  document.addEventListener("htmx:sendError", function () { show("offline"); });
  document.addEventListener("htmx:responseError", function (event) {
    if (!autosaved(event.detail.elt)) show("failed");  // an answer is marked where it is
  });
  window.addEventListener("offline", function () { show("offline"); });
  window.addEventListener("online", function () {
    show("online");
    document.querySelectorAll("[data-autosave]").forEach(function (element) {
      if (element.retryTimer) save(element);
    });
    window.setTimeout(function () { if (banner) banner.hidden = true; }, 4000);
  });

  // After htmx has set up the page (its DOMContentLoaded handler was added before this one).
  if (screen) document.addEventListener("DOMContentLoaded", restore);
  // Arriving at a part of a page (Check your answers' Change link to a question, back from
  // it to the changed theme's card): that question's choice, or that card's heading, has focus.
  var part = linkedPart();
  // Arriving from the previous screen (Next or Back), the new screen's heading has focus.
  try {
    if (sessionStorage.getItem("mylife:focus-heading")) {
      sessionStorage.removeItem("mylife:focus-heading");
      var heading = document.querySelector("main h1[tabindex='-1']");
      if (heading && !part) heading.focus();
    }
  } catch (e) { /* storage off: focus stays at the top */ }
  // After the browser has gone to the address's #part (which would take focus back).
  if (part) window.addEventListener("load", function () { part.focus(); });

  function linkedPart() {
    var id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
    var target = id && /^(q|check)-/.test(id) ? document.getElementById(id) : null;
    if (target && target.tagName === "FIELDSET") {
      return target.querySelector("input:checked") || target.querySelector("input");
    }
    return target;
  }

  // The plan: after a refused save its problems have focus, after a save its confirmation
  // (each is shown beside the goal, action or review just sent); a problem's link focuses
  // its field.
  var arrival = document.querySelector("[data-error-summary]") ||
    document.querySelector("[data-saved-note]");
  // After the browser has gone to the address's #part (which would take focus back).
  if (arrival) window.addEventListener("load", function () { arrival.focus(); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a") : null;
    var field = link ? document.getElementById(link.hash.slice(1)) : null;
    if (!field) return;
    event.preventDefault();
    var first = field.matches("fieldset, div") ? field.querySelector("input, select, textarea") : null;
    (first || field).focus();
    (first || field).scrollIntoView({ block: "center" });
  });

  // Signing out leaves no unsent answers behind on a shared device.
  document.querySelectorAll("form.signout").forEach(function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(localStorage).forEach(function (key) {
          if (key.indexOf("mylife:") === 0) localStorage.removeItem(key);
        });
      } catch (e) { /* off */ }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // A link to copy: the button copies it and says so; without the clipboard, the link's
  // field is selected (it is selected on focus too) for the person to copy by hand.
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy") + "-status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function fallback() {
        field.focus();
        field.select();
        if (status) status.textContent = button.getAttribute("data-fallback");
      }
      if (!navigator.clipboard || !window.isSecureContext) { fallback(); return; }
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied");
      }, fallback);
    });
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
