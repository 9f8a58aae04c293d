// Live countdown for elements with data-deadline; without JavaScript the deadline is shown as a date.
// A deadline that has passed reads "Deadline passed" (the box's data-passed-label), never a row of zeros.
// At that moment, elements marked data-until-deadline="<the box's id>" go and those marked
// data-after-deadline="<the box's id>" (rendered hidden) show, as a reload would render the page.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".countdown[data-deadline]");
  function tick(box, deadline, timer) {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    if (left === 0) { passed(box); clearInterval(timer); return; }
    var parts = { days: Math.floor(left / 86400), hours: Math.floor(left / 3600) % 24,
                  minutes: Math.floor(left / 60) % 60, seconds: left % 60 };
    box.querySelectorAll(".countdown-value").forEach(function (el) {
      el.textContent = String(parts[el.dataset.unit]).padStart(2, "0");
    });
  }
  function passed(box) {
    var parts = box.querySelector(".countdown-parts");
    var note = document.createElement("p");
    note.className = "countdown-passed";
    note.textContent = box.dataset.passedLabel;
    parts.replaceWith(note);
    if (!box.id) return;
    document.querySelectorAll('[data-until-deadline="' + box.id + '"]').forEach(function (el) { el.remove(); });
    document.querySelectorAll('[data-after-deadline="' + box.id + '"]').forEach(function (el) { el.hidden = false; });
  }
  boxes.forEach(function (box) {
    var deadline = Date.parse(box.dataset.deadline);
    if (isNaN(deadline) || !box.querySelector(".countdown-parts")) return;
    box.querySelector(".countdown-parts").hidden = false;
    var timer = setInterval(function () { tick(box, deadline, timer); }, 1000);
    tick(box, deadline, timer);
  });
})();
