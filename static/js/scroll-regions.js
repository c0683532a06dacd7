/* coachapp: a table wider than the screen scrolls sideways inside its .table-responsive box.
   Keyboard users can only scroll it if the box takes the focus, so a box that overflows gets
   tabindex="0", role="region" and a name (the table's caption, or the heading before it);
   one that fits stays out of the tab order. Rechecked when the window is resized. */
(function () {
  "use strict";

  function regionName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var node = box;
    while (node) {
      var sibling = node.previousElementSibling;
      while (sibling) {
        var heading = /^H[1-6]$/.test(sibling.tagName)
          ? sibling
          : sibling.querySelector && sibling.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && heading.textContent.trim()) {
          return heading.textContent.trim();
        }
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "Table";
  }

  function update() {
    var boxes = document.querySelectorAll(".table-responsive");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", regionName(box) + " (scrolls sideways)");
          box.dataset.scrollRegion = "1";
        }
      } else if (box.dataset.scrollRegion) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollRegion;
      }
    }
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
