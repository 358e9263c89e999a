// The propose form, with JavaScript: the tracked changes of the paragraph follow the typing,
// beside the editor, and what is typed is kept in this browser until it is proposed, so that
// a sign-in that ends (or a session cookie that is lost) never loses it. Without JavaScript
// the "Preview changes" button renders the same view from the same server code, and the
// server keeps a proposal sent after the sign-in ended (statements/web/drafts.py).
(function () {
  "use strict";
  var SENT = "amendment-draft-sent";   // this tab's last sent form, until we see how it went
  var KEPT_FOR = 7 * 24 * 3600 * 1000;

  function storage(kind) {
    try { var s = window[kind]; s.getItem(SENT); return s; } catch (ignored) { return null; }
  }
  var drafts = storage("localStorage");
  var tab = storage("sessionStorage");

  // The page after a successful proposal is the new amendment's own: the copy is done with.
  var sent = tab && tab.getItem(SENT);
  if (sent && /\/amendments\/\d+$/.test(window.location.pathname)) {
    if (drafts) { drafts.removeItem(sent); }
    tab.removeItem(SENT);
  }

  var form = document.getElementById("propose-form");
  if (!form) { return; }
  var text = document.getElementById("f-text");
  var rationale = document.getElementById("f-rationale");
  var preview = document.getElementById("preview");
  var lines = document.getElementById("preview-lines");
  var kept = document.getElementById("draft-kept");
  var signedOut = document.getElementById("signed-out");
  var token = document.querySelector('meta[name="csrf-token"]');
  var key = form.dataset.draftKey;
  var timer = null;
  var latest = 0;
  if (tab && tab.getItem(SENT) === key) { tab.removeItem(SENT); }  // back on the form: not sent

  function show(element, visible) { if (element) { element.hidden = !visible; } }

  // The words this script shows, in the page's language (templates/_script_strings.html).
  function say(key, english) {
    try {
      var words = JSON.parse(document.getElementById("i18n-strings").textContent);
      return typeof words[key] === "string" ? words[key] : english;
    } catch (ignored) { return english; }
  }

  function noChange() {
    var note = document.createElement("span");
    note.className = "meta";
    note.textContent = say("no_change", "No change yet.");
    preview.textContent = "";
    preview.appendChild(note);
  }

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
      // Sent to the sign-in page: the sign-in has ended while the delegate types.
      var ended = response.redirected && /\/login(\?|$)/.test(response.url);
      if (asked === latest) { show(signedOut, ended); }
      return response.ok && !ended ? response.json() : null;
    }).then(function (answer) {
      if (!answer || asked !== latest) { return; }  // a newer keystroke's answer wins
      if (answer.html) { preview.innerHTML = answer.html; } else { noChange(); }
      lines.textContent = answer.lines;
    }).catch(function () { /* the Preview button still works */ });
  }

  function read() {
    try {
      var saved = JSON.parse(drafts.getItem(key) || "null");
      return saved && typeof saved.text === "string" && Date.now() - saved.at < KEPT_FOR ? saved : null;
    } catch (ignored) { return null; }
  }

  function save() {
    if (!drafts || !key) { return; }
    try {
      drafts.setItem(key, JSON.stringify({ text: text.value, rationale: rationale.value, at: Date.now() }));
    } catch (ignored) { /* storage full or refused: the server still keeps what is sent */ }
  }

  function restore() {
    if (!drafts || !key) { return; }
    var saved = read();
    if (form.dataset.draftRestore !== "yes") { save(); return; }  // the server's copy is newer
    if (!saved || (saved.text === text.value && saved.rationale === rationale.value)) { return; }
    text.value = saved.text;
    rationale.value = saved.rationale || "";
    show(kept, true);
  }

  var discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      text.value = text.defaultValue;
      rationale.value = rationale.defaultValue;
      if (drafts) { drafts.removeItem(key); }
      show(kept, false);
      text.focus();
      refresh();
    });
  }

  function typed() {
    save();
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }
  text.addEventListener("input", typed);
  rationale.addEventListener("input", save);
  form.addEventListener("submit", function () {
    save();
    if (tab) { tab.setItem(SENT, key); }
  });
  restore();
  refresh();
}());
