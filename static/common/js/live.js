/* Live screens of the final meeting: one Server-Sent Events stream per page ([data-events]). Each event
   carries the whole state of this screen: its HTML replaces [data-live-html], and "go" (a judge's next
   entry) moves the page there once what was typed is saved. The browser reconnects by itself; the first
   event after a reconnect makes the screen whole again. A judge's page also carries the key of what it
   shows ([data-page]); when the stream's key differs, the page goes to "go". Pitch timers ([data-timer]) tick on the server's clock. */
(function () {
  "use strict";
  var source = document.querySelector("[data-events]");
  if (!source || !window.EventSource) { return; }
  var target = document.querySelector("[data-live-html]");
  var status = document.querySelector("[data-live-status]");
  var offset = 0; // server clock minus this one, in ms

  function setStatus(live) {
    if (!status) { return; }
    status.textContent = live ? status.dataset.labelLive : status.dataset.labelLost;
    status.classList.toggle("is-lost", !live);
  }

  function leaveFor(url) {
    var active = document.activeElement;
    if (active && active.blur) { active.blur(); } // autosave sends the field on blur
    document.dispatchEvent(new CustomEvent("live:leave"));
    setTimeout(function () { window.location.assign(url); }, 350);
  }

  var stream = new EventSource(source.dataset.events);
  stream.addEventListener("open", function () { setStatus(true); });
  stream.addEventListener("error", function () { setStatus(false); });
  stream.addEventListener("state", function (message) {
    var state = JSON.parse(message.data);
    setStatus(true);
    if (state.now) { offset = state.now - Date.now(); }
    if (state.go && state.page !== source.dataset.page) { leaveFor(state.go); return; }
    if (target && typeof state.html === "string" && target.dataset.version !== String(state.v)) {
      target.innerHTML = state.html;
      target.dataset.version = String(state.v);
    }
    document.dispatchEvent(new CustomEvent("live:state", { detail: state }));
    tick();
  });

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clockText(seconds) { return two(Math.floor(seconds / 60)) + ":" + two(Math.floor(seconds % 60)); }

  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-timer]"), function (timer) {
      var start = Number(timer.dataset.start);
      var pitch = Number(timer.dataset.pitch), questions = Number(timer.dataset.questions);
      if (!start) { timer.textContent = timer.dataset.labelReady; timer.className = "stage-timer"; return; }
      var elapsed = Math.max(0, (Date.now() + offset - start) / 1000);
      var phase, left;
      if (elapsed < pitch) { phase = "pitch"; left = pitch - elapsed; }
      else if (elapsed < pitch + questions) { phase = "questions"; left = pitch + questions - elapsed; }
      else { phase = "over"; left = elapsed - pitch - questions; }
      var label = { pitch: timer.dataset.labelPitch, questions: timer.dataset.labelQuestions, over: timer.dataset.labelOver }[phase];
      timer.textContent = label + " " + (phase === "over" ? "+" : "") + clockText(phase === "over" ? left : Math.ceil(left));
      timer.className = "stage-timer is-" + phase + (phase !== "over" && left <= 30 ? " is-ending" : "");
    });
  }
  if (source.dataset.now) { offset = Number(source.dataset.now) - Date.now(); }
  tick();
  setInterval(tick, 250);
})();
