/* Draws every chart whose figure the page embeds with json_script.
 *
 * A chart is <div class="chart" data-chart="ID"> next to <script type="application/json" id="ID">.
 * Charts are drawn when they come near the screen (a dashboard may hold dozens), on page load
 * and again after every htmx swap, which brings new figures with it.
 */
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true };
  var observer = null;

  function draw(el) {
    if (el.dataset.drawn === "yes" || !window.Plotly) return;
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    el.dataset.drawn = "yes";
    window.Plotly.newPlot(el, figure.data, figure.layout, config);
  }

  function drawAll(root) {
    var charts = (root || document).querySelectorAll("[data-chart]");
    charts.forEach(function (el) {
      if (observer) observer.observe(el);
      else draw(el);
    });
  }

  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "300px 0px" });
  }

  // Back to an undrawn chart: Plotly's listeners freed, its drawing gone, drawn again on demand.
  function undrawAll(root) {
    root.querySelectorAll("[data-drawn='yes']").forEach(function (el) {
      if (observer) observer.unobserve(el);
      if (window.Plotly) window.Plotly.purge(el);
      el.replaceChildren();
      delete el.dataset.drawn;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt); });
  // htmx keeps a copy of the page for the back button: keep it without the drawn charts,
  // and draw them afresh when that copy comes back.
  document.addEventListener("htmx:beforeHistorySave", function () { undrawAll(document); });
  document.addEventListener("htmx:historyRestore", function () { drawAll(document); });
  // Free the old charts' listeners before htmx replaces them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target) undrawAll(event.detail.target);
  });
})();
