// Live updates from the statement's event stream (Server-Sent Events). A page marks the
// part that follows the room with id="live-region", the stream's URL and the events that
// change it; when one arrives, the region is fetched again and swapped in — unless the
// reader is typing in it, who is told instead. Without JavaScript the page works as before.
(function () {
  "use strict";
  var region = document.getElementById("live-region");
  if (!region || !window.EventSource) { return; }
  var wanted = (region.dataset.liveOn || "").split(" ");
  var pending = null;

  function busy() {
    // Typing now, or something typed and not yet sent: never replace it.
    var active = document.activeElement;
    if (active && region.contains(active) &&
        (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT")) {
      return true;
    }
    return Array.prototype.some.call(region.querySelectorAll("textarea, input[type=text], input[type=search]"),
      function (field) { return field.value !== field.defaultValue; });
  }

  function notice() {
    if (document.getElementById("live-notice")) { return; }
    var note = document.createElement("p");
    note.id = "live-notice";
    note.className = "flash flash--warning";
    note.setAttribute("role", "status");
    note.textContent = "This page changed meanwhile. Reload it to see the newest state.";
    region.parentNode.insertBefore(note, region);
  }

  function refresh() {
    pending = null;
    if (busy()) { notice(); return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-region");
        if (fresh && !busy()) { region.innerHTML = fresh.innerHTML; } else if (fresh) { notice(); }
      })
      .catch(function () { /* the next event tries again */ });
  }

  var source = new EventSource(region.dataset.eventsUrl);
  wanted.forEach(function (name) {
    if (!name) { return; }
    source.addEventListener(name, function () {
      if (pending === null) { pending = window.setTimeout(refresh, 150); }  // one fetch per burst
    });
  });
})();
