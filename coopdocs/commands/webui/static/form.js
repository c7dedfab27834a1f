// coopdocs serve: check the page's answers as they are typed (no build chain, no framework).
// The form works without this file: the "Check" button sends it the ordinary way.
(function () {
  "use strict";
  // The review page's file input: the browser's own button speaks the browser's language, so it is
  // hidden behind a label in the page's language, and the chosen name is shown beside it.
  var file = document.getElementById("open-file");
  if (file) {
    file.addEventListener("change", function () {
      var shown = document.getElementById("open-name");
      if (shown && file.files.length) shown.textContent = file.files[0].name;
    });
  }
  var form = document.getElementById("page");
  if (!form) return;
  var timer = null;
  var running = 0;
  function check() {
    var seq = ++running;
    fetch(form.dataset.check, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || seq !== running) return;
        document.querySelectorAll(".msgs[data-for]").forEach(function (box) {
          var html = answer.fields[box.dataset.for];
          if (html !== undefined) box.innerHTML = html;
        });
        var preview = document.getElementById("preview-body");
        if (preview && answer.preview && answer.preview !== "None") preview.innerHTML = answer.preview;
        form.dataset.checked = String(seq);
      });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    // A changed number of items (founders, purposes, programmes) or of document languages: the page
    // is sent and shown again with one block of questions per item, one field per language.
    if (event.target.closest("[data-type=count], [data-type=languages]")) {
      clearTimeout(timer);
      document.getElementById("check").click();
      return;
    }
    later();
  });
})();
