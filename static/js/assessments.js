/* coachapp BARC-10 trend on the client's page.
   No inline script (the CSP forbids it): the totals come from
   <script type="application/json" id="barc-data">, written by the server. The 47 line
   (sustained remission) is drawn as a second, flat dataset, so no plugin is needed.
   The table under the chart holds the same totals for screen readers. */
(function () {
  "use strict";

  function draw() {
    var node = document.getElementById("barc-data");
    var canvas = document.getElementById("barc-chart");
    if (!node || !canvas || typeof window.Chart === "undefined") { return; }
    var data;
    try { data = JSON.parse(node.textContent); } catch (e) { return; }
    if (!data || !Array.isArray(data.labels) || !Array.isArray(data.totals)) { return; }

    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "BARC-10 total",
            data: data.totals,
            borderColor: "#0d6efd",
            backgroundColor: "#0d6efd",
            tension: 0,
            pointRadius: 4
          },
          {
            label: "Sustained remission (" + data.line + ")",
            data: data.labels.map(function () { return data.line; }),
            borderColor: "#198754",
            borderDash: [6, 4],
            borderWidth: 2,
            pointRadius: 0,
            pointHitRadius: 0,
            fill: false
          }
        ]
      },
      options: {
        responsive: true,
        aspectRatio: 2,
        animation: false,
        scales: { y: { min: 10, max: 60, ticks: { stepSize: 10 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
