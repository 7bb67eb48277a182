/* The daily table's charts, drawn with the vendored uPlot from the page's JSON data block. */
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof uPlot === "undefined") { return; }
  var data = JSON.parse(node.textContent);

  function bars(color) {
    return uPlot.paths.bars({ size: [0.7, 60] });
  }

  function draw(box, labels, values, color, options) {
    var width = Math.max(280, box.clientWidth - 10);
    var xs = labels.map(function (_, i) { return i; });
    new uPlot({
      width: width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.6, labels.length - 0.4] }, y: { range: function (u, min, max) { return [0, Math.max(4, max * 1.15)]; } } },
      axes: [
        { values: function (u, splits) { return splits.map(function (v) { return labels[v] !== undefined && v === Math.round(v) ? labels[v] : ""; }); }, splits: function () { return xs; }, size: 40 },
        { size: 44 }
      ],
      series: [{}, { label: options.label, fill: color, stroke: color, paths: bars(color), points: { show: false } }]
    }, [xs, values], box);
  }

  var hourly = document.getElementById("chart-hourly");
  if (hourly) {
    draw(hourly, data.hours.map(function (h) { return h % 3 === 0 ? h + "时" : ""; }), data.submissions, "#b71c1c", { label: "受理" });
  }
  var ratings = document.getElementById("chart-ratings");
  if (ratings) {
    draw(ratings, data.levels, data.ratings, "#d4a017", { label: "评价" });
  }
})();
