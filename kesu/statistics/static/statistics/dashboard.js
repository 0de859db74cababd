// The statistics dashboard: draws the charts whose data the page carries in
// <script type="application/json" id="chart-data"> with Apache ECharts (served locally from npm).
// A click on a bar, point or slice opens the complaints behind it. SVG renderer: sharp in print.
(function () {
  "use strict";

  function axisChart(el, chart) {
    var yAxis = [{ type: "value", minInterval: 1 }];
    if (chart.percent_axis) yAxis.push({ type: "value", axisLabel: { formatter: "{value}%" } });
    var series = chart.series.map(function (s) { return Object.assign({ barMaxWidth: 28 }, s); });
    if (chart.target !== null && chart.target !== undefined && series.length) {
      series[0].markLine = {
        symbol: "none",
        data: [{ yAxis: chart.target, name: chart.target_label }],
        label: { formatter: chart.target_label + " {c}" },
      };
    }
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: chart.groups, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: yAxis,
      series: series,
    };
  }

  function pieChart(chart) {
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { top: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["30%", "60%"], top: 36, data: chart.pie }],
    };
  }

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    charts.forEach(function (chart) {
      var el = document.querySelector('[data-chart="' + chart.id + '"]');
      if (!el) return;
      var empty = chart.pie ? chart.pie.length === 0 : chart.groups.length === 0 || chart.series.length === 0;
      if (empty) {
        el.classList.add("chart-empty");
        return;
      }
      var instance = window.echarts.init(el, null, { renderer: "svg" });
      instance.setOption(chart.pie ? pieChart(chart) : axisChart(el, chart));
      instance.on("click", function (params) {
        var url = params.data && params.data.url;
        if (url) window.location.href = url;
      });
      el.setAttribute("data-drawn", "true");
      drawn.push(instance);
    });
    var resize = function () { drawn.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    document.body.setAttribute("data-charts-drawn", String(drawn.length));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
