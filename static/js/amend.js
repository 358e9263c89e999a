// Live tracked-changes preview for the propose form. Progressive enhancement: without
// JavaScript the "Preview changes" button renders the same view from the same server code.
(function () {
  "use strict";
  var form = document.getElementById("propose-form");
  if (!form) { return; }
  var text = document.getElementById("f-text");
  var preview = document.getElementById("preview");
  var lines = document.getElementById("preview-lines");
  var token = document.querySelector('meta[name="csrf-token"]');
  var timer = null;
  var latest = 0;

  function refresh() {
    var asked = ++latest;
    var body = { base: form.elements.base.value, text: text.value };
    if (form.elements.paragraph) { body.paragraph = form.elements.paragraph.value; }
    fetch(form.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.content : "" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer || asked !== latest) { return; }  // a newer keystroke's answer wins
      preview.innerHTML = answer.html || '<span class="meta">No change yet.</span>';
      lines.textContent = answer.lines;
    }).catch(function () { /* the Preview button still works */ });
  }

  text.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  });
  refresh();
}());
