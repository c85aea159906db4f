// Draws the insights charts from the JSON the page embeds (Chart.js, vendored).
(function () {
  "use strict";
  var COUNTS = { precision: 0 };  // counts have whole-number ticks, never 0.2
  var PALETTE = ["#1f5fa8", "#b3471d", "#2e7d32", "#6a3d9a", "#8a6d00", "#00695c", "#ad1457"];

  function datasets(series, kind) {
    return Object.keys(series).map(function (name, i) {
      return {
        label: name.replace(/_/g, " "),
        data: series[name],
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        fill: false,
        tension: 0.2,
        type: kind
      };
    });
  }

  // Whether a chart has anything to draw: some value that is neither missing nor zero.
  function hasData(config) {
    return config.data.datasets.some(function (set) {
      return set.data.some(function (v) { return v !== null && v !== 0; });
    });
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    if (!hasData(config)) {  // an empty period: say so instead of empty axes
      var note = document.createElement("p");
      note.className = "empty chart-empty";
      note.textContent = "No data in this period.";
      canvas.replaceWith(note);
      return;
    }
    if (typeof Chart === "undefined") return;
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(canvas, config);
  }

  function start() {
    var node = document.getElementById("insights-data");
    if (!node) return;
    var data = JSON.parse(node.textContent);
    var percent = { y: { min: 0, max: 1, ticks: { callback: function (v) { return Math.round(v * 100) + "%"; } } } };
    draw("chart-rates", { type: "line", data: { labels: data.labels, datasets: datasets(data.rates, "line") }, options: { scales: percent } });
    draw("chart-escalations", { type: "bar", data: { labels: data.labels, datasets: datasets(data.escalations, "bar") }, options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: COUNTS } } } });
    draw("chart-feedback", { type: "bar", data: { labels: data.labels, datasets: datasets(data.feedback, "bar") }, options: { scales: { y: { beginAtZero: true, ticks: COUNTS } } } });
    draw("chart-demand", { type: "bar", data: { labels: data.demand.intents, datasets: datasets(data.demand.channels, "bar") }, options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: COUNTS }, y: { stacked: true } } } });
    document.body.setAttribute("data-charts", "drawn");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
