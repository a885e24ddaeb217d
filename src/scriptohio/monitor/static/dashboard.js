/* Script Ohio live dashboard: Server-Sent Events in, small canvas line charts out.
 * No dependencies. State for tests and debugging: window.scriptohioDashboard. */
(function () {
  "use strict";
  var MAX_POINTS = 120;
  var COLORS = ["#bb0000", "#2b6cb0", "#2f855a", "#d69e2e", "#6b46c1", "#319795", "#718096"];

  function LineChart(canvas) {
    this.canvas = canvas;
    this.series = {};
    this.order = [];
    var names = (canvas.getAttribute("data-series") || "").split(",");
    for (var i = 0; i < names.length; i++) { if (names[i]) { this.ensure(names[i]); } }
  }
  LineChart.prototype.ensure = function (name) {
    if (!this.series[name]) { this.series[name] = []; this.order.push(name); }
    return this.series[name];
  };
  LineChart.prototype.push = function (name, value) {
    var s = this.ensure(name);
    s.push(typeof value === "number" && isFinite(value) ? value : null);
    if (s.length > MAX_POINTS) { s.shift(); }
  };
  LineChart.prototype.points = function () {
    var n = 0;
    for (var k in this.series) { n += this.series[k].filter(function (v) { return v !== null; }).length; }
    return n;
  };
  LineChart.prototype.draw = function () {
    var c = this.canvas, ratio = window.devicePixelRatio || 1;
    var w = c.clientWidth || 400, h = c.clientHeight || 180;
    if (c.width !== w * ratio) { c.width = w * ratio; c.height = h * ratio; }
    var ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var max = 0, i, k, s;
    for (k in this.series) {
      s = this.series[k];
      for (i = 0; i < s.length; i++) { if (s[i] !== null && s[i] > max) { max = s[i]; } }
    }
    max = max > 0 ? max * 1.15 : 1;
    var left = 44, bottom = 18, top = 16, plotW = w - left - 6, plotH = h - top - bottom;
    ctx.strokeStyle = "#e2e8f0"; ctx.fillStyle = "#7a8194"; ctx.font = "10px sans-serif";
    for (i = 0; i <= 4; i++) {
      var y = top + plotH * i / 4;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - 6, y); ctx.stroke();
      ctx.fillText(fmt(max * (1 - i / 4)), 2, y + 3);
    }
    var lx = left;
    for (var j = 0; j < this.order.length; j++) {
      k = this.order[j]; s = this.series[k];
      ctx.strokeStyle = COLORS[j % COLORS.length]; ctx.lineWidth = 1.6; ctx.beginPath();
      var started = false;
      for (i = 0; i < s.length; i++) {
        if (s[i] === null) { started = false; continue; }
        var x = left + plotW * (i + MAX_POINTS - s.length) / (MAX_POINTS - 1);
        var yy = top + plotH * (1 - s[i] / max);
        if (started) { ctx.lineTo(x, yy); } else { ctx.moveTo(x, yy); started = true; }
      }
      ctx.stroke();
      ctx.fillStyle = COLORS[j % COLORS.length];
      ctx.fillText(k, lx, 10);
      lx += ctx.measureText(k).width + 12;
    }
  };

  function fmt(v) {
    if (v >= 100) { return v.toFixed(0); }
    if (v >= 10) { return v.toFixed(1); }
    if (v > 0 && v < 0.1) { return v.toPrecision(2); }
    return v.toFixed(2);
  }
  function pct(v) { return typeof v === "number" ? v * 100 : null; }
  function ms(v) { return typeof v === "number" ? v * 1000 : null; }

  var charts = {};
  var canvases = document.querySelectorAll("canvas[id^=chart-]");
  for (var i = 0; i < canvases.length; i++) {
    charts[canvases[i].id.slice(6)] = new LineChart(canvases[i]);
  }
  var state = { charts: charts, updates: 0, last: null, errors: 0 };
  window.scriptohioDashboard = state;

  function setList(id, items, empty) {
    var ul = document.getElementById(id);
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    if (!items.length) { items = [{ text: empty, cls: "muted" }]; }
    items.forEach(function (it) {
      var li = document.createElement("li");
      li.textContent = it.text;
      if (it.cls) { li.className = it.cls; }
      ul.appendChild(li);
    });
  }

  function setTable(id, rows, classCol) {
    var table = document.getElementById(id);
    while (table.firstChild) { table.removeChild(table.firstChild); }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (cell, idx) {
        var td = document.createElement("td");
        td.textContent = cell;
        if (idx === classCol) { td.className = cell; }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
  }
  function num(v, scale, unit) {
    return typeof v === "number" ? fmt(v * scale) + unit : "–";
  }

  function render(snap) {
    var r = snap.requests || {};
    charts.latency.push("p50", ms(r.p50_s));
    charts.latency.push("p95", ms(r.p95_s));
    charts.latency.push("p99", ms(r.p99_s));
    charts.throughput.push("rps", r.throughput_rps);
    charts.errors.push("error %", pct(r.error_rate === null ? 0 : r.error_rate));
    var tiers = (snap.cache || {}).tiers || {};
    charts.cache.push("all", pct((snap.cache || {}).hit_rate));
    Object.keys(tiers).forEach(function (t) { charts.cache.push(t, pct(tiers[t].window_hit_ratio)); });
    var res = snap.resources || {};
    charts.resources.push("process cpu", pct(res.process_cpu));
    charts.resources.push("system cpu", pct(res.system_cpu));
    charts.resources.push("memory", pct(res.system_memory));
    var pools = snap.pools || {};
    Object.keys(pools).forEach(function (p) {
      charts.pools.push(p + " busy", pools[p].busy);
      charts.pools.push(p + " queued", pools[p].queued);
    });
    for (var name in charts) { charts[name].draw(); }

    var g = snap.grade || {};
    // grade "no data" (score null): nothing to judge yet, e.g. an idle service -- not F
    document.getElementById("grade").textContent = g.grade || "–";
    document.getElementById("score").textContent =
      "score " + (g.score === undefined || g.score === null ? "–" : g.score);
    var breakers = snap.breakers || {};
    setList("breakers", Object.keys(breakers).map(function (b) {
      return { text: b + ": " + breakers[b], cls: breakers[b] };
    }), "none reported");
    setList("alerts", (snap.alerts || []).map(function (a) {
      return { text: a.state + " · " + a.name + " — " + a.summary, cls: a.state };
    }), "no alerts");
    setList("bottlenecks", (snap.bottlenecks || []).map(function (b) {
      return { text: b.kind + ": " + b.evidence + ". " + b.recommendation, cls: b.severity };
    }), "none");
    var crit = g.criteria || {};
    setTable("criteria", Object.keys(crit).map(function (k) {
      return [k, crit[k].value === null ? "–" : fmt(crit[k].value), crit[k].verdict];
    }), 2);
    var rejected = 0, rej = snap.rejections || {};
    Object.keys(rej).forEach(function (k) { rejected += rej[k]; });
    setTable("vitals", [
      ["requests (window)", String(r.count || 0)],
      ["in flight", String(snap.in_flight || 0)],
      ["event-loop lag", num(snap.loop_lag_s, 1000, " ms")],
      ["rejected (total)", String(rejected)],
      ["process memory", num(res.process_rss_bytes, 1 / 1048576, " MiB")]
    ]);
    var models = snap.models || {};
    setTable("models", Object.keys(models).map(function (m) {
      return [m, "load " + num(models[m].load_s, 1, " s"),
              "predict " + num(models[m].avg_prediction_s, 1000, " ms")];
    }));
    renderCanary(snap.canary);
    renderData(snap.data);
    state.updates += 1;
    state.last = snap;
  }

  function ago(t) {
    if (!t) { return "–"; }
    var s = Math.round(Date.now() / 1000 - t);
    return s >= 0 ? s + " s ago" : "in " + (-s) + " s";
  }

  function renderData(d) {
    if (!d || !d.pulls && !d.failures) { return; }
    var rows = d.last_rows_changed || {}, r = d.last_retrain;
    setTable("data-cycle", [
      ["last pull", ago(d.last_pull_at) + (d.last_due === false ? " (nothing due)" : "")],
      ["rows changed", Object.keys(rows).map(function (k) { return k + " " + rows[k]; })
        .join(", ") || "–"],
      ["next pull", ago(d.next_pull_at)],
      ["pulls / failures", d.pulls + " / " + d.failures],
      ["last failure", d.last_failure ? ago(d.last_failure_at) + ": " + d.last_failure : "–"],
      ["last retrain", !r ? "–" : r.error ? "failed (" + r.error + ")" :
        r.version + (r.canary ? " as a canary" : " served") + ", " + ago(r.at)]
    ]);
  }

  function renderCanary(c) {
    if (!c) { return; }
    var cur = c.current_stage || {}, can = cur.canary || {}, st = cur.stable || {};
    setTable("canary", [
      ["candidate / stable", c.candidate + " / " + c.stable],
      ["status", c.status + (c.reason ? " (" + c.reason + ")" : "")],
      ["stage", (c.stage + 1) + " of " + c.stages.length + " · " + Math.round(c.share * 100) + " %"],
      ["requests canary / stable", (can.requests || 0) + " / " + (st.requests || 0)],
      ["errors canary / stable", (can.errors || 0) + " / " + (st.errors || 0)],
      ["P95 canary / stable", num(can.p95_s, 1000, " ms") + " / " + num(st.p95_s, 1000, " ms")],
      ["mean |margin diff|", num(can.mean_margin_diff, 1, " pts")],
      ["mean |win prob diff|", num(can.mean_win_prob_diff, 100, " %")],
      ["MAE canary / stable", num(can.mae, 1, "") + " / " + num(can.stable_mae, 1, "")]
    ]);
    setTable("canary-timeline", (c.timeline || []).map(function (t) {
      return [new Date(t.at * 1000).toLocaleTimeString(), t.event,
              Math.round(t.share * 100) + " %", t.reason];
    }));
  }

  var conn = document.getElementById("conn");
  var source = new EventSource("dashboard/stream");
  source.onopen = function () { conn.textContent = "live"; };
  source.onerror = function () { state.errors += 1; conn.textContent = "reconnecting…"; };
  source.onmessage = function (ev) { render(JSON.parse(ev.data)); };
})();
