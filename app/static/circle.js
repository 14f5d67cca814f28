// The Circle of Life: focusing (or tapping) a part of the circle shows it in words, beside the
// circle on a wide screen, below it on a phone; where the words would be out of view, the page
// moves just enough to show them. Without JavaScript a tap still shows them: each part links
// to its sentence (:target).
(function () {
  "use strict";
  var says = document.querySelector(".circle-says");
  if (!says) return;
  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }
  function show(link) {
    var id = (link.getAttribute("href") || "").slice(1);
    var shown = null;
    says.querySelectorAll("li").forEach(function (item) {
      item.classList.toggle("shown", item.id === id);
      if (item.id === id) shown = item;
    });
    if (shown && !inView(shown)) shown.scrollIntoView({ block: "nearest" });
  }
  document.querySelectorAll(".circle a.wedge").forEach(function (link) {
    link.addEventListener("focus", function () { show(link); });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      show(link);
    });
  });
})();
