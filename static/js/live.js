// Live updates from the statement's event stream (Server-Sent Events). A page marks each
// part that follows the room with an id, data-events-url (the stream) and data-live-on (the
// events that change it); when one arrives, the page is fetched again and the part swapped
// in — unless the reader is typing in it, who is told instead. A part marked
// data-live-update="values" keeps its elements (and so the reader's focus and selection):
// only the text of its elements marked data-live-value changes, and one named after an
// event's field ("endorsements.count") takes the event's value at once. Without JavaScript
// the page works as before.
(function () {
  "use strict";
  var regions = Array.prototype.filter.call(
    document.querySelectorAll("[data-live-on][data-events-url]"),
    function (region) { return region.id; });
  if (!regions.length || !window.EventSource || !window.fetch) { return; }
  var each = function (list, action) { Array.prototype.forEach.call(list, action); };
  var due = [];          // the parts to fetch again at the next refresh
  var timer = null;
  var lastFetch = 0;
  var VALUES_GAP = 2000;  // a public page with many readers: at most one fetch per 2 s each

  function valuesOnly(region) { return region.dataset.liveUpdate === "values"; }

  // The words this script shows, in the page's language (templates/_script_strings.html).
  function say(key, english) {
    try {
      var words = JSON.parse(document.getElementById("i18n-strings").textContent);
      return typeof words[key] === "string" ? words[key] : english;
    } catch (ignored) { return english; }
  }

  function busy(region) {
    // Typing now, or something typed and not yet sent: never replace it.
    var active = document.activeElement;
    if (active && region.contains(active) &&
        (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT")) {
      return true;
    }
    return Array.prototype.some.call(region.querySelectorAll("textarea, input[type=text], input[type=search]"),
      function (field) { return field.value !== field.defaultValue; });
  }

  function notice(region) {
    if (document.getElementById("live-notice")) { return; }
    var note = document.createElement("p");
    note.id = "live-notice";
    note.className = "flash flash--warning";
    note.setAttribute("role", "status");
    note.textContent = say("page_changed",
      "This page changed meanwhile. Reload it to see the newest state.");
    region.parentNode.insertBefore(note, region);
  }

  function setText(element, text) {
    if (element.textContent !== text) { element.textContent = text; }
  }

  function swap(region, fresh) {
    if (valuesOnly(region)) {
      each(region.querySelectorAll("[data-live-value]"), function (element) {
        var twin = fresh.querySelector('[data-live-value="' + element.dataset.liveValue + '"]');
        if (twin) { setText(element, twin.textContent); }
      });
    } else if (busy(region)) {
      notice(region);
    } else {
      region.innerHTML = fresh.innerHTML;
    }
  }

  function refresh() {
    timer = null;
    var parts = due;
    due = [];
    parts = parts.filter(function (region) {
      if (!valuesOnly(region) && busy(region)) { notice(region); return false; }
      return true;
    });
    if (!parts.length) { return; }
    lastFetch = Date.now();
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (region) {
          var fresh = page.getElementById(region.id);
          if (fresh) { swap(region, fresh); }
        });
      })
      .catch(function () { /* the next event tries again */ });
  }

  function schedule(region) {
    if (due.indexOf(region) < 0) { due.push(region); }
    if (timer !== null) { return; }  // one fetch per burst
    var gap = due.every(valuesOnly) ? VALUES_GAP : 0;
    timer = window.setTimeout(refresh, Math.max(150, lastFetch + gap - Date.now()));
  }

  // A count as the page writes its numbers: in its language, with Latin digits (as the
  // server's Babel does for every language of the interface).
  function formatNumber(value) {
    try {
      return new Intl.NumberFormat((document.documentElement.lang || "en") + "-u-nu-latn")
        .format(value);
    } catch (ignored) { return String(value); }
  }

  function takeValues(region, name, raw) {
    var data;
    try { data = JSON.parse(raw); } catch (ignored) { return; }
    if (!data || typeof data !== "object") { return; }
    each(region.querySelectorAll('[data-live-value^="' + name + '."]'), function (element) {
      var value = data[element.dataset.liveValue.slice(name.length + 1)];
      if (typeof value === "number") { setText(element, formatNumber(value)); }
      else if (typeof value === "string") { setText(element, value); }
    });
  }

  var sources = {};
  regions.forEach(function (region) {
    var url = region.dataset.eventsUrl;
    var source = sources[url] || (sources[url] = new EventSource(url));
    region.dataset.liveOn.split(" ").forEach(function (name) {
      if (!name) { return; }
      source.addEventListener(name, function (event) {
        takeValues(region, name, event.data);
        schedule(region);
      });
    });
  });
})();
