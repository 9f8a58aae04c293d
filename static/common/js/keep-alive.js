/* An open scoring or meeting page keeps its session alive (docs/security.md, "Sessions"): a light request every
   few minutes ([data-every] seconds), in view or not, for a judge may leave the page open in the background
   between entries. It stops once the session has ended (any answer but 200) or when the next request would come
   after the absolute limit; a failed connection (a network blip, a restart) is tried again at the next turn.
   The script's data-next holds when the next request is due (page time, ms), or "stopped". */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) { return; }
  var every = Number(script.dataset.every) * 1000;
  var timer = null, last = Date.now(), stopped = false;

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(ping, delay);
    script.dataset.next = String(Date.now() + delay);
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    script.dataset.next = "stopped";
  }

  function ping() {
    last = Date.now();
    fetch(script.dataset.url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { stop(); return null; }
        return response.json();
      })
      .then(function (data) {
        if (stopped || !data) { return; }
        if (data.ends_in * 1000 > every) { schedule(every); } else { stop(); }
      }, function () {
        if (!stopped) { schedule(every); }
      });
  }

  // A background tab's timers may fire late (browsers throttle them): back in view, a late request goes at once.
  document.addEventListener("visibilitychange", function () {
    if (!stopped && document.visibilityState === "visible" && Date.now() - last >= every) { schedule(0); }
  });
  schedule(every);
}());
