// Option rows of a question: add and remove rows in place, and show them only for choice kinds.
// Without JS the page already offers two empty rows, and a cleared row is left out when saved.
(function () {
  "use strict";
  let made = 0;

  function renumber(row) {
    made += 1;
    row.querySelectorAll("[id]").forEach(function (el) {
      const label = row.querySelector('label[for="' + el.id + '"]');
      el.id = el.id.replace(/-option-0/, "-option-new" + made);
      if (label) { label.htmlFor = el.id; }
    });
  }

  function wire(row) {
    const remove = row.querySelector(".option-remove");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      const next = row.nextElementSibling && row.nextElementSibling.querySelector("input[name=option_label]");
      row.remove();
      if (next) { next.focus(); }
    });
  }

  function setUp(set) {
    const template = set.querySelector("template");
    const add = set.querySelector(".option-add");
    set.querySelectorAll(".option-row").forEach(wire);
    add.hidden = false;
    add.addEventListener("click", function () {
      const row = template.content.firstElementChild.cloneNode(true);
      renumber(row);
      add.before(row);
      wire(row);
      row.querySelector("input[name=option_label]").focus();
    });
    const kind = set.form.querySelector("select[name=kind]");
    const kinds = set.dataset.choiceKinds.split(" ");
    const show = function () { set.hidden = !kinds.includes(kind.value); };
    kind.addEventListener("change", show);
    show();
  }

  document.querySelectorAll("fieldset.option-rows").forEach(setUp);
})();
