// An account page: draws its charts (MRR history, health components) from the embedded JSON.
(function () {
  "use strict";
  var charts = JSON.parse(document.getElementById("account-charts").textContent);
  charts.forEach(function (chart) {
    var layout = Object.assign({ template: window.REPORT_TEMPLATE }, chart.layout);
    Plotly.newPlot(chart.id, chart.data, layout, { displaylogo: false, responsive: true });
  });
})();
