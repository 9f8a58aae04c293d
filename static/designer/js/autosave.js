// The entry form keeps what was typed: a draft is saved a moment after typing stops (as the judge's
// scores are), and leaving the page with changes the server does not hold yet asks first. A
// submitted entry is not autosaved (each change to it is declared again with a receipt), so it only
// warns. Without JavaScript the form saves with its buttons.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || form.querySelector("fieldset.entry-fields[disabled]") || !form.querySelector("#autosave-status")) { return; }
  var DELAY = 1500;
  var url = form.dataset.autosaveUrl;
  var status = document.getElementById("autosave-status");
  // After a refused save the page shows what was typed, which the server does not hold; so does a page where
  // someone typed before this script arrived (on a slow line).
  var saved = form.hasAttribute("data-unsaved") || typedBeforeScript() ? null : snapshot();
  var timer = null;
  var sending = false;
  var leaving = false;

  function snapshot() {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function dirty() { return snapshot() !== saved; }

  // Whether a field differs from what the server rendered in it.
  function typedBeforeScript() {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option, n) {
          var preset = Array.prototype.some.call(field.options, function (o) { return o.defaultSelected; });
          return option.selected !== (preset ? option.defaultSelected : n === 0 && !field.multiple);
        });
      }
      if (field.type === "file" || field.type === "hidden" || !("defaultValue" in field)) { return false; }
      return field.value !== field.defaultValue;
    });
  }

  function show(kind, message) {
    if (!status) { return; }
    status.textContent = message;
    status.dataset.state = kind;
  }

  function clock() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function schedule(delay) {
    if (!url) { return; }
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  function save() {
    var body = snapshot();
    if (body === saved) { return; }
    if (sending) { schedule(DELAY); return; }
    sending = true;
    show("saving", form.dataset.labelSaving);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "x-csrf-token": form.dataset.csrf,
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        saved = body;
        show("saved", form.dataset.labelSaved + " " + clock());
        if (dirty()) { schedule(DELAY); }
      } else {
        show("error", result.data.error || form.dataset.labelFailed);
      }
    }).catch(function () {
      show("error", form.dataset.labelFailed);
    }).then(function () {
      sending = false;
    });
  }

  form.addEventListener("input", function () { schedule(DELAY); });
  form.addEventListener("change", function () { schedule(DELAY); });
  window.addEventListener("online", function () { if (dirty()) { schedule(0); } });
  form.addEventListener("submit", function () { leaving = true; clearTimeout(timer); });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !dirty()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
  if (saved === null && !form.hasAttribute("data-unsaved")) { schedule(0); }
}());
