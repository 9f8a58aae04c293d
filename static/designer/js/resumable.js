// Resumable uploads (tus 1.0) for large files, a phone's video above all: a dropped connection, a reload or a
// server restart costs at most the piece in flight. The protocol is the vendored tus-js-client's (load
// vendor/tus-js-client-4.3.1.min.js first): it keeps each upload's URL in localStorage under the file's name,
// type, size, lastModified and the endpoint, so choosing the same file again after a reload asks the server how
// much it has (HEAD) and sends only the rest. We chose the kept library over our own client because resuming
// correctly (the offset check, stored URLs, a stale URL answered 404, retries that ask the offset first) is
// where a small hand-written client goes wrong, and it fits in one static file with no build step.
//
//   var upload = window.resumableUpload(file, {endpoint, metadata, csrfToken, onProgress, onDone, onError});
//   upload.abort();   // stop; the same call with the same file later resumes
//   upload.cancel();  // stop and delete what the server holds (a person holds a few unfinished uploads at most);
//                     // a promise
//
// onProgress(sent, total); onDone(answer) with the server's JSON from the last piece; onError(message, status)
// with the server's own message when it sent one (status 0: the network; -1: no tus support in this browser, use
// the plain upload).
(function () {
  "use strict";
  var CHUNK_BYTES = 8 * 1048576;  // one PATCH each: a short request survives a flaky network, and the pace limit
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
  var RETRYABLE = [0, 408, 409, 423];  // plus every 5xx: the network, the pace limit, an offset to ask again

  window.resumableUpload = function (file, options) {
    if (!window.tus || !window.tus.isSupported) {
      options.onError && options.onError("", -1);
      return { abort: function () {}, cancel: function () { return Promise.resolve(); } };
    }
    var offline = false;  // stopped by the network going away: the "online" listener goes on
    var upload = new window.tus.Upload(file, {
      endpoint: options.endpoint,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS,
      removeFingerprintOnSuccess: true,
      metadata: Object.assign({ filename: file.name, filetype: file.type }, options.metadata || {}),
      headers: { "X-CSRF-Token": options.csrfToken, "Accept": "application/json" },
      onShouldRetry: function (error) { return navigator.onLine !== false && retryable(status(error)); },
      onProgress: function (sent, total) { options.onProgress && options.onProgress(sent, total); },
      onSuccess: function (payload) {
        stop();
        options.onDone && options.onDone(answer(payload.lastResponse));
      },
      onError: function (error) {
        offline = navigator.onLine === false;
        if (offline) return;
        stop();
        options.onError && options.onError(answer(error.originalResponse).error || "", status(error));
      }
    });
    // the browser knows when the network is back sooner than a back-off does
    function resume() {
      if (!offline) return;  // still running: its own retries ask the offset again
      offline = false;
      upload.start();
    }
    function stop() { window.removeEventListener("online", resume); }
    window.addEventListener("online", resume);
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
    return {
      abort: function () { stop(); upload.abort(); },
      cancel: function () { stop(); return upload.abort(true); }
    };
  };

  function status(error) {
    return error && error.originalResponse ? error.originalResponse.getStatus() : 0;
  }

  function retryable(code) { return RETRYABLE.indexOf(code) >= 0 || code >= 500; }

  function answer(response) {
    try { return JSON.parse(response ? response.getBody() : "") || {}; } catch (e) { return {}; }
  }
})();
