/* Draws the dashboard's charts with the vendored Apache ECharts. The figures come from the page's
   <script type="application/json" id="report-charts"> (Django's json_script): no inline script. Amounts arrive in
   fen and are shown as yuan; the same figures are in the table under each chart. */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "zh-CN";

  function yuan(fen) {
    return "¥" + (fen / 100).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function shortYuan(fen) {
    return "¥" + (fen / 100).toLocaleString(lang, { maximumFractionDigits: 0 });
  }

  function option(spec) {
    var money = spec.series.some(function (s) { return s.yuan; });
    var format = money ? yuan : (spec.percent ? function (v) { return v.toFixed(2) + " %"; } : String);
    var axisFormat = money ? shortYuan : (spec.percent ? function (v) { return v + " %"; } : null);
    if (spec.type === "pie") {
      return {
        tooltip: { trigger: "item", valueFormatter: format },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], name: spec.series[0].name,
          data: spec.labels.map(function (label, i) { return { name: label, value: spec.series[0].values[i] }; }) }]
      };
    }
    var horizontal = spec.type === "hbar";
    var categoryAxis = { type: "category", data: spec.labels, axisLabel: { hideOverlap: true } };
    var valueAxis = { type: "value", axisLabel: axisFormat ? { formatter: axisFormat } : {} };
    if (!money && !spec.percent) { valueAxis.minInterval = 1; }  // counts: whole numbers on the axis
    if (horizontal) { categoryAxis.inverse = true; }
    return {
      tooltip: { trigger: "axis", valueFormatter: format },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        var series = { type: spec.type === "line" ? "line" : "bar", name: s.name, data: s.values, barMaxWidth: 48 };
        if (spec.mark_above) {
          series.markLine = { silent: true, symbol: "none", data: [horizontal ? { xAxis: spec.mark_above } : { yAxis: spec.mark_above }] };
          series.itemStyle = { color: function (p) { return p.value > spec.mark_above ? "#d97706" : "#2563eb"; } };
        }
        return series;
      })
    };
  }

  var drawn = [];
  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var spec = charts[node.getAttribute("data-chart")];
    if (!spec || !spec.labels.length) { node.hidden = true; return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option(spec));
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
