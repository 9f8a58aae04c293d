// The entry page's files, slot by slot, changed in place. Each chosen file is sent alone, one after another,
// with its own progress row; a refused file says why and how to go on (retry, or choose another file). Large
// files go by the resumable protocol (resumable.js): a dropped connection or a reload goes on where it stopped.
// Every change (upload, move, cover, delete, drag) answers with the server-rendered lists of every slot and the
// checklist of what is missing, which replace the old ones: the page is never reloaded and the entry form is
// never touched, so what was typed stays. Without JavaScript the same forms post and redirect. While a file is
// being processed (处理中: a video's transcode, or an image a job is making), the lists are asked for again every
// few seconds until none is.
(function () {
  "use strict";
  var RESUMABLE_FROM = 8 * 1048576;  // smaller files go in one request: no protocol round trips
  var section = document.getElementById("files");
  if (!section) return;
  var status = document.getElementById("image-status");
  Array.prototype.forEach.call(section.querySelectorAll("form.upload-zone"), enhanceUpload);
  section.addEventListener("submit", onAction);
  enhanceReorder();
  var POLL_MS = 3000;
  var polling = null;
  pollWhileProcessing();

  function pollWhileProcessing() {
    if (polling || !section.querySelector(".slot-items[data-processing]")) return;
    polling = window.setTimeout(function () {
      fetch(section.dataset.listsUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : {}; }, function () { return {}; })
        .then(function (answer) {
          polling = null;
          if (answer.html) showList(answer.html); else pollWhileProcessing();
        });
    }, POLL_MS);
  }

  function showList(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    Array.prototype.forEach.call(holder.querySelectorAll("[id]"), function (fresh) {
      var old = document.getElementById(fresh.id);
      if (old && fresh.parentNode === holder) old.replaceWith(fresh);
    });
    Array.prototype.forEach.call(section.querySelectorAll("form.upload-zone"), function (zone) {
      var list = document.getElementById(zone.dataset.list);
      zone.hidden = list && list.dataset.room === "0";
    });
    pollWhileProcessing();
  }

  function say(message) { status.textContent = message || ""; }

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok && answer.html) return answer;
          throw answer.error || section.dataset.unchanged;
        });
      }, function () { throw section.dataset.unchanged; });
  }

  function onAction(event) {
    var actionForm = event.target.closest(".slot-items form");
    if (!actionForm) return;
    event.preventDefault();
    var button = actionForm.querySelector("button");
    var item = actionForm.closest(".image-item");
    var list = actionForm.closest(".slot-items");
    var neighbour = item.nextElementSibling || item.previousElementSibling;
    var focusAfter = button.dataset.action === "delete"
      ? [neighbour && neighbour.dataset.id, "up"] : [item.dataset.id, button.dataset.action];
    button.disabled = true;
    post(actionForm.action, new URLSearchParams(new FormData(actionForm))).then(function (answer) {
      showList(answer.html);
      say("");
      focusButton(list.id, focusAfter[0], focusAfter[1]);
    }, function (message) {
      button.disabled = false;
      say(message);
    });
  }

  // keyboard users keep their place: the same button of the same image, or the next image after a delete
  function focusButton(listId, id, action) {
    var list = document.getElementById(listId);
    var target = id && list && list.querySelector(".image-item[data-id='" + id + "'] button[data-action='" + action + "']");
    (target || section).focus();
  }

  function enhanceUpload(form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector(".upload-progress");
    var maxBytes = Number(form.dataset.maxBytes);
    var queue = Promise.resolve();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) take(input.files); else input.click();
    });
    input.addEventListener("change", function () {
      take(input.files);
      input.value = "";  // so that choosing the same file again is noticed (and answered)
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("is-dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("is-dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      take(event.dataTransfer.files);
    });

    function take(files) {
      Array.prototype.forEach.call(files, function (file) {
        var row = newRow(file);
        queue = queue.then(function () { return send(file, row); });
      });
    }

    function newRow(file) {
      var row = document.createElement("li");
      var name = document.createElement("span");
      var note = document.createElement("span");
      name.className = "upload-name";
      note.className = "upload-note";
      name.textContent = file.name;
      note.textContent = form.dataset.waiting;
      row.appendChild(name);
      row.appendChild(note);
      progress.appendChild(row);
      return row;
    }

    function setNote(row, text) { row.querySelector(".upload-note").textContent = text; }

    function send(file, row) {
      row.className = "";
      if (file.size > maxBytes) {
        refuse(row, file, tooLarge(file.size), "choose");
        return Promise.resolve();
      }
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      row.insertBefore(bar, row.querySelector(".upload-note"));
      setNote(row, "");
      if (file.size >= RESUMABLE_FROM && window.resumableUpload) return sendResumable(file, row, bar);
      return sendWhole(file, row, bar);
    }

    function arrived(row, answer) {
      row.classList.add("is-done");
      setNote(row, form.dataset.done);
      showList(answer.html);
    }

    // tus: pieces of 8 MiB; when the network goes, the row says so and the upload goes on when it returns
    function sendResumable(file, row, bar) {
      return new Promise(function (resolve) {
        window.resumableUpload(file, {
          endpoint: form.dataset.resumableUrl, csrfToken: form.dataset.csrf,
          onProgress: function (sent, total) { bar.value = Math.round(sent / total * 100); setNote(row, ""); },
          onDone: function (answer) { bar.remove(); arrived(row, answer); resolve(); },
          onError: function (message, code) {
            if (code === -1) { sendWhole(file, row, bar).then(resolve); return; }
            bar.remove();
            failed(row, file, code, message);
            resolve();
          }
        });
        window.addEventListener("offline", function () { setNote(row, form.dataset.paused); }, { once: true });
      });
    }

    function sendWhole(file, row, bar) {
      return new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.dataset.uploadUrl + "?name=" + encodeURIComponent(file.name));
        xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) bar.value = Math.round(event.loaded / event.total * 100);
        });
        xhr.addEventListener("load", function () {
          var answer = {};
          try { answer = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: a proxy's page */ }
          bar.remove();
          if (xhr.status === 201 && answer.html) {
            arrived(row, answer);
          } else {
            failed(row, file, xhr.status, answer.error);
          }
          resolve();
        });
        xhr.addEventListener("error", function () { bar.remove(); failed(row, file, 0); resolve(); });
        xhr.send(file);
      });
    }

    // a retry can help only when the file did not get through; a refused file must change first
    function failed(row, file, status, message) {
      var passing = status === 0 || status === 408 || status === 429 || status >= 500;
      var text = message || (status === 0 ? form.dataset.network : form.dataset.server);
      refuse(row, file, text, passing ? "retry" : (status === 400 || status === 413) ? "choose" : "");
    }

    function refuse(row, file, text, next) {
      row.classList.add("is-error");
      setNote(row, text);
      if (!next) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small btn-secondary";
      button.textContent = next === "retry" ? form.dataset.retry : form.dataset.choose;
      button.addEventListener("click", function () {
        button.remove();
        if (next === "choose") { input.click(); return; }
        setNote(row, form.dataset.waiting);
        queue = queue.then(function () { return send(file, row); });
      });
      row.appendChild(button);
    }

    function tooLarge(size) {
      var megabytes = (Math.ceil(size * 10 / 1048576) / 10).toFixed(1);
      return form.dataset.tooLarge.replace("{limit}", form.dataset.limitMb).replace("{size}", megabytes);
    }
  }

  function enhanceReorder() {
    var dragged = null;
    section.addEventListener("dragstart", function (event) {
      dragged = event.target.closest && event.target.closest(".slot-items .image-item[data-id]");
      if (dragged) event.dataTransfer.effectAllowed = "move";
    });
    section.addEventListener("dragover", function (event) {
      var over = event.target.closest && event.target.closest(".slot-items .image-item[data-id]");
      if (!dragged || !over || over === dragged || over.parentNode !== dragged.parentNode) return;
      event.preventDefault();
      var after = event.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
      over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
    });
    section.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var list = dragged.parentNode;
      dragged = null;
      var order = Array.prototype.map.call(list.querySelectorAll(".image-item[data-id]"), function (li) { return li.dataset.id; });
      var token = list.querySelector("[name=csrf_token]").value;
      post(list.dataset.orderUrl, new URLSearchParams({ order: order.join(","), csrf_token: token }))
        .then(function (answer) { showList(answer.html); say(""); }, say);
    });
  }
})();
