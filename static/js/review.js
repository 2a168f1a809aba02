// Export PDF with progress: fetch the PDF in the background, show how long it has taken,
// then hand the file to the browser. Without JavaScript the form simply downloads the PDF.
(function () {
  "use strict";

  function filenameFrom(response) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : "review.pdf";
  }

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function bind(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var progress = form.querySelector("[data-review-progress]");
      var elapsed = form.querySelector("[data-review-elapsed]");
      var done = form.querySelector("[data-review-done]");
      var button = form.querySelector("[data-review-submit]");
      var started = Date.now();
      var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
      done.hidden = true;
      // Old messages would contradict the export now under way.
      form.parentNode.querySelectorAll("[role=alert], .field-error").forEach(function (el) { el.remove(); });
      form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      progress.hidden = false;
      button.disabled = true;
      elapsed.textContent = "0";
      var ticker = setInterval(function () {
        elapsed.textContent = String(Math.round((Date.now() - started) / 1000));
      }, 1000);

      function finish() {
        clearInterval(ticker);
        progress.hidden = true;
        button.disabled = false;
      }

      // Asking as htmx does, the server answers a refusal with just the options' partial.
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.ok && type.indexOf("application/pdf") === 0) {
            var pages = response.headers.get("X-Review-Pages");
            var name = filenameFrom(response);
            return response.blob().then(function (blob) {
              finish();
              download(blob, name);
              done.textContent = "Your PDF is ready: " + name + (pages ? " (" + pages + " pages)." : ".");
              done.hidden = false;
            });
          }
          // Invalid options or an export that could not finish: htmx swaps in the options
          // with the message. Anything else (logged out, gone) keeps the form and says so.
          return response.text().then(function (html) {
            finish();
            if (html.indexOf('id="review-options"') === -1) {
              done.textContent = "The PDF could not be made (" + response.status + "). Reload the page and try again.";
              done.hidden = false;
              return;
            }
            htmx.swap("#review-options", html, { swapStyle: "outerHTML" });
            var fresh = document.getElementById("review-options");
            bind(fresh.querySelector("[data-review-form]"));
            var alert = fresh.querySelector("[role=alert]");
            if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
          });
        })
        .catch(function () {
          finish();
          done.textContent = "The PDF could not be fetched. Check your connection and try again.";
          done.hidden = false;
        });
    });
  }

  document.querySelectorAll("[data-review-form]").forEach(bind);
})();
