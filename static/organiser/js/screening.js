// The screening form: choosing a reason template puts its text in the reason box, to edit. A reason the
// organiser typed is not overwritten. Without JS an empty reason is sent as the chosen template's text.
(function () {
  "use strict";
  document.querySelectorAll("[data-screening]").forEach(function (form) {
    const choice = form.querySelector("[data-screening-template]");
    const reason = form.querySelector("[data-screening-reason]");
    let filled = "";
    choice.addEventListener("change", function () {
      const option = choice.options[choice.selectedIndex];
      const text = option.dataset.text || "";
      if (reason.value.trim() === "" || reason.value === filled) {
        reason.value = text;
        filled = text;
      }
    });
  });
})();
