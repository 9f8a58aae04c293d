// A lightbox for an entry's images: arrow keys and swipes move between them, Escape closes.
// Opening adds a step to the history, so a phone's Back button closes it instead of leaving the page.
// Without JavaScript each image is a plain link to its full-size file.
(function () {
  "use strict";
  var SWIPE_PX = 40;

  function button(className, label, text) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    return b;
  }

  function build(list) {
    var box = document.createElement("div");
    box.className = "lightbox";
    box.hidden = true;
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-label", list.dataset.labelDialog || "");
    var bar = document.createElement("div");
    bar.className = "lightbox-bar";
    var counter = document.createElement("span");
    counter.className = "lightbox-counter";
    counter.setAttribute("aria-live", "polite");
    var close = button("lightbox-close", list.dataset.labelClose || "Close", "\u00d7");
    bar.append(counter, close);
    var stage = document.createElement("div");
    stage.className = "lightbox-stage";
    var controls = document.createElement("div");
    controls.className = "lightbox-controls";
    var prev = button("lightbox-prev", list.dataset.labelPrevious || "Previous", "\u2039");
    var next = button("lightbox-next", list.dataset.labelNext || "Next", "\u203a");
    controls.append(prev, next);
    box.append(bar, stage, controls);
    document.body.append(box);
    return { box: box, counter: counter, stage: stage, close: close, prev: prev, next: next };
  }

  function setUp(list) {
    var links = Array.prototype.slice.call(list.querySelectorAll(".lightbox-link"));
    if (!links.length) return;
    var ui = build(list);
    var index = 0;
    var opener = null;
    var start = null;

    function show(i) {
      index = Math.max(0, Math.min(links.length - 1, i));
      var picture = links[index].querySelector("picture").cloneNode(true);
      picture.querySelectorAll("source, img").forEach(function (el) { el.setAttribute("sizes", "100vw"); });
      var img = picture.querySelector("img");
      img.removeAttribute("class");
      img.loading = "eager";
      img.draggable = false;
      ui.stage.replaceChildren(picture);
      ui.counter.textContent = (index + 1) + " / " + links.length;
      ui.prev.disabled = index === 0;
      ui.next.disabled = index === links.length - 1;
    }

    function open(i) {
      opener = document.activeElement;
      show(i);
      ui.box.hidden = false;
      document.body.classList.add("has-lightbox");
      history.pushState({ lightbox: true }, "");
      ui.close.focus();
    }

    function close() {
      if (history.state && history.state.lightbox) history.back();  // popstate hides it
      else hide();
    }

    function hide() {
      if (ui.box.hidden) return;
      ui.box.hidden = true;
      document.body.classList.remove("has-lightbox");
      if (opener) opener.focus();
    }

    function trapTab(event) {
      var focusable = [ui.close, ui.prev, ui.next].filter(function (b) { return !b.disabled; });
      var at = focusable.indexOf(document.activeElement);
      var to = (at + (event.shiftKey ? -1 : 1) + focusable.length) % focusable.length;
      focusable[to].focus();
      event.preventDefault();
    }

    links.forEach(function (link, i) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        open(i);
      });
    });
    ui.close.addEventListener("click", close);
    window.addEventListener("popstate", hide);
    ui.prev.addEventListener("click", function () { show(index - 1); });
    ui.next.addEventListener("click", function () { show(index + 1); });
    ui.box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
      else if (event.key === "ArrowLeft") show(index - 1);
      else if (event.key === "ArrowRight") show(index + 1);
      else if (event.key === "Tab") trapTab(event);
    });
    ui.stage.addEventListener("pointerdown", function (event) {
      start = { x: event.clientX, y: event.clientY };
    });
    ui.stage.addEventListener("pointercancel", function () { start = null; });
    ui.stage.addEventListener("pointerup", function (event) {
      if (!start) return;
      var dx = event.clientX - start.x;
      var dy = event.clientY - start.y;
      start = null;
      if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > Math.abs(dy)) show(index + (dx < 0 ? 1 : -1));
    });
  }

  document.querySelectorAll("[data-lightbox]").forEach(setUp);
})();
