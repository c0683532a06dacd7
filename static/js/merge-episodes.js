// The merge page: the summary above "Merge" says what each overlap's chosen resolution will
// do, as the radio buttons change (without this, it shows the choice last sent).
(function () {
  "use strict";
  document.querySelectorAll("input[type=radio][data-summary]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var item = document.getElementById(radio.getAttribute("data-summary"));
      if (!item || !radio.checked) {
        return;
      }
      item.querySelectorAll("[data-choice]").forEach(function (span) {
        span.hidden = span.getAttribute("data-choice") !== radio.value;
      });
    });
  });
})();
