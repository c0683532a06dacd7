/* coachapp forms, as a progressive enhancement (every form works without it):

   - a refused form's error summary (#error-summary, the error_summary macro) takes the focus,
     so the first thing read out is what to fix;
   - a field with a length limit (data-maxlength, the render_field macro) shows a character
     counter: a text area always ("1,234 of 10,000 characters"), a one-line field once it is
     past 80% of its limit. Nothing is ever cut: over the limit the counter says by how much,
     and the server refuses the text with the same figures, keeping it.

   Screen readers hear the counter sparingly: a polite live region speaks only when the text
   comes near the limit, goes over it or comes back under, never on each key. */
(function () {
  "use strict";

  var NEAR = 0.9; // "n characters left" is announced from 90% of the limit
  var SHOW_SHORT = 0.8; // a one-line field's counter appears from 80%

  // As the server counts: characters (not UTF-16 halves), a line break as one.
  function length(value) {
    var n = 0;
    for (var i = 0; i < value.length; i++) {
      var code = value.charCodeAt(i);
      if (code < 0xdc00 || code > 0xdfff) n++; // a low surrogate ends a pair already counted
    }
    return n;
  }

  function number(n) {
    return n.toLocaleString("en-US");
  }

  function state(n, limit) {
    if (n > limit) return "over";
    if (n >= limit * NEAR) return "near";
    return "under";
  }

  function setUp(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit || limit < 1) return;
    var isArea = field.tagName === "TEXTAREA";
    var counter = document.getElementById(field.id + "-count");
    if (!counter) {
      counter = document.createElement("div");
      counter.id = field.id + "-count";
      counter.className = "form-text char-count";
      var anchor = field.parentNode.querySelector("#" + CSS.escape(field.id) + "-help") || field;
      anchor.insertAdjacentElement("afterend", counter);
    }
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.id = field.id + "-count-live";
    counter.insertAdjacentElement("afterend", live);
    var last = null;

    function update() {
      var n = length(field.value);
      var now = state(n, limit);
      if (n > limit) {
        counter.textContent = number(n) + " of " + number(limit) + " characters: " +
          number(n - limit) + " over the limit. Shorten it before saving.";
      } else {
        counter.textContent = number(n) + " of " + number(limit) + " characters";
      }
      counter.classList.toggle("text-danger", n > limit);
      counter.classList.toggle("fw-bold", n > limit);
      counter.hidden = !isArea && n < limit * SHOW_SHORT;
      if (last !== null && now !== last) {
        if (now === "over") {
          live.textContent = number(n - limit) + " characters over the limit of " + number(limit) + ".";
        } else if (now === "near" && last === "under") {
          live.textContent = number(limit - n) + " characters left.";
        } else if (last === "over") {
          live.textContent = "Within the limit again.";
        }
      }
      last = now;
    }

    field.addEventListener("input", update);
    update();
  }

  function ready() {
    var fields = document.querySelectorAll("[data-maxlength]");
    for (var i = 0; i < fields.length; i++) setUp(fields[i]);
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      // A link of the summary focuses its field (a fragment link alone only scrolls to it).
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        var details = target.closest("details");
        if (details) details.open = true;
        target.scrollIntoView({ block: "center" });
        target.focus();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
