/* Draws every chart of the page from its one chart document (kpis/dashboards/packing.py).
 *
 * A chart is <div class="chart" data-chart="ID">; the page holds
 * <script type="application/json" id="dashboard-charts">, with whole figures under "figures" and
 * the KPI charts packed under "kpi": one frame, each list of dates once, and every KPI's points.
 * Charts are drawn when they come near the screen (a dashboard may hold hundreds), on page load
 * and again after every htmx swap, which brings a new document with it.
 */
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true };
  var DAY_MS = 24 * 60 * 60 * 1000;
  var observer = null;
  var parsed = { source: null, document: null };  // the document, read once per swap

  function chartDocument() {
    var source = document.getElementById("dashboard-charts");
    if (source && source !== parsed.source) {
      parsed = { source: source, document: JSON.parse(source.textContent) };
    }
    return source ? parsed.document : null;
  }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }  // Plotly writes into figures

  // A trace's values from its steps, as packing.values does.
  function values(decimals, steps) {
    if (decimals === null) return steps;
    var scale = Math.pow(10, decimals), total = 0;
    return steps.map(function (step) { total += step; return total / scale; });
  }

  // A KPI chart: the shared frame filled with the KPI's points, as packing.unpack_kpi does.
  function kpiFigure(kpi, chart) {
    var figure = copy(kpi.frame);
    var start = Date.parse(kpi.start);  // an ISO date alone is read as UTC midnight
    figure.layout.yaxis.title = { text: chart.unit };
    chart.traces.forEach(function (points, i) {
      figure.data[i].x = kpi.days[points[0]].map(function (day) {
        return new Date(start + day * DAY_MS).toISOString().slice(0, 10);
      });
      figure.data[i].y = values(points[1], points[2]);
    });
    return figure;
  }

  function figureFor(id) {
    var doc = chartDocument();
    if (!doc) return null;
    if (doc.figures[id]) return copy(doc.figures[id]);
    var chart = doc.kpi.charts[id];
    return chart ? kpiFigure(doc.kpi, chart) : null;
  }

  function draw(el) {
    if (el.dataset.drawn === "yes" || !window.Plotly) return;
    var figure = figureFor(el.dataset.chart);
    if (!figure) return;
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
