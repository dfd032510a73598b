// Hovering a highlight lights up every piece of the same attribution and its entry in the list.
(function () {
  "use strict";
  function mark(ids, on) {
    ids.forEach(function (id) {
      document.querySelectorAll('[data-att~="' + CSS.escape(id) + '"]').forEach(function (el) {
        el.classList.toggle("hover", on);
      });
    });
  }
  ["mouseover", "mouseout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var el = event.target.closest && event.target.closest("[data-att]");
      if (el) mark(el.getAttribute("data-att").split(" ").slice(0, 1), type === "mouseover");
    });
  });
})();
