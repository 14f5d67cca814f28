// The Circle of Life: focusing (or tapping) a part of the circle shows it in words below.
// Without JavaScript a tap still shows them: each part links to its sentence (:target).
(function () {
  "use strict";
  var says = document.querySelector(".circle-says");
  if (!says) return;
  function show(link) {
    var id = (link.getAttribute("href") || "").slice(1);
    says.querySelectorAll("li").forEach(function (item) {
      item.classList.toggle("shown", item.id === id);
    });
  }
  document.querySelectorAll(".circle a.wedge").forEach(function (link) {
    link.addEventListener("focus", function () { show(link); });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      show(link);
    });
  });
})();
