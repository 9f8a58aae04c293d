// The scoring page: autosave per field, the running weighted total, keyboard next / previous (not while
// typing; Esc leaves the field), click-to-zoom, thumbnails.
(function () {
  "use strict";
  var page = document.getElementById("score-page");
  if (!page) { return; }
  var DELAY = 600;
  var timers = {};

  function status(name, kind, message) {
    var el = document.getElementById("s-" + name);
    var error = document.getElementById("e-" + name);
    var field = page.querySelector('[data-field="' + name + '"]');
    if (el) {
      el.textContent = message;
      el.classList.toggle("is-saved", kind === "saved");
      el.classList.toggle("is-error", kind === "error");
    }
    if (error) {
      error.hidden = kind !== "error";
      error.textContent = kind === "error" ? message : "";
    }
    if (field) { field.classList.toggle("has-error", kind === "error"); }
    var input = document.getElementById("f-" + name);
    if (input) {
      if (kind === "error") { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
  }

  function progress(data) {
    var scored = page.querySelector("[data-progress-scored]");
    var total = page.querySelector("[data-progress-total]");
    if (scored && typeof data.scored === "number") { scored.textContent = String(data.scored); }
    if (total && typeof data.total === "number") { total.textContent = String(data.total); }
  }

  function save(input) {
    var name = input.name;
    var body = new URLSearchParams();
    body.set(name, input.value);
    status(name, "saving", page.dataset.labelSaving);
    fetch(page.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "x-csrf-token": page.dataset.csrf,
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        status(name, "saved", page.dataset.labelSaved);
        progress(result.data);
      } else {
        var fields = result.data.fields || {};
        status(name, "error", fields[name] || result.data.error || page.dataset.labelError);
      }
    }).catch(function () {
      status(name, "error", page.dataset.labelError);
    });
  }

  function schedule(input, delay) {
    if (input.readOnly) { return; }
    if (input.value === input.dataset.lastSent) { return; }
    clearTimeout(timers[input.name]);
    timers[input.name] = setTimeout(function () {
      if (input.value === input.dataset.lastSent) { return; }
      input.dataset.lastSent = input.value;
      // A blank score is "not scored yet": nothing to save.
      if (input.value.trim() === "" && input.name !== "comment") { status(input.name, "", ""); return; }
      save(input);
    }, delay);
  }

  // The same figure as aggregation.running_total: each value normalised to 0..100 by its scale, the
  // weighted mean over the criteria scored so far; a value not (yet) valid is left out.
  var criteria = page.querySelectorAll("input[data-weight]");
  var totalEl = page.querySelector("[data-running-total]");
  var countEl = page.querySelector("[data-running-count]");
  function runningTotal() {
    var sum = 0, weights = 0, counted = 0;
    Array.prototype.forEach.call(criteria, function (input) {
      var raw = input.value.trim();
      var value = Number(raw), low = Number(input.dataset.min), high = Number(input.dataset.max);
      if (raw === "" || !isFinite(value) || value < low || value > high || !/^[+-]?(\d+\.?\d{0,2}|\.\d{1,2})$/.test(raw)) { return; }
      var weight = Number(input.dataset.weight);
      sum += weight * (value - low) / (high - low) * 100;
      weights += weight;
      counted += 1;
    });
    if (totalEl) { totalEl.textContent = counted && weights ? (sum / weights).toFixed(1) : "\u2014"; }
    if (countEl) { countEl.textContent = countEl.dataset.label.replace("{counted}", String(counted)); }
  }

  // The comment's sharing box saves as soon as it is ticked or unticked ("1" or "0").
  var checks = page.querySelectorAll("[data-autosave-check]");
  Array.prototype.forEach.call(checks, function (box) {
    box.addEventListener("change", function () {
      if (box.disabled) { return; }
      var body = new URLSearchParams();
      body.set(box.name, box.checked ? "1" : "0");
      status(box.name, "saving", page.dataset.labelSaving);
      fetch(page.dataset.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "x-csrf-token": page.dataset.csrf,
          "Accept": "application/json",
          "Content-Type": "application/x-www-form-urlencoded"
        },
        body: body
      }).then(function (response) {
        status(box.name, response.ok ? "saved" : "error",
               response.ok ? page.dataset.labelSaved : page.dataset.labelError);
      }).catch(function () {
        status(box.name, "error", page.dataset.labelError);
      });
    });
  });

  var inputs = page.querySelectorAll("[data-autosave]");
  Array.prototype.forEach.call(inputs, function (input) {
    // What the server sent, not what is there now: a judge may have typed before this script arrived.
    input.dataset.lastSent = input.defaultValue;
    input.addEventListener("input", function () { schedule(input, DELAY); });
    if (input.dataset.weight) { input.addEventListener("input", runningTotal); }
    input.addEventListener("change", function () { schedule(input, 0); });
    input.addEventListener("blur", function () { schedule(input, 0); });
    if (input.value !== input.defaultValue) {
      schedule(input, 0);
      if (input.dataset.weight) { runningTotal(); }
    }
  });

  var stage = document.getElementById("score-stage");
  var stageLink = document.getElementById("score-stage-link");
  function toggleZoom() { if (stage) { stage.classList.toggle("is-zoomed"); } }
  if (stageLink) {
    stageLink.addEventListener("click", function (event) { event.preventDefault(); toggleZoom(); });
  }

  Array.prototype.forEach.call(page.querySelectorAll(".score-thumb"), function (thumb) {
    thumb.addEventListener("click", function (event) {
      event.preventDefault();
      var img = document.getElementById("score-stage-img");
      var webp = document.getElementById("score-stage-webp");
      if (!img) { return; }
      if (webp) { webp.srcset = thumb.dataset.webp; }
      img.src = thumb.dataset.jpeg;
      img.alt = thumb.querySelector("img").alt;
      if (stageLink) { stageLink.href = thumb.dataset.jpeg; }
      Array.prototype.forEach.call(page.querySelectorAll(".score-thumb"), function (other) {
        other.classList.toggle("is-current", other === thumb);
        if (other === thumb) { other.setAttribute("aria-current", "true"); } else { other.removeAttribute("aria-current"); }
      });
    });
  });

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var field = typing(event.target) ? event.target : (typing(document.activeElement) ? document.activeElement : null);
    if (field) {
      // Esc leaves the field (its blur autosaves), except while an input method is composing a word.
      if (event.key === "Escape" && !event.isComposing) { field.blur(); event.preventDefault(); }
      return;
    }
    if (event.defaultPrevented || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if ((key === "j" || key === "ArrowRight") && page.dataset.next) {
      window.location.assign(page.dataset.next);
    } else if ((key === "k" || key === "ArrowLeft") && page.dataset.previous) {
      window.location.assign(page.dataset.previous);
    } else if (key === "z") {
      toggleZoom();
    } else {
      return;
    }
    event.preventDefault();
  });
}());
