/* coachapp: "Read more" for long text. An element with data-read-more (and a read-more-N class
   giving its number of lines) is shown clamped to N lines with a button that opens it in full;
   text that fits gets no button (which sits in the item's row of buttons where there is one). The whole text is always in the page (screen readers read it
   all, print shows it all): nothing is cut, only folded. Without this script it shows in full.
   Text inside a closed <details> is measured when the details opens. */
(function () {
  "use strict";
  var count = 0;

  function setUp(el) {
    if (el.dataset.readMoreReady || !el.offsetParent) {
      return;
    }
    el.dataset.readMoreReady = "1";
    el.classList.add("is-clamped");
    if (el.scrollHeight <= el.clientHeight + 2) {
      el.classList.remove("is-clamped");
      return;
    }
    if (!el.id) {
      count += 1;
      el.id = "read-more-" + count;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm read-more-toggle";
    button.setAttribute("aria-controls", el.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Read more";
    button.addEventListener("click", function () {
      var open = !el.classList.toggle("is-clamped");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Show less" : "Read more";
    });
    // In a list item with a row of buttons (data-read-more-slot), the toggle joins that row
    // rather than taking a line of its own.
    var item = el.closest(".list-group-item");
    var slot = item && item.querySelector("[data-read-more-slot]");
    if (slot) {
      slot.appendChild(button);
    } else {
      el.insertAdjacentElement("afterend", button);
    }
  }

  function setUpAll(root) {
    var items = root.querySelectorAll("[data-read-more]");
    for (var i = 0; i < items.length; i++) {
      setUp(items[i]);
    }
  }

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.open) {
        setUpAll(event.target);
      }
    },
    true
  );
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setUpAll(document);
    });
  } else {
    setUpAll(document);
  }
})();
