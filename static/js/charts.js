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
  var SVG = "http://www.w3.org/2000/svg";
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

  // A KPI card's sparkline, from its chart's actuals (the last trace): a glance at every KPI
  // before its chart is drawn. Decoration only (aria-hidden); the card's sentence says it all.
  function sparkline(el) {
    var doc = chartDocument();
    var chart = doc && doc.kpi.charts[el.dataset.chart];
    var summary = el.parentNode.querySelector(".kpi-summary");
    if (!chart || !summary || el.parentNode.querySelector(".spark")) return;
    var actual = chart.traces[chart.traces.length - 1];
    var days = doc.kpi.days[actual[0]], ys = values(actual[1], actual[2]);
    if (ys.length < 2) return;
    var width = 120, height = 28, pad = 2;
    var span = Math.max(days[days.length - 1] - days[0], 1);
    var low = Math.min.apply(null, ys), spread = (Math.max.apply(null, ys) - low) || 1;
    var points = ys.map(function (y, i) {
      var x = (days[i] - days[0]) / span * width;
      return x.toFixed(1) + "," + (pad + (1 - (y - low) / spread) * (height - 2 * pad)).toFixed(1);
    });
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", points.join(" "));
    svg.appendChild(line);
    summary.before(svg);
  }

  function drawAll(root) {
    var charts = (root || document).querySelectorAll("[data-chart]");
    charts.forEach(function (el) {
      sparkline(el);
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
