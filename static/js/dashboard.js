// The dashboard's charts; every figure is also in the table beside its chart.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var progress = document.getElementById("chart-progress");
  if (progress && window.Chart) {
    new window.Chart(progress, {
      type: "line",
      data: { labels: data.progress.labels, datasets: [{ label: "∑", data: data.progress.visited, borderColor: "#0b4f8a" }] },
      options: { animation: false, plugins: { legend: { display: false } } }
    });
  }
  var districts = document.getElementById("chart-districts");
  if (districts && window.Chart) {
    // One band of 28 px per area, every label shown (a 360 px phone used to skip half of
    // the districts); the box is sized here, as the CSP forbids inline styles in the page.
    var box = districts.parentNode;
    box.classList.add("position-relative");
    box.style.height = (data.districts.labels.length * 28 + 70) + "px";
    new window.Chart(districts, {
      type: "bar",
      data: {
        labels: data.districts.labels,
        datasets: [
          { label: data.legend.dat, data: data.districts.compliant, backgroundColor: "#198754" },
          { label: data.legend.dat_mot_phan, data: data.districts.partly, backgroundColor: "#ffc107" },
          { label: data.legend.chua_dat, data: data.districts.noncompliant, backgroundColor: "#dc3545" }
        ]
      },
      options: {
        animation: false, indexAxis: "y", maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { autoSkip: false } } }
      }
    });
  }
}());
