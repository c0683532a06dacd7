/* A signature pad for the plan's signing page: pointer events (finger, pen or mouse) draw on a
   canvas; "Clear" starts again; on sending, a drawing goes as a PNG data URL in the hidden
   field named by data-target. Without JavaScript the pad stays hidden and the typed name with
   its attestation is the way to sign. No library, no CDN. */
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var target = document.getElementById(pad.getAttribute("data-target"));
    var state = pad.querySelector("[data-signature-state]");
    var form = pad.closest("form");
    if (!canvas || !target || !form || !canvas.getContext) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    pad.hidden = false;
    var fallback = form.querySelector("[data-signature-fallback]");
    if (fallback) fallback.hidden = true;
    // Touch moves draw, they do not scroll the page.
    canvas.style.touchAction = "none";

    function reset() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 3;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      drawn = false;
      target.value = "";
      if (state) state.textContent = "Nothing drawn yet.";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.5, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      if (!drawn) {
        drawn = true;
        if (state) state.textContent = "Signature drawn.";
      }
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    pad.querySelector("[data-signature-clear]").addEventListener("click", reset);
    form.addEventListener("submit", function () {
      target.value = drawn ? canvas.toDataURL("image/png") : "";
    });
    reset();
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
