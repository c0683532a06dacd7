// "Tick all on this page" for a form whose tick boxes stand elsewhere on the page (form="…").
// Progressive enhancement: without this script the button stays hidden and each box is ticked
// by hand. The button says what it will do next (tick all / untick all).
(function () {
  "use strict";
  document.querySelectorAll("button[data-tick-all]").forEach(function (button) {
    var form = document.getElementById(button.dataset.tickAll);
    if (!form) return;
    var boxes = function () {
      return Array.prototype.slice.call(
        document.querySelectorAll('input[type="checkbox"][form="' + form.id + '"]')
      );
    };
    var allTicked = function () {
      var all = boxes();
      return all.length > 0 && all.every(function (box) { return box.checked; });
    };
    var label = function () {
      button.textContent = allTicked() ? button.dataset.untickLabel : button.dataset.tickLabel;
    };
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      var tick = !allTicked();
      boxes().forEach(function (box) { box.checked = tick; });
      label();
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches('input[form="' + form.id + '"]')) label();
    });
  });
})();
