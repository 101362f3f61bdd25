/* Progressive enhancement on top of htmx; every action also works without it.
   - Announces server messages (HX-Trigger "tandem:announce") in the live region.
   - Keeps focus on the element named by "tandem:focus" after a swap (A11Y-03).
   - Focuses the error summary when a form comes back with errors (A11Y-06).
   - Says in the live region when an htmx request failed.
   - Reloads a stale page whose fragments have nowhere to go.
   - "Select all" checkboxes for bulk actions.
   - Warns before the idle timeout and offers to stay signed in (SEC-06). */
(function () {
  "use strict";

  function announce(message) {
    var region = document.getElementById("live-region");
    if (!region || !message) return;
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeats too.
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function focusById(id) {
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }

  document.addEventListener("tandem:announce", function (event) {
    announce(event.detail && (event.detail.value || event.detail.message));
  });
  document.addEventListener("tandem:focus", function (event) {
    var id = event.detail && (event.detail.value || event.detail.id);
    window.setTimeout(function () { focusById(id); }, 0);
  });

  // An out-of-band fragment whose place is not on this page (say, a card whose lane
  // or column appeared after the board was loaded): the page is stale, so reload it
  // rather than leave a card deleted from one place and shown nowhere.
  document.addEventListener("htmx:oobErrorNoTarget", function () {
    window.location.reload();
  });

  // htmx leaves the page as it was on other 4xx/5xx answers: say so instead of nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : "";
    announce("That did not work (error " + status + "). Reload the page and try again.");
  });

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("#error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSettle", function (event) { focusErrorSummary(event.target); });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][data-select-all]")) return;
    var form = box.form;
    if (!form) return;
    form.querySelectorAll("input[type=checkbox][name='" + box.getAttribute("data-select-all") + "']")
      .forEach(function (other) { other.checked = box.checked; });
  });

  // SEC-06: the server ends a session after a quiet spell. Warn a little before,
  // offer "Stay signed in" (a button, so it works by keyboard), and go to the
  // sign-in page when the time is up rather than let the next click fail.
  function watchIdleTime() {
    var body = document.body;
    var idle = Number(body.getAttribute("data-idle-seconds"));
    var lead = Number(body.getAttribute("data-warning-seconds"));
    var warning = document.getElementById("idle-warning");
    var button = document.getElementById("idle-extend");
    if (!idle || !warning || !button) return;
    var warnTimer = null, endTimer = null, focusBefore = null;

    function csrfToken() {
      try { return JSON.parse(body.getAttribute("hx-headers"))["x-csrftoken"]; } catch (e) { return ""; }
    }
    function signInAgain() {
      var here = window.location.pathname + window.location.search;
      window.location.assign(body.getAttribute("data-sign-in-url") + "?next=" + encodeURIComponent(here));
    }
    function showWarning() {
      focusBefore = document.activeElement;
      warning.hidden = false;
      button.focus();
    }
    function schedule() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warnTimer = window.setTimeout(showWarning, Math.max(0, idle - lead) * 1000);
      endTimer = window.setTimeout(signInAgain, idle * 1000);
    }
    button.addEventListener("click", function () {
      window.fetch(body.getAttribute("data-extend-url"), {
        method: "POST", credentials: "same-origin", headers: { "x-csrftoken": csrfToken() }
      }).then(function (response) {
        if (!response.ok) { signInAgain(); return; }
        warning.hidden = true;
        schedule();
        announce("You are still signed in.");
        if (focusBefore && focusBefore.focus && focusBefore !== document.body) { focusBefore.focus(); }
      }, signInAgain);
    });
    // Every htmx request reaches the server, which counts it as activity.
    document.addEventListener("htmx:afterRequest", schedule);
    schedule();
  }
  document.addEventListener("DOMContentLoaded", watchIdleTime);
})();
