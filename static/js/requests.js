// When an htmx request fails, htmx leaves the page as it was, so the user's input stays;
// without this they would see nothing happen. Say what went wrong and what to do next.
(function () {
  "use strict";
  var box = document.getElementById("request-problem");
  if (!box) return;
  var text = box.querySelector("[data-problem-text]");
  var login = box.querySelector("[data-problem-login]");

  function show(message, offerLogin) {
    text.textContent = message;
    if (login) login.hidden = !offerLogin;  // public pages (share links) offer no log-in
    box.hidden = false;
  }

  // The reason our 403 and 404 pages give, if the response is one of them.
  function reasonIn(html) {
    var found = new DOMParser().parseFromString(html || "", "text/html").querySelector("[data-reason]");
    return found ? found.textContent.trim() : "";
  }

  function messageFor(xhr) {
    var kept = " Your input is still in the form.";
    if (xhr.status === 401) return "You have been logged out. Log in again in a new tab, then try again here." + kept;
    if (xhr.status === 403) return (reasonIn(xhr.responseText) || "Your role does not allow this change.") + " Nothing was changed.";
    if (xhr.status === 404) return "This is no longer there: someone may have deleted it. Reload the page to see the plan as it is now.";
    if (xhr.status === 503) return "RACE Planner is temporarily unavailable, so nothing was saved." + kept + " Try again in a minute.";
    if (xhr.status >= 500) return "Something went wrong on the server and nothing was saved." + kept + " Try again in a moment.";
    return "The request was refused (" + xhr.status + ")." + kept;
  }

  box.querySelector("[data-problem-close]").addEventListener("click", function () { box.hidden = true; });
  document.addEventListener("htmx:beforeRequest", function () { box.hidden = true; });
  document.addEventListener("htmx:responseError", function (event) {
    show(messageFor(event.detail.xhr), event.detail.xhr.status === 401);
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached, so nothing was saved. Your input is still in the form; try again when you are back online.", false);
  });
})();
