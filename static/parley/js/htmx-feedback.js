// What htmx does not do by itself: tell the user when a request failed, and leave the page
// for the log-in form when the session has expired (instead of swapping it into a fragment).
(function () {
  "use strict";

  var LOGIN_PATH = "/accounts/login/";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var responseURL = event.detail.xhr.responseURL;
    if (responseURL && new URL(responseURL).pathname === LOGIN_PATH) {
      event.detail.shouldSwap = false;
      window.location.assign(responseURL);
    }
  });

  function showFailure() {
    var region = document.getElementById("request-failed");
    if (region) {
      region.textContent = region.dataset.message;
      region.hidden = false;
    }
  }

  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  document.addEventListener("htmx:beforeRequest", function () {
    var region = document.getElementById("request-failed");
    if (region) {
      region.hidden = true;
    }
  });
})();
