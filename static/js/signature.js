// The outside physician's signature pad (templates/referrals/physician_sign.html):
// a finger, a stylus or the mouse draws on the canvas; the form sends it as a PNG.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-signature-form]");
    if (!form) return;
    var canvas = form.querySelector("canvas");
    var field = form.querySelector("[data-signature-value]");
    var pen = canvas.getContext("2d");
    var drawing = false, drawn = false;
    pen.lineWidth = 3; pen.lineCap = "round"; pen.strokeStyle = "#111";

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width,
              (event.clientY - box.top) * canvas.height / box.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; canvas.setPointerCapture(event.pointerId);
      var p = at(event); pen.beginPath(); pen.moveTo(p[0], p[1]);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = at(event); pen.lineTo(p[0], p[1]); pen.stroke(); drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; field.value = "";
    });
    form.addEventListener("submit", function () {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  });
})();
