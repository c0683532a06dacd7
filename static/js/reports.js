/* coachapp outcome report: charts and the period/scope picker.
   No inline script (the CSP forbids it): the data comes from <script type="application/json"
   id="report-data">, written by the server; every chart has a table or sentence beside it. */
(function () {
  "use strict";

  function percent(values) {
    return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
  }

  function percentAxis() {
    return {
      beginAtZero: true,
      suggestedMax: 100,
      ticks: { callback: function (v) { return v + "%"; } }
    };
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof window.Chart === "undefined") { return; }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false },
      config.options || {});
    return new window.Chart(canvas, config);
  }

  function charts() {
    var node = document.getElementById("report-data");
    if (!node) { return; }
    var data;
    try { data = JSON.parse(node.textContent); } catch (e) { return; }

    draw("chart-monthly", {
      type: "line",
      data: {
        labels: data.monthly.labels,
        datasets: [
          { label: "Engagement rate", data: percent(data.monthly.engagement), spanGaps: true },
          { label: "No-show rate", data: percent(data.monthly.no_show), spanGaps: true },
          { label: "Linkage rate", data: percent(data.monthly.linkage), spanGaps: true }
        ]
      },
      options: { scales: { y: percentAxis() } }
    });

    draw("chart-categories", {
      type: "bar",
      data: {
        labels: data.categories.labels,
        datasets: [
          { label: "Referrals made", data: data.categories.made },
          { label: "Linked", data: data.categories.linked }
        ]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });

    draw("chart-accompaniment", {
      type: "bar",
      data: {
        labels: data.accompaniment.labels,
        datasets: [{ label: "No-show rate", data: percent(data.accompaniment.rates) }]
      },
      options: { scales: { y: percentAxis() }, plugins: { legend: { display: false } } }
    });

    draw("chart-barc", {
      type: "bar",
      data: {
        labels: data.barc10.labels,
        datasets: [{ label: "Mean BARC-10 total (10 to 60)", data: data.barc10.means }]
      },
      options: {
        scales: { y: { min: 10, max: 60 } },
        plugins: { legend: { display: false } }
      }
    });
  }

  function picker() {
    var form = document.getElementById("report-form");
    if (!form) { return; }
    var preset = form.querySelector("[name=preset]");
    var dates = form.querySelectorAll("[data-custom-dates]");
    var program = form.querySelector("select[name=program_id]");
    var team = form.querySelector("select[name=supervisor_id]");
    var coach = form.querySelector("select[name=coach_id]");

    function showDates() {
      var custom = preset && preset.value === "custom";
      dates.forEach(function (el) { el.classList.toggle("d-none", !custom); });
    }
    if (preset) {
      preset.addEventListener("change", showDates);
      showDates();
      form.querySelectorAll("input[type=date]").forEach(function (input) {
        input.addEventListener("change", function () { preset.value = "custom"; });
      });
    }

    // Coaches of the chosen team only (the server lets a coach win over a team anyway).
    function filterCoaches() {
      if (!team || !coach) { return; }
      var chosen = team.value;
      Array.prototype.forEach.call(coach.options, function (option) {
        var theirs = option.getAttribute("data-supervisor");
        var hidden = chosen !== "" && option.value !== "" && theirs !== chosen;
        option.hidden = hidden;
        option.disabled = hidden;
        if (hidden && option.selected) { coach.value = ""; }
      });
    }
    if (team) { team.addEventListener("change", filterCoaches); filterCoaches(); }

    // Another program: its teams and coaches are not these ones, so the report starts from
    // the whole program (disabled selects are not sent); its own lists come with the report.
    if (program) {
      program.addEventListener("change", function () {
        if (team) { team.value = ""; team.disabled = true; }
        if (coach) { coach.value = ""; coach.disabled = true; }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    picker();
    charts();
  });
}());
