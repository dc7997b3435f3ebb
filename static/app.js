// Progressive enhancement that htmx does not cover: copy buttons. The pages
// work without this file; the buttons stay hidden until it runs.
(function () {
  "use strict";
  function reveal(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (b) {
      b.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  // Fragments swapped in by htmx can carry copy buttons too.
  document.addEventListener("htmx:afterSettle", function (e) { reveal(e.target); });
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-copy]");
    if (!b) { return; }
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el) { return; }
    var text = "value" in el ? el.value : el.textContent;
    var done = function () { b.textContent = b.getAttribute("data-done") || b.textContent; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { el.select && el.select(); });
    } else if (el.select) {
      // Without the clipboard API (plain HTTP), select the text so Ctrl+C works.
      el.select();
    }
  });
})();
