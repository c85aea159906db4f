// Pages' little bit of behaviour: copy the answer (button or Alt+C), busy state while a
// search runs. No inline script anywhere (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  // A copy button names the <template> holding the plain text (data-copy-from) and the
  // status line that says what happened (data-copy-status; the answer card's is #copy-status).
  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById(button.getAttribute("data-copy-status") || "copy-status");
    var text = source && source.content ? source.content.textContent.trim() : "";
    copyText(text).then(
      function () { if (status) status.textContent = "Copied to the clipboard."; },
      function () { if (status) status.textContent = "Copy failed: select the text and copy it."; }
    );
  }

  function copyAnswer() {
    var button = document.getElementById("copy-answer");
    if (button) copyFrom(button);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target instanceof Element ? target.closest("button[data-copy-from]") : null;
    if (button) copyFrom(button);
  });

  // Alt+C is the agent's while in the question box or outside any field; typing elsewhere
  // (the feedback comment, a select, an editable element) keeps the key.
  function isTypingElsewhere(target) {
    if (!(target instanceof Element)) return false;
    if (target.id === "q") return false;
    return target.matches("textarea, input, select, [contenteditable]:not([contenteditable='false'])");
  }

  document.addEventListener("keydown", function (event) {
    if (isTypingElsewhere(event.target)) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === "c" || event.key === "C" || event.code === "KeyC")) {
      if (document.getElementById("copy-answer")) {
        event.preventDefault();
        copyAnswer();
      }
    }
  });

  // A page that answers a form's POST (the form shown again with what was wrong) names its
  // own address: the address bar shows it, so a reload reads the page instead of posting the
  // form again. The page keeps what is on screen (the error and the text typed).
  var pageUrl = document.body && document.body.getAttribute("data-page-url");
  if (pageUrl && pageUrl.charAt(0) === "/" && window.history && window.history.replaceState &&
      window.location.pathname + window.location.search !== pageUrl) {
    window.history.replaceState(null, "", pageUrl);
  }

  // The sidebar's lookups in the order the agent acted. Typing asks after a 200 ms pause, so a
  // lookup typed just before Enter went after Enter's request and replaced the card the agent
  // asked for (and may be rating); hx-sync orders requests only once they are sent. Every input
  // and submit gets a number as it happens (before htmx sees it): a lookup typed before the
  // agent's latest ask is never sent, and no answer to one older than that is swapped in.
  var order = new WeakMap();
  var counted = 0;
  var latestAction = 0;
  function count(event) { order.set(event, ++counted); }
  window.addEventListener("input", count, true);
  window.addEventListener("submit", count, true);
  function numberOf(event) { return (event && order.get(event)) || Infinity; }
  function isSidebarLookup(elt) { return !!elt && (elt.id === "q" || elt.id === "ask"); }

  function startedAction(event) {
    var number = numberOf(event);
    latestAction = Math.max(latestAction, number === Infinity ? ++counted : number);
  }

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "ask") {
      startedAction(event.detail.triggeringEvent);
    } else if (elt && elt.id === "q" && numberOf(event.detail.triggeringEvent) < latestAction) {
      event.preventDefault();  // typed before the agent asked: Enter's answer stays
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    if (config && isSidebarLookup(config.elt) && numberOf(config.triggeringEvent) < latestAction) {
      event.detail.shouldSwap = false;  // a newer ask has come since
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var results = document.getElementById("results");
    if (results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function () {
    var results = document.getElementById("results");
    if (results) results.setAttribute("aria-busy", "false");
  });
})();
