// MyLife service worker. Static files come from the cache, pages from the network. The
// screens of the signed-in person's open assessment are kept as well (fetched when a screen of
// it opens online, in the person's language, in a cache named by their account), so that it
// can be answered offline: Next and Back lead from one kept screen to another, and the answers
// wait on the device (app.js) until they can be sent. Nothing else personal is kept (no other
// page, no API reply), and what is kept goes at sign-out or when another account signs in.
var STATIC = "mylife-static-v2";
var SCREENS = "mylife-screens:"; // + account + ":" + assessment + ":" + language
var OFFLINE_URL = "/offline"; // kept signed out (nothing personal), ?lang= the pages' language
var SCREEN = /^\/assessments\/(\d+)\/themes\/\d+$/;
var SUBMIT = /^\/assessments\/(\d+)\/submit$/;
var HASHED = /^\/static\/.+\.[0-9a-f]{10}\.[A-Za-z0-9]+$/; // app.3f2a1b9c0d.css (app/core/assets.py)

self.addEventListener("install", function (event) {
  event.waitUntil(keep(STATIC, [OFFLINE_URL], "omit").then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name !== STATIC && name.indexOf(SCREENS) !== 0;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

// A page says who is signed in, its language, its static files and, on a screen of the open
// assessment, the screens to keep; "forget" (signing out) drops everything kept.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "forget") event.waitUntil(drop(function () { return true; }));
  if (data.type === "hello") event.waitUntil(hello(data));
});

function hello(data) {
  // Signed out (perhaps only the session ended), the screens kept stay for the person.
  var mine = data.account ? SCREENS + data.account + ":" : null;
  var current = mine && data.screens ? mine + data.screens.key : null;
  return drop(function (name) {
    return mine && name.indexOf(SCREENS) === 0 && (name.indexOf(mine) !== 0 || (current && name !== current));
  }).then(function () {
    var files = (data.assets || []).concat([OFFLINE_URL + "?lang=" + encodeURIComponent(data.lang || "")]);
    return Promise.all([
      keep(STATIC, files, "omit").then(function () { return forgetOlder(STATIC, files); }),
      current ? keep(current, data.screens.urls, "same-origin") : null,
    ]);
  });
}

function drop(which) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(which).map(function (name) { return caches.delete(name); }));
  });
}

// Fetch and keep, one after another, what the cache does not hold yet (only whole answers:
// never a redirect, e.g. to sign in, or an error).
function keep(name, urls, credentials) {
  return caches.open(name).then(function (cache) {
    return urls.reduce(function (done, url) {
      return done.then(function () { return cache.match(url); }).then(function (hit) {
        if (hit) return null;
        return fetch(url, { credentials: credentials, redirect: "manual" }).then(function (response) {
          return response.ok && response.type === "basic" ? cache.put(url, response) : null;
        });
      });
    }, Promise.resolve());
  }).catch(function () { /* offline meanwhile: the next page asks again */ });
}

// An earlier version of a file kept (the same name but for its hash, or another ?lang=) goes.
function forgetOlder(name, urls) {
  var wanted = urls.map(function (url) { return new URL(url, self.location.origin); });
  var plain = function (path) { return path.replace(/\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$/, "$1"); };
  // Only once the new version is kept (its fetch may have failed): one copy always stays.
  return caches.open(name).then(function (cache) {
    return Promise.all(wanted.map(function (w) { return cache.match(w.href); })).then(function (hits) {
      var kept = wanted.filter(function (w, i) { return hits[i]; });
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) {
          var url = new URL(request.url);
          return kept.some(function (w) { return plain(w.pathname) === plain(url.pathname) && w.href !== url.href; });
        }).map(function (request) { return cache.delete(request); }));
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // A static file whose name carries its content's hash (app.3f2a1b9c0d.css) never changes:
  // from the cache first. A plain name (the manifest, its icons) may: the network first.
  if (request.method === "GET" && HASHED.test(url.pathname)) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  } else if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
  } else if (request.mode !== "navigate") {
    return;
  } else if (request.method === "GET") {
    event.respondWith(page(request, url));
  } else if (SCREEN.test(url.pathname)) {
    event.respondWith(moveOn(request, url));
  } else if (SUBMIT.test(url.pathname)) {
    // Submitted: the assessment is no longer open, its screens are no longer kept.
    var id = SUBMIT.exec(url.pathname)[1];
    event.respondWith(fetch(request).then(function (response) {
      drop(function (name) { return name.indexOf(SCREENS) === 0 && name.split(":")[2] === id; });
      return response;
    }, notSent));
  } else {
    event.respondWith(fetch(request).catch(notSent));
  }
});

// Any other form sent offline (a language, the plan, signing out): the offline page, saying
// that nothing was sent (never the browser's own error page).
function notSent() {
  return caches.match(OFFLINE_URL, { ignoreSearch: true }).then(function (hit) {
    if (!hit) return Response.error();
    return hit.text().then(function (html) {
      return new Response(html.replace("data-not-sent hidden", "data-not-sent"), {
        status: 503, headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    });
  });
}

// A page from the network; a screen fetched so is kept in its newest state. Offline: the
// kept screen, else the offline page.
function page(request, url) {
  return fetch(request).then(function (response) {
    var screen = SCREEN.exec(url.pathname);
    if (screen && response.ok && !url.search) keepScreen(screen[1], url.pathname, response.clone());
    return response;
  }, function () {
    return caches.match(url.pathname).then(function (hit) {
      return hit && SCREEN.test(url.pathname) ? hit : caches.match(OFFLINE_URL, { ignoreSearch: true });
    });
  });
}

function keepScreen(assessment, path, response) {
  return caches.keys().then(function (names) {
    var name = names.filter(function (n) { return n.indexOf(SCREENS) === 0 && n.split(":")[2] === assessment; })[0];
    return name ? caches.open(name).then(function (cache) { return cache.put(path, response); }) : null;
  });
}

// Next, Back or Later on a screen: sent to the server; offline, on to the kept screen the
// button leads to (its answers are on the device already, app.js).
function moveOn(request, url) {
  var form = request.clone().formData();
  return fetch(request).catch(function () {
    return form.then(function (fields) {
      var nav = fields.get("nav");
      var number = Number(url.pathname.split("/").pop()) + (nav === "back" ? -1 : 1);
      var target = url.pathname.replace(/\d+$/, String(number));
      if (nav === "later") target = "/";
      else if (fields.get("return") === "check" && nav !== "back") target = url.pathname.replace(/themes\/\d+$/, "review");
      return Response.redirect(target, 303);
    });
  });
}
