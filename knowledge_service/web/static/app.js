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
    if (!button) return;
    if (isLookingUp()) {  // the card on screen answers the question before this one
      var status = document.getElementById("copy-status");
      if (status) status.textContent = "Not copied: the answer is still being looked up. Copy it once it shows.";
      return;
    }
    copyFrom(button);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target instanceof Element ? target.closest("button[data-copy-from]") : null;
    if (button && button.id === "copy-answer") copyAnswer();
    else if (button) copyFrom(button);
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
  // agent's latest ask (or New call) is never sent, and no answer to one older than that is
  // swapped in.
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
  // A rating refused (the session ended, the store busy, the answer changed) shows why inside
  // the feedback form, which stays with the comment typed and its buttons to try again.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var form = config && config.elt;
    if (!event.detail.isError || !(form instanceof Element) || !form.matches("form.feedback")) return;
    var slot = form.querySelector(".feedback-error");
    if (!slot) return;
    event.detail.target = slot;
    event.detail.swapOverride = "innerHTML";
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    if (config && isSidebarLookup(config.elt) && numberOf(config.triggeringEvent) < latestAction) {
      event.detail.shouldSwap = false;  // a newer ask or a new call has come since
    }
  });

  // The call reference stays for the call in this tab only (sessionStorage: never another tab,
  // never a cookie or localStorage), so a reload keeps it; it is the signed-in agent's only
  // (another agent signing in here never sees it), and signing out or New call clears it.
  var CALL_KEY = "ks-assist-call";
  var callBox = document.getElementById("call");

  function tabStorage() {
    try { return window.sessionStorage; } catch (error) { return null; }  // storage refused
  }

  function forgetCall() {
    var store = tabStorage();
    if (store) store.removeItem(CALL_KEY);
  }

  function keepCall() {
    var store = tabStorage();
    var call = callBox.value.trim();
    if (!store) return;
    if (call) {
      store.setItem(CALL_KEY, JSON.stringify({agent: callBox.getAttribute("data-kept-for"), call: call}));
    } else {
      store.removeItem(CALL_KEY);
    }
  }

  if (callBox) {
    var store = tabStorage();
    var kept = null;
    try { kept = store && JSON.parse(store.getItem(CALL_KEY) || "null"); } catch (error) { kept = null; }
    if (kept && kept.agent === callBox.getAttribute("data-kept-for") && typeof kept.call === "string") {
      if (!callBox.value) callBox.value = kept.call;
    }
    keepCall();
    callBox.addEventListener("input", keepCall);
  }

  // New call: the reference, the question and the answer cleared, and nothing asked before
  // it shown after it. Without script the button opens a fresh sidebar.
  function startNewCall(event) {
    event.preventDefault();
    startedAction(event);
    var question = document.getElementById("q");
    var results = document.getElementById("results");
    var empty = document.getElementById("results-empty");
    var status = document.getElementById("results-status");
    forgetCall();
    if (callBox) callBox.value = "";
    if (question) question.value = "";
    if (results && empty) results.replaceChildren(empty.content.cloneNode(true));
    if (status) status.textContent = "New call: the call reference, the question and the answer are cleared.";
    if (callBox) callBox.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof Element)) return;
    if (form.id === "new-call") startNewCall(event);
    else if (form.matches("form.logout")) forgetCall();
  });

  // While a lookup is on its way the results are the last question's: they are marked busy
  // (dimmed, with "Looking up the answer..." beside them; app.css shows both only once the wait
  // is long enough to notice), and Alt+C does not copy the answer being replaced.
  var lookups = 0;
  function showBusy() {
    var results = document.getElementById("results");
    var busy = document.getElementById("results-busy");
    if (results) results.setAttribute("aria-busy", lookups > 0 ? "true" : "false");
    if (busy) busy.hidden = lookups === 0;
  }
  function isLookingUp() { return lookups > 0; }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!isSidebarLookup(event.detail.elt)) return;
    lookups += 1;
    showBusy();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isSidebarLookup(event.detail.elt)) return;
    lookups = Math.max(0, lookups - 1);
    showBusy();
  });
})();
