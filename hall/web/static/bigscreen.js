/* The big screen: draws its chart and refreshes its figures every 15 s (read-only). */
(function () {
  "use strict";
  var REFRESH_MS = 15000;
  var node = document.getElementById("bs-data");
  var data = JSON.parse(node.textContent);
  var plot = null;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }

  function withUnit(id, value, unit) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = value;
    if (unit !== null) {
      var em = document.createElement("em");
      em.textContent = unit;
      el.appendChild(em);
    }
  }

  function drawChart() {
    var box = document.getElementById("bs-hourly");
    if (!box || typeof uPlot === "undefined") { return; }
    var xs = data.hourly.map(function (_, i) { return i; });
    if (plot) { plot.setData([xs, data.hourly]); return; }
    plot = new uPlot({
      width: box.clientWidth - 8,
      height: 540,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.6, 23.6] }, y: { range: function (u, min, max) { return [0, Math.max(5, max * 1.2)]; } } },
      axes: [
        { stroke: "#9fb6d9", font: "20px sans-serif", grid: { stroke: "rgba(255,255,255,0.06)" }, splits: function () { return [0, 3, 6, 9, 12, 15, 18, 21]; }, values: function (u, s) { return s.map(function (v) { return v + "时"; }); }, size: 50 },
        { stroke: "#9fb6d9", font: "20px sans-serif", grid: { stroke: "rgba(255,255,255,0.08)" }, size: 70 }
      ],
      series: [{}, { label: "受理", fill: "rgba(95,211,255,0.75)", stroke: "#5fd3ff", paths: uPlot.paths.bars({ size: [0.7, 60] }), points: { show: false } }]
    }, [xs, data.hourly], box);
  }

  function drawRatings() {
    var max = 1;
    data.ratings.forEach(function (r) { max = Math.max(max, r.count); });
    var list = document.getElementById("bs-ratings");
    list.textContent = "";
    data.ratings.forEach(function (r) {
      var li = document.createElement("li");
      var label = document.createElement("span"); label.className = "bs-rl"; label.textContent = r.zh;
      var bar = document.createElement("span"); bar.className = "bs-bar";
      var fill = document.createElement("span"); fill.className = "bs-fill l" + r.level;
      fill.style.width = (100 * r.count / max) + "%";
      bar.appendChild(fill);
      var count = document.createElement("span"); count.className = "bs-rc"; count.textContent = r.count;
      li.appendChild(label); li.appendChild(bar); li.appendChild(count);
      list.appendChild(li);
    });
  }

  function drawActivity() {
    var list = document.getElementById("bs-activity");
    list.textContent = "";
    if (!data.activity.length) {
      var empty = document.createElement("li"); empty.className = "empty";
      empty.textContent = "今日暂无办件 · nothing yet today"; list.appendChild(empty); return;
    }
    data.activity.forEach(function (a) {
      var li = document.createElement("li"); li.className = a.kind;
      [["t", a.time], ["i", a.item], ["s", a.status], ["k", a.terminal]].forEach(function (part) {
        var span = document.createElement("span"); span.className = part[0]; span.textContent = part[1];
        li.appendChild(span);
      });
      list.appendChild(li);
    });
  }

  function render() {
    text("bs-day", data.day);
    text("bs-updated", data.updated);
    text("bs-submissions", data.counts.submissions);
    text("bs-approved", data.counts.approved);
    text("bs-handed-off", data.counts.handed_off);
    text("bs-rated", data.counts.rated + " 条评价 · ratings");
    withUnit("bs-online", data.terminals.online, "/" + data.terminals.total);
    if (data.satisfied_pct === null) { withUnit("bs-satisfied", "—", null); }
    else { withUnit("bs-satisfied", data.satisfied_pct, "%"); }
    drawChart();
    drawRatings();
    drawActivity();
  }

  function stale(message) {
    var clock = document.querySelector(".bs-clock");
    clock.classList.add("stale");
    text("bs-state", message);
  }

  function refresh() {
    fetch("/dashboard/bigscreen.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) { throw new Error("login"); }
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (fresh) {
        data = fresh;
        document.querySelector(".bs-clock").classList.remove("stale");
        text("bs-state", "每15秒刷新 · refreshes every 15 s");
        render();
      })
      .catch(function (err) {
        // The figures on the wall stay, marked as old: never a blank screen.
        stale(err.message === "login" ? "登录已过期，数据未更新 · session ended: figures not updated"
                                      : "连接中断，数据未更新 · no connection: figures not updated");
      });
  }

  render();
  window.setInterval(refresh, REFRESH_MS);
})();
