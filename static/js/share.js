// The Share page's "Copy link" button: copies the new link and says so. Without JavaScript the
// button stays hidden and the link can be selected and copied from its field by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    if (!field || !status) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var copied = navigator.clipboard
        ? navigator.clipboard.writeText(field.value)
        : Promise.reject(new Error("no clipboard"));
      copied.then(
        function () { status.textContent = "Link copied."; },
        function () {
          // Some browsers refuse the clipboard to pages over plain HTTP: the link is selected.
          status.textContent = document.execCommand("copy")
            ? "Link copied."
            : "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.";
        }
      );
    });
  });
})();
