// Live countdown for elements with data-deadline; without JavaScript the deadline is shown as a date.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".countdown[data-deadline]");
  function tick(box, deadline) {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var parts = { days: Math.floor(left / 86400), hours: Math.floor(left / 3600) % 24,
                  minutes: Math.floor(left / 60) % 60, seconds: left % 60 };
    box.querySelectorAll(".countdown-value").forEach(function (el) {
      el.textContent = String(parts[el.dataset.unit]).padStart(2, "0");
    });
  }
  boxes.forEach(function (box) {
    var deadline = Date.parse(box.dataset.deadline);
    if (isNaN(deadline)) return;
    box.querySelector(".countdown-parts").hidden = false;
    tick(box, deadline);
    setInterval(function () { tick(box, deadline); }, 1000);
  });
})();
