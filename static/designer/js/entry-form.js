// The entry form's small helpers: team members are asked for team entries only (a row already
// filled stays visible, so nothing typed disappears), the guardian's part only for an entrant under 14,
// and withdrawing asks first, saying whether it can be undone.
(function () {
  "use strict";
  var guardian = document.querySelector(".guardian");
  if (guardian) {
    Array.prototype.forEach.call(document.querySelectorAll("input[name=has_minor]"), function (radio) {
      radio.addEventListener("change", function () { guardian.hidden = radio.value !== "yes"; });
    });
  }
  var kind = document.getElementById("f-entrant_kind");
  var team = document.querySelector(".team-members");
  if (kind && team) {
    kind.addEventListener("change", function () {
      var named = Array.prototype.some.call(team.querySelectorAll("input"), function (input) {
        return input.value.trim() !== "";
      });
      team.hidden = kind.value !== "team" && !named;
    });
  }
  // Without the script the form's required checkbox is the confirmation; with it, the dialog is.
  Array.prototype.forEach.call(document.querySelectorAll("form.withdraw-form[data-confirm]"), function (form) {
    var box = form.querySelector("input[name=confirm]");
    box.checked = true;
    box.closest("label").hidden = true;
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
}());
