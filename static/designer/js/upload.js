// Progressive enhancement of the image form: drag and drop, one request per file with its own
// progress bar, then a reload so the server-rendered list shows the result. Without JavaScript the
// form posts as an ordinary multipart upload. Drag to reorder posts the new order.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (form) enhanceUpload(form);
  var list = document.querySelector(".image-list[data-order-url]");
  if (list) enhanceReorder(list);

  function enhanceUpload(form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector(".upload-progress");
    var maxBytes = Number(form.dataset.maxBytes);
    form.addEventListener("submit", function (event) {
      if (!input.files.length) return;
      event.preventDefault();
      uploadAll(Array.prototype.slice.call(input.files));
    });
    input.addEventListener("change", function () {
      if (input.files.length) uploadAll(Array.prototype.slice.call(input.files));
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("is-dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("is-dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      uploadAll(Array.prototype.slice.call(event.dataTransfer.files));
    });

    function uploadAll(files) {
      var failures = 0;
      var next = 0;
      function step() {
        if (next >= files.length) {
          if (!failures) window.location.reload();
          return;
        }
        var file = files[next++];
        uploadOne(file).then(step, function () { failures += 1; step(); });
      }
      step();
    }

    function uploadOne(file) {
      var row = document.createElement("li");
      var label = document.createElement("span");
      var bar = document.createElement("progress");
      label.textContent = file.name + " ";
      bar.max = 100; bar.value = 0;
      row.appendChild(label); row.appendChild(bar);
      progress.appendChild(row);
      return new Promise(function (resolve, reject) {
        if (file.size > maxBytes) { fail(form.dataset.tooLarge); return; }
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.dataset.uploadUrl + "?name=" + encodeURIComponent(file.name));
        xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) bar.value = Math.round(event.loaded / event.total * 100);
        });
        xhr.addEventListener("load", function () {
          if (xhr.status === 201) { bar.value = 100; row.classList.add("is-done"); label.textContent = file.name + " · " + form.dataset.done; resolve(); return; }
          var message = form.dataset.failed;
          try { message = JSON.parse(xhr.responseText).error || message; } catch (e) { /* not JSON */ }
          fail(message);
        });
        xhr.addEventListener("error", function () { fail(form.dataset.failed); });
        xhr.send(file);
        function fail(message) {
          row.classList.add("is-error");
          label.textContent = file.name + " · " + message;
          bar.remove();
          reject(new Error(message));
        }
      });
    }
  }

  function enhanceReorder(list) {
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".image-item");
      if (dragged) event.dataTransfer.effectAllowed = "move";
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest(".image-item");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var after = event.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!dragged) return;
      dragged = null;
      var order = Array.prototype.map.call(list.querySelectorAll(".image-item"), function (li) { return li.dataset.id; });
      var body = new URLSearchParams({ order: order.join(","), csrf_token: document.querySelector("#upload-form, #entry-form").querySelector("[name=csrf_token]").value });
      fetch(list.dataset.orderUrl, { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function () { window.location.reload(); });
    });
  }
})();
