// MyLife progressive enhancement: the pages work without this file.
(function () {
  "use strict";
  var banner = document.getElementById("connection");
  var screen = document.querySelector("form.survey-screen");
  var account = document.body.dataset.account || "";  // signed in: their own id
  var RETRY_MS = [2000, 4000, 8000, 16000, 30000];  // then every 30 s while it fails
  var SETTLE_MS = 1000;  // arrow keys and typing: the answer is sent once it has rested this long

  function show(key, href) {
    if (!banner) return;
    var text = banner.dataset[key] || "";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    banner.replaceChildren(href ? link : text);
    banner.hidden = !text;
  }

  // --- Answers kept on this device (IndexedDB, one record per question) until the server has
  // them: sent one at a time in the order given, each change with an id of its own (a resend
  // is applied once) and the time of the saved answer it was made over (a newer answer from
  // another device is shown beside it, and the person chooses). Record: {key, assessment,
  // item, value, state: saved | waiting | conflict, at: when the server saved the answer this
  // device knows, id and base: the change waiting to be sent, seq: its order, html: a conflict}.
  var memory = {};  // without IndexedDB (some private windows): kept while the page is open
  var opened = null;

  function database() {
    opened = opened || new Promise(function (resolve) {
      try {
        var request = indexedDB.open("mylife", 1);
        request.onupgradeneeded = function () { request.result.createObjectStore("answers", { keyPath: "key" }); };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); };  // signing out in another tab deletes it
          resolve(db.objectStoreNames.contains("answers") ? db : null);
        };
        request.onerror = request.onblocked = function () { resolve(null); };
      } catch (e) { resolve(null); }
    });
    return opened;
  }

  function records() {
    return database().then(function (db) {
      if (!db) return Object.keys(memory).map(function (key) { return memory[key]; });
      return new Promise(function (resolve, reject) {
        var request = db.transaction("answers").objectStore("answers").getAll();
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  // Read, change and write one record in one transaction (another tab may write it too):
  // `change` returns the new record, null to delete it, or undefined to leave it.
  function update(key, change) {
    return database().then(function (db) {
      if (!db) {
        var now = change(memory[key]);
        if (now) memory[key] = now; else if (now === null) delete memory[key];
        return now;
      }
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("answers", "readwrite");
        var store = transaction.objectStore("answers");
        var now;
        store.get(key).onsuccess = function (event) {
          now = change(event.target.result);
          if (now) store.put(now); else if (now === null) store.delete(key);
        };
        transaction.oncomplete = function () { resolve(now); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function clearAll() {
    memory = {};
    return database().then(function (db) {
      return db && new Promise(function (resolve) {
        var transaction = db.transaction("answers", "readwrite");
        transaction.objectStore("answers").clear();
        transaction.oncomplete = transaction.onerror = resolve;
      });
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
  }

  var order = 0;
  function nextSeq() { return Date.now() * 1000 + (order++ % 1000); }

  // --- The questions of the screen ---

  function autosaved(node) {
    return node && node.closest ? node.closest("[data-autosave]") : null;
  }

  function question(item) {
    return screen && screen.querySelector('[data-autosave="' + item + '"]');
  }

  function keyOf(element) {
    return screen.dataset.assessment + ":" + element.dataset.autosave;
  }

  function valueOf(element) {
    if (element.tagName === "TEXTAREA") return element.value;
    var checked = element.querySelector("input:checked");
    return checked ? checked.value : "";
  }

  function setValue(element, value) {
    if (element.tagName === "TEXTAREA") element.value = value;
    else element.querySelectorAll("input").forEach(function (input) { input.checked = input.value === value; });
  }

  // The screen's own save (Next) says, per question, when the answer it was made over was
  // saved, as the autosave does: kept in step with what this device knows.
  function setBase(element, at) {
    var field = screen.querySelector('input[name="based_on:' + element.dataset.autosave + '"]');
    if (field && at !== undefined && at !== null) field.value = String(at);
  }

  function statusOf(element) {
    return document.getElementById("status-" + element.dataset.autosave.replace(/\./g, "-"));
  }

  function mark(element, kind) {
    // "waiting" (offline) or "retrying" (the server failed), announced once.
    var status = statusOf(element);
    if (!status || status.querySelector("." + kind + "-text")) return;
    var note = document.createElement("span");
    note.className = kind + "-text";
    note.textContent = screen.dataset[kind];
    status.replaceChildren(note);
  }

  function showReply(element, html) {
    var status = statusOf(element);
    if (status) status.innerHTML = html;  // the server's own status line
  }

  // An answer given: kept at once, sent when it settles (a click at once).
  var settling = {};
  var writing = Promise.resolve();
  var unwritten = 0;
  function given(element, wait) {
    var key = keyOf(element);
    var savedAt = Number(element.dataset.savedAt) || 0;
    var value = valueOf(element);
    window.clearTimeout(settling[key]);
    settling[key] = wait ? window.setTimeout(function () { settleNow(element); }, wait) : 0;
    statusOf(element).replaceChildren();
    unwritten++;
    writing = update(key, function (record) {
      var known = Math.max(savedAt, record ? record.at : 0);
      return {
        key: key, assessment: screen.dataset.assessment, item: element.dataset.autosave, value: value,
        state: "waiting", at: known, id: newId(), seq: nextSeq(),
        base: record && record.state === "waiting" ? record.base : known,
        // The unanswered changes it replaces (one may have reached the server, its reply lost).
        replaces: record && record.state === "waiting" ? (record.replaces || []).concat(record.id).slice(-20) : [],
      };
    }).then(function (now) { if (now) setBase(element, now.base); }).catch(function () {}).then(function () {
      unwritten--;
      if (!wait) settleNow(element);
    });
  }

  function settleNow(element) {
    var key = element && keyOf(element);
    if (!element || !(key in settling)) return;
    window.clearTimeout(settling[key]);
    delete settling[key];
    send();
  }

  // --- Sending: one at a time, oldest first, one tab at a time ---
  var sending = false;
  var again = false;
  var attempts = 0;
  var retryTimer = null;

  var run = Promise.resolve();
  function send() {
    // Resolves once nothing more can be sent now.
    if (!account) return run;
    if (sending) {
      again = true;
      return run;
    }
    sending = true;
    again = false;
    window.clearTimeout(retryTimer);
    run = (navigator.locks ? navigator.locks.request("mylife:send", sendAll) : sendAll())
      .catch(function () {})
      .then(function () {
        sending = false;
        return again ? send() : null;
      });
    return run;
  }

  function sendAll() {
    return records().then(function (found) {
      var next = found.filter(function (r) { return r.state === "waiting" && !(r.key in settling); })
        .sort(function (a, b) { return a.seq - b.seq; })[0];
      return next && sendOne(next).then(function (goOn) { return goOn && sendAll(); });
    });
  }

  function sendOne(record) {
    var body = new URLSearchParams([[record.item, record.value], ["client_id", record.id], ["based_on", String(record.base || 0)],
      ["replaces", (record.replaces || []).join(",")]]);
    var token = document.querySelector("input[name=csrf_token]");
    return fetch("/assessments/" + record.assessment + "/answer", {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "HX-Request": "true", "X-CSRF-Token": token ? token.value : "" },
    }).then(function (response) {
      return response.text().then(function (html) { return replied(record, response.status, html); });
    }, function () { return failed("waiting"); });
  }

  // Not sent (offline: "waiting"; the server failed: "retrying"): marked, and sent again later.
  function failed(kind, record) {
    records().then(function (found) {
      found.forEach(function (r) {
        var element = screen && r.assessment === screen.dataset.assessment && question(r.item);
        if (element && r.state === "waiting" && !(r.key in settling) && (!record || r.key === record.key)) {
          mark(element, kind);
        }
      });
    });
    if (kind === "waiting") show("offline");
    retryTimer = window.setTimeout(send, RETRY_MS[Math.min(attempts++, RETRY_MS.length - 1)]);
    return false;
  }

  function replied(record, status, html) {
    var part = document.createElement("template");
    part.innerHTML = html;
    var reply = part.content.querySelector("[data-at]");
    var at = reply ? Number(reply.dataset.at) : 0;
    if (status === 401 || status === 403 || status === 0) {
      // The session has ended: the answers stay here until the person signs in again.
      show("signin", "/signin?next=" + encodeURIComponent(location.pathname));
      return false;
    }
    if (status >= 500 || status === 429 || (status < 400 && !reply)) return failed("retrying", record);
    attempts = 0;
    var conflict = status === 409 && reply && reply.hasAttribute("data-conflict");
    return update(record.key, function (now) {
      if (!now || now.id !== record.id) return now && Object.assign(now, status < 300 ? { base: at, at: at } : {});
      if (status < 300) return Object.assign(now, { state: "saved", at: at, id: null, replaces: [] });
      if (conflict) return Object.assign(now, { state: "conflict", at: at, id: null, html: html });
      return null;  // refused for good (its reason is shown)
    }).then(function (now) {
      var element = screen && screen.dataset.assessment === record.assessment && question(record.item);
      var current = !now || (now.state !== "waiting");
      if (element && status < 300) setBase(element, at);
      if (element && current) showReply(element, html);
      else if (!element && conflict) show("elsewhere", screenOf(record, html));
      return true;
    });
  }

  function screenOf(record, html) {
    // Where the question of a conflict is: its screen (the server's reply names it).
    var number = /data-screen="(\d+)"/.exec(html)[1];
    return "/assessments/" + record.assessment + "/themes/" + number + "#q-" + record.item.replace(/\./g, "-");
  }

  // After a reload, or a screen kept for offline use: what this device knows is shown.
  function restore(found) {
    found.forEach(function (record) {
      var element = record.assessment === screen.dataset.assessment && question(record.item);
      if (record.assessment !== screen.dataset.assessment && record.state === "saved") update(record.key, function () { return null; });
      if (!element) {
        if (record.state === "conflict") show("elsewhere", screenOf(record, record.html));
        return;
      }
      var savedAt = Number(element.dataset.savedAt) || 0;
      if (record.state === "saved") {
        if (record.at <= savedAt) return;  // the page is newer
        element.dataset.savedAt = record.at;
        setBase(element, record.at);
      }
      if (record.state === "waiting") setBase(element, record.base);
      if (record.state === "conflict" && record.value === valueOf(element)) {
        update(record.key, function (now) { return now && Object.assign(now, { state: "saved", html: null }); });
        return;
      }
      setValue(element, record.value);
      if (record.state === "conflict") showReply(element, record.html);
      if (record.state === "waiting") mark(element, "waiting");
    });
  }

  // The person chooses between this device's answer and the other one.
  function choose(button) {
    var conflict = button.closest("[data-conflict]");
    var element = question(conflict.dataset.item);
    var at = Number(conflict.dataset.at);
    var key = keyOf(element);
    if (button.dataset.keep === "theirs") {
      setValue(element, conflict.dataset.theirs);
      element.dataset.savedAt = at;
      setBase(element, at);
      update(key, function (now) {
        return now && Object.assign(now, { state: "saved", value: conflict.dataset.theirs, at: at, html: null });
      });
      statusOf(element).textContent = conflict.dataset.saved;
    } else {
      element.dataset.savedAt = at;
      setBase(element, at);
      update(key, function (now) { return now && Object.assign(now, { state: "saved", at: at }); })
        .then(function () { given(element); });
    }
    (element.querySelector("input:checked") || element.querySelector("input") || element).focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-keep]");
    if (button) choose(button);
  });
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
    // Moving through 0–10 with the arrow keys: sent when the choice comes to rest.
    if (element && element.tagName !== "TEXTAREA") given(element, element.byKeys ? SETTLE_MS : 0);
    else if (element) settleNow(element);
  });
  document.addEventListener("input", function (event) {
    var element = autosaved(event.target);
    if (element && element.tagName === "TEXTAREA") given(element, SETTLE_MS);
  });
  if (screen) {
    screen.addEventListener("submit", function (event) {
      // The answers are written on this device before the next screen opens (offline, the
      // service worker opens it from what it keeps); the next screen's heading gets focus.
      try { sessionStorage.setItem("mylife:focus-heading", "1"); } catch (e) { /* off */ }
      if (!unwritten) return;
      event.preventDefault();
      var submitter = event.submitter;
      writing.then(function () {
        window.setTimeout(function () {  // not while this submit event is still being fired
          if (screen.requestSubmit) screen.requestSubmit(submitter); else screen.submit();
        });
      });
    });
  }
  // Submitting: what still waits on this device is sent first; nothing is submitted without
  // it (the banner says why: offline, signed out, or an answer changed on another device).
  document.querySelectorAll("form[data-send-first]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) return;
      event.preventDefault();
      var submitter = event.submitter;
      send().then(records).then(function (found) {
        var left = found.filter(function (r) { return r.assessment === form.dataset.assessment && r.state !== "saved"; });
        var conflict = left.filter(function (r) { return r.state === "conflict"; })[0];
        if (conflict) show("elsewhere", screenOf(conflict, conflict.html));
        else if (left.length && banner.hidden) show("failed");
        if (left.length) return;
        form.dataset.sent = "1";
        window.setTimeout(function () { form.requestSubmit ? form.requestSubmit(submitter) : form.submit(); });
      });
    });
  });
  window.addEventListener("offline", function () { show("offline"); });
  window.addEventListener("online", function () {
    show("online");
    attempts = 0;
    send();
    window.setTimeout(function () {
      if (banner && banner.textContent === banner.dataset.online) banner.hidden = true;
    }, 4000);
  });

  // On a signed-in page: the store is this account's (another account's goes first), what it
  // knows is shown on the screen, and what waits is sent.
  if (account) {
    records().then(function (found) {
      var owner = found.filter(function (r) { return r.key === "owner"; })[0];
      if (owner && owner.account === account) return found.filter(function (r) { return r.item; });
      return clearAll().then(function () { return update("owner", function () { return { key: "owner", account: account }; }); })
        .then(function () { return []; });
    }).then(function (found) {
      if (screen) restore(found);
      send();
    }).catch(function () {});
  }

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

  // A form that opens a survey screen from elsewhere (Start on the survey's first page) hands
  // focus to that screen's heading, as Next does.
  function focusHeadingAfter(form) {
    form.addEventListener("submit", function () {
      try { sessionStorage.setItem("mylife:focus-heading", "1"); } catch (e) { /* off */ }
    });
  }
  document.querySelectorAll("form[data-opens-screen]").forEach(focusHeadingAfter);

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

  // Signing out leaves nothing of the person on the device (the server also sends
  // Clear-Site-Data): neither the answers kept here nor the screens the service worker keeps.
  // What still waits here is sent first (an answer just typed too); an answer that cannot be
  // sent (offline, the session ended, a conflict) keeps the person signed in and the banner
  // says why: on a shared phone, signing out offline could not end the session on the server
  // anyway, and would lose the answers without a word.
  document.querySelectorAll("form.signout").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) return;
      event.preventDefault();
      var submitter = event.submitter;
      sendNow().then(records).then(function (found) {
        if (found.some(function (r) { return r.item && r.state !== "saved"; })) {
          show("unsent");
          return;
        }
        form.dataset.sent = "1";
        return forgetAll().then(function () {
          form.requestSubmit ? form.requestSubmit(submitter) : form.submit();
        });
      }).catch(function () { show("unsent"); });
    });
  });

  function sendNow() {
    // Every answer given, written and sent now (not once it settles).
    return writing.then(function () {
      Object.keys(settling).forEach(function (key) { window.clearTimeout(settling[key]); delete settling[key]; });
      return send();
    });
  }

  function forgetAll() {
    tellWorker({ type: "forget" });
    return database().then(function (db) {
      if (db) db.close();
      opened = null;
      indexedDB.deleteDatabase("mylife");
    });
  }

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

  // The service worker keeps the static files, the offline page in this page's language and,
  // on a screen of the open assessment, all of its screens (app/static/sw.js).
  function tellWorker(message) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) { registration.active.postMessage(message); });
  }

  function hello() {
    var files = document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]");
    var message = {
      type: "hello", account: account, lang: document.documentElement.lang,
      assets: Array.prototype.map.call(files, function (node) { return node.getAttribute("href") || node.getAttribute("src"); }),
    };
    var survey = document.querySelector("form[data-assessment][data-total]");
    if (survey) {
      var urls = [];
      for (var number = 1; number <= Number(survey.dataset.total); number++) {
        urls.push("/assessments/" + survey.dataset.assessment + "/themes/" + number);
      }
      message.screens = { key: survey.dataset.assessment + ":" + message.lang, urls: urls };
    }
    return message;
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    // Once the page itself has loaded: what the worker fetches then never delays it.
    window.addEventListener("load", function () { tellWorker(hello()); });
  }
})();
