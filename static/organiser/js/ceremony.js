// The ceremony view: one slide at a time, forward with →, space, PageDown (a presenter's clicker) or a
// click, back with ← or PageUp; Home and End jump to the first and last slide. Every picture is in the
// page from the start (and preloaded in <head>), so "Ready: n/m" counts them in before the show.
(function () {
  "use strict";
  var stage = document.getElementById("ceremony");
  if (!stage) { return; }
  var slides = Array.prototype.slice.call(stage.querySelectorAll("[data-slide]"));
  var count = stage.querySelector("[data-count]");
  var ready = stage.querySelector("[data-ready]");
  var current = 0;
  document.documentElement.classList.add("ceremony-js");

  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) {
      slide.classList.toggle("is-current", i === current);
      slide.setAttribute("aria-hidden", i === current ? "false" : "true");
    });
    if (count) {
      count.textContent = stage.dataset.countLabel.replace("{i}", String(current + 1)).replace("{n}", String(slides.length));
    }
    stage.dataset.current = String(current);
  }

  function next() { show(current + 1); }
  function back() { show(current - 1); }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    var onButton = event.target && event.target.closest && event.target.closest("button, a, input");
    if (key === "ArrowRight" || key === "PageDown" || (key === " " && !onButton)) {
      event.preventDefault();
      next();
    } else if (key === "ArrowLeft" || key === "PageUp") {
      event.preventDefault();
      back();
    } else if (key === "Home") {
      event.preventDefault();
      show(0);
    } else if (key === "End") {
      event.preventDefault();
      show(slides.length - 1);
    }
  });

  stage.addEventListener("click", function (event) {
    if (event.target.closest("button, a, form")) { return; }
    next();
  });

  // The press is one moment: the button cannot be sent twice by an eager clicker. It is never focused by the
  // slides, so a space or a clicker's PageDown on the last slide announces nothing: it takes a click (or Tab, Enter).
  var press = stage.querySelector("[data-press]");
  if (press) {
    press.form.addEventListener("submit", function () {
      window.setTimeout(function () { press.disabled = true; }, 0);
    });
  }

  var full = stage.querySelector("[data-fullscreen]");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () {
      document.documentElement.requestFullscreen().catch(function () { full.hidden = true; });
    });
  }

  // Ready: n/m. Each picture counts once it is loaded and decoded (so showing it costs nothing).
  var images = Array.prototype.slice.call(stage.querySelectorAll("img[data-ceremony-image]"));
  var total = images.length;
  var loaded = 0;
  function report() {
    if (!ready) { return; }
    var label = loaded === total ? stage.dataset.readyDone : stage.dataset.readyLabel;
    ready.textContent = label.replace("{n}", String(loaded)).replace("{m}", String(total));
    ready.classList.toggle("is-ready", loaded === total);
    stage.dataset.allReady = loaded === total ? "yes" : "no";
  }
  function counted(image) {
    if (image.dataset.counted) { return; }
    image.dataset.counted = "1";
    loaded += 1;
    report();
  }
  images.forEach(function (image) {
    var done = function () {
      if (image.decode) {
        image.decode().then(function () { counted(image); }, function () { counted(image); });
      } else {
        counted(image);
      }
    };
    if (image.complete && image.naturalWidth > 0) { done(); } else {
      image.addEventListener("load", done);
      image.addEventListener("error", function () { image.classList.add("is-broken"); });
    }
  });
  report();

  show(window.location.hash === "#announced" || window.location.hash === "#end" ? slides.length - 1 : 0);
}());
