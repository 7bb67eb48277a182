/* A terminal's last 24 hours: outbox and print queue depth per 5-minute sample (uPlot). */
(function () {
  "use strict";
  var node = document.getElementById("history-data");
  var box = document.getElementById("chart-history");
  if (!node || !box || typeof uPlot === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  if (!data.t.length) { return; }
  new uPlot({
    width: Math.max(320, box.clientWidth - 10),
    height: 240,
    // The hall's local time, as everywhere else on these pages (not the browser's zone).
    tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), data.tz); },
    scales: {
      x: { time: true, range: function () { return [data.from, data.to]; } },
      y: { range: function (u, min, max) { return [0, Math.max(4, max * 1.2)]; } }
    },
    series: [
      {},
      { label: "待发 Outbox", stroke: "#b71c1c", width: 2, points: { show: true, size: 6 } },
      { label: "打印队列 Print queue", stroke: "#12305a", width: 2, points: { show: true, size: 6 } }
    ]
  }, [data.t, data.outbox, data.print], box);
})();
