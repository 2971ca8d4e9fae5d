/* The one signature pad, for the patient's consent (templates/portal/consent_sign.html)
   and the outside physician's approval (templates/referrals/physician_sign.html):
   draw with a finger, a pen or a mouse (pointer events), then the drawing goes with
   the form as a PNG data URL. No inline script or style: the pages run under the CSP. */
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var value = form.querySelector("[data-signature-value]");
    var clear = form.querySelector("[data-signature-clear]");
    var nojs = form.querySelector("[data-signature-nojs]");
    if (!canvas || !value) return;
    if (nojs) nojs.hidden = true;
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    // Draw in the canvas' own pixels whatever size CSS gives it on screen.
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    }

    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1b2330";

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        value.value = "";
      });
    }
    form.addEventListener("submit", function () {
      value.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }

  document.querySelectorAll("[data-signature-form]").forEach(setUp);
})();
