#include "report/assets.h"

namespace warden::report {

const std::string_view kReportCss = R"css(:root{--fg:#1d2330;--muted:#5b6475;--line:#e3e6ec;--bg:#f4f5f8;--card:#fff;
--ok:#2b8a3e;--warn:#c77700;--bad:#c92a2a;--mono:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
code,.cmdcell,.path,.names,.facts dd{font-family:var(--mono);font-size:12.5px}
header.top{display:flex;align-items:center;gap:16px;padding:12px 24px;background:#1d2330;color:#fff}
header .brand{font-weight:700;letter-spacing:.04em;color:#9fb3ff;white-space:nowrap}
header h1{font-size:18px;margin:0;font-weight:600;flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
header h1 code{color:#dfe6ff;font-weight:400;margin-left:8px;font-size:15px}
.status{padding:3px 12px;border-radius:12px;font-weight:600;font-size:13px;white-space:nowrap}
.status.ok{background:#d3f9d8;color:#1b5e20}.status.warn{background:#fff3bf;color:#7a4d00}.status.bad{background:#ffe3e3;color:#9b1c1c}
main{max-width:1320px;margin:0 auto;padding:14px 24px 30px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 18px;margin:12px 0}
section.cards,div.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:9px 14px;border-top:3px solid #adb5bd;min-width:0}
.card .k{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.05em}
.card .v{font-size:23px;font-weight:650;margin:1px 0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.card .v.word{font-size:17px;white-space:normal;overflow-wrap:anywhere;line-height:1.25;margin:5px 0 2px}
.card .sub{color:var(--muted);font-size:12px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.card.bad{border-top-color:var(--bad)}.card.bad .v{color:var(--bad)}
.card.warn{border-top-color:var(--warn)}.card.warn .v{color:var(--warn)}.card.ok{border-top-color:var(--ok)}
.facts dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:4px 24px;margin:0}
.facts dt{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.05em}
.facts dd{margin:0;overflow-wrap:anywhere}
h2{font-size:16px;margin:0 0 4px}
h3{font-size:14px;margin:14px 0 6px}
.hint{color:var(--muted);margin:0 0 10px;font-size:13px}
.none{color:var(--muted);font-style:italic;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:4px 8px;white-space:nowrap}
td{padding:3px 8px;border-bottom:1px solid #f1f3f5;vertical-align:top;overflow-wrap:anywhere}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.more td{color:var(--muted);font-style:italic}
td.bar{width:38%}
td.bar span{display:block;height:10px;margin-top:4px;background:#91a7ff;border-radius:2px;min-width:1px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:4px 28px}
.count-box h3{margin-top:4px}
td.k-process{color:#5c636a}td.k-exec{color:#6741d9}td.k-file{color:#1971c2}td.k-net{color:#087f5b}
td.k-syscall{color:#d9480f}td.k-policy{color:#c92a2a}
.act-deny,.act-kill{color:var(--bad);font-weight:600}.act-monitor{color:var(--warn)}
tr.o-failed td:last-child{color:var(--warn);font-weight:600}tr.o-killed td:last-child{color:var(--bad);font-weight:600}
details.table-wrap{margin-top:10px}
details summary{cursor:pointer;color:#364fc7}
.chart{width:100%;overflow-x:auto}
.chart svg{display:block}
.legend{display:flex;flex-wrap:wrap;gap:16px;font-size:12px;color:var(--muted);margin-top:4px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.tabs{display:flex;flex-wrap:wrap;gap:4px;border-bottom:1px solid var(--line);margin-bottom:8px}
.tabs:empty{display:none}
.tabs button{font:inherit;font-size:13px;border:1px solid var(--line);border-bottom:0;background:#f1f3f5;padding:5px 12px;border-radius:6px 6px 0 0;cursor:pointer;color:var(--fg)}
.tabs button.on{background:#fff;font-weight:600;position:relative;top:1px}
.js .panel{display:none}
.js .panel.on{display:block}
.js .panel>h3{margin-top:4px}
.panel td.path:first-child{min-width:17em}
.finding{margin:4px 0}
footer{max-width:1320px;margin:0 auto;padding:0 24px 30px;color:var(--muted);font-size:12px}
#js-errors{background:#ffe3e3;color:#9b1c1c;padding:10px;margin:10px 24px;white-space:pre-wrap}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;fill:#343a40}
svg .axis{stroke:#adb5bd}
svg .gridline{stroke:#eef0f3}
svg .tl-row:hover .bg{fill:#e7ecff}
svg .hov{fill:transparent}
svg .hov:hover{fill:rgba(54,79,199,.12)}
)css";

const std::string_view kErrorCaptureJs = R"js(window.wardenErrors = [];
function wardenShowErrors() {
  var box = document.getElementById('js-errors');
  if (box && window.wardenErrors.length) {
    box.hidden = false;
    box.textContent = 'Script errors:\n' + window.wardenErrors.join('\n');
  }
}
window.addEventListener('error', function (e) {
  window.wardenErrors.push(String(e.message || e) + (e.lineno ? ' (line ' + e.lineno + ')' : ''));
  wardenShowErrors();
});
(function () {
  var original = console.error;
  console.error = function () {
    window.wardenErrors.push(Array.prototype.join.call(arguments, ' '));
    wardenShowErrors();
    return original.apply(console, arguments);
  };
})();
)js";

const std::string_view kReportJs = R"js((function () {
'use strict';
var D = JSON.parse(document.getElementById('report-data').textContent);
var SVG = 'http://www.w3.org/2000/svg';
var KIND_COLORS = {process: '#adb5bd', exec: '#7950f2', file: '#4dabf7', net: '#20c997',
                   syscall: '#ffa94d', policy: '#ff6b6b'};
var OUTCOME_COLORS = {ok: '#40a75a', failed: '#f59f00', killed: '#e03131', unknown: '#868e96'};
var DENIAL = '#c92a2a';

function el(name, attrs, parent) {
  var e = document.createElementNS(SVG, name);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function text(parent, x, y, s, attrs) {
  var a = {x: x, y: y};
  for (var k in attrs || {}) a[k] = attrs[k];
  var t = el('text', a, parent);
  t.textContent = s;
  return t;
}
function tip(parent, s) { el('title', {}, parent).textContent = s; }
function fmt(ns) {
  if (ns <= 0) return '0';
  if (ns < 1e3) return ns + ' ns';
  if (ns < 1e6) return +(ns / 1e3).toPrecision(3) + ' us';
  if (ns < 1e9) return +(ns / 1e6).toPrecision(3) + ' ms';
  if (ns < 60e9) return +(ns / 1e9).toPrecision(3) + ' s';
  var s = Math.round(ns / 1e9);
  if (s < 3600) return Math.floor(s / 60) + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
  return Math.floor(s / 3600) + ' h' + (s % 3600 ? ' ' + Math.floor(s % 3600 / 60) + ' min' : '');
}
function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
function clip(s, n) { n = Math.max(3, Math.floor(n)); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
// The step of 1, 2 or 5 times a power of ten that cuts `range` into at most `most` parts.
function niceStep(range, most) {
  var step = Math.max(1, Math.pow(10, Math.floor(Math.log10(Math.max(range, 1) / most))));
  while (range / step > most) step *= (String(step)[0] === '2') ? 2.5 : 2;
  return step;
}

// The shared geometry: both charts put time on the same x so they line up.
function frame(box) {
  var width = Math.max(box.clientWidth || 1100, 720);
  var label = Math.min(300, Math.round(width * 0.25));
  var duration = Math.max(D.duration_ns, D.bin_ns, 1);
  return {width: width, label: label, x0: label + 10, w: width - label - 24, duration: duration,
          x: function (ns) { return label + 10 + (width - label - 24) * Math.min(ns, duration) / duration; }};
}

function timeAxis(svg, f, y, bottom) {
  var step = niceStep(f.duration, Math.max(2, Math.floor(f.w / 90)));
  for (var t = 0; t <= f.duration + 1; t += step) {
    var x = f.x(t);
    el('line', {class: 'gridline', x1: x, x2: x, y1: y + 4, y2: bottom}, svg);
    var anchor = t === 0 ? 'start' : x > f.x0 + f.w - 30 ? 'end' : 'middle';
    text(svg, x, y, t === 0 ? '0' : '+' + fmt(t), {'font-size': 11, 'text-anchor': anchor, fill: '#5b6475'});
  }
}

function drawTimeline() {
  var box = document.getElementById('timeline-chart');
  box.textContent = '';
  var rows = D.timeline.rows;
  if (!rows.length) {
    box.innerHTML = '<p class="none">No process was recorded in this run.</p>';
    return;
  }
  var f = frame(box);
  var marks = {};
  D.denial_marks.forEach(function (m) { (marks[m[0]] = marks[m[0]] || []).push(m[1]); });
  var rh = rows.length <= 12 ? 20 : rows.length <= 40 ? 16 : rows.length <= 100 ? 13 : 11;
  var fs = rh >= 16 ? 12 : rh >= 13 ? 11 : 10;
  var top = 20;
  var height = top + rows.length * rh + 6;
  var svg = el('svg', {width: f.width, height: height, viewBox: '0 0 ' + f.width + ' ' + height,
                       role: 'img', 'aria-label': 'process timeline'}, box);
  timeAxis(svg, f, 12, height);
  rows.forEach(function (r, i) {
    var y = top + i * rh;
    var g = el('g', {class: 'tl-row', 'data-pid': r.pid, 'data-count': r.n}, svg);
    el('rect', {class: 'bg', x: 0, y: y, width: f.width, height: rh, fill: i % 2 ? '#f8f9fb' : '#ffffff'}, g);
    var indent = Math.min(r.d, 14) * 10;
    for (var d = 1; d <= Math.min(r.d, 14); d++)
      el('line', {x1: d * 10 - 3, x2: d * 10 - 3, y1: y, y2: y + rh, stroke: '#dee2e6'}, g);
    var base = r.exe ? r.exe.split('/').pop() : '?';
    var name = r.n > 1 ? r.n + '\u00d7 ' + base : base + ' ' + r.pid;
    text(g, 6 + indent, y + rh / 2 + fs / 2.8, clip(name, (f.label - indent - 6) / (fs * 0.58)),
         {'font-size': fs, fill: r.o === 'failed' ? '#a35200' : r.o === 'killed' ? DENIAL : '#343a40'});
    var x0 = f.x(r.s), x1 = Math.max(f.x(r.e), x0 + 2);
    if (r.busy) {
      var most = Math.max.apply(null, r.busy.concat([1]));
      var color = r.failed ? OUTCOME_COLORS.failed : OUTCOME_COLORS[r.o] || OUTCOME_COLORS.unknown;
      for (var b = 0; b < r.busy.length;) {
        var e = b;
        while (e < r.busy.length && r.busy[e] === r.busy[b]) e++;
        if (r.busy[b] > 0) {
          var bx0 = f.x(b * D.bin_ns), bx1 = Math.max(f.x(e * D.bin_ns), bx0 + 1);
          el('rect', {x: bx0, y: y + 2, width: bx1 - bx0, height: rh - 4, fill: color,
                      'fill-opacity': (0.25 + 0.75 * r.busy[b] / most).toFixed(2)}, g);
        }
        b = e;
      }
    } else {
      el('rect', {x: x0, y: y + 2, width: x1 - x0, height: rh - 4, rx: 2,
                  fill: OUTCOME_COLORS[r.o] || OUTCOME_COLORS.unknown}, g);
    }
    (marks[r.pid] || []).forEach(function (ts) {
      if (r.n > 1 || ts < r.s || ts > r.e) return;
      var mx = f.x(ts);
      var m = el('path', {class: 'row-denial', d: 'M' + (mx - 4) + ' ' + y + 'h8l-4 ' + (rh - 2) + 'Z', fill: DENIAL}, g);
      tip(m, 'policy denial at +' + fmt(ts));
    });
    if (!r.ended) el('line', {x1: x1, x2: x1 + 8, y1: y + rh / 2, y2: y + rh / 2, stroke: '#868e96',
                             'stroke-dasharray': '2 2'}, g);
    tip(g, (r.n > 1 ? r.n + ' processes running ' + r.exe + (r.failed ? ' (' + r.failed + ' failed)' : '')
                    : 'pid ' + r.pid + '  ' + r.exe) +
           '\n' + r.cmd + '\nstart +' + fmt(r.s) + (r.ended ? ', ran ' + fmt(r.e - r.s) : ', did not end') +
           '\n' + r.st);
  });
  var legend = '<div class="legend">';
  [['ok', 'exit 0'], ['failed', 'exit status not 0'], ['killed', 'killed by a signal'],
   ['unknown', 'no exit seen']].forEach(function (o) {
    legend += '<span><i style="background:' + OUTCOME_COLORS[o[0]] + '"></i>' + o[1] + '</span>';
  });
  if (D.denial_marks.length) legend += '<span><i style="background:' + DENIAL + '"></i>policy denial</span>';
  if (D.timeline.grouped) legend += '<span>shade: how many ran at once</span>';
  box.insertAdjacentHTML('beforeend', legend + '</div>');
  if (D.timeline.omitted)
    box.insertAdjacentHTML('beforeend', '<p class="none">and ' + count(D.timeline.omitted) +
                           ' more processes (see the table)</p>');
}

function drawActivity() {
  var box = document.getElementById('activity-chart');
  box.textContent = '';
  var f = frame(box);
  var kinds = D.kinds, A = D.activity, n = D.denials.length, bin = D.bin_ns;
  var totals = [];
  for (var i = 0; i < n; i++) {
    var t = 0;
    kinds.forEach(function (k) { t += A[k][i]; });
    totals.push(t);
  }
  var peak = Math.max.apply(null, totals.concat([1]));
  var ystep = niceStep(peak, 4), ymax = Math.ceil(peak / ystep) * ystep;
  var top = 18, ph = 170, height = top + ph + 8;
  var svg = el('svg', {width: f.width, height: height, viewBox: '0 0 ' + f.width + ' ' + height,
                       role: 'img', 'aria-label': 'events over time'}, box);
  for (var v = 0; v <= ymax; v += ystep) {
    var y = top + ph * (1 - v / ymax);
    el('line', {class: v ? 'gridline' : 'axis', x1: f.x0, x2: f.x0 + f.w, y1: y, y2: y}, svg);
    text(svg, f.x0 - 6, y + 4, count(v), {'font-size': 11, 'text-anchor': 'end', fill: '#5b6475'});
  }
  text(svg, 6, top + 4, 'events per ' + fmt(bin), {'font-size': 11, fill: '#5b6475'});
  var base = totals.map(function () { return 0; });
  kinds.forEach(function (k) {
    var d = '';
    for (var i = 0; i < n; i++) {
      var c = A[k][i];
      if (!c) continue;
      var x0 = f.x(i * bin), w = Math.max(f.x((i + 1) * bin) - x0 - (f.w / n > 4 ? 1 : 0), 0.8);
      var y1 = top + ph * (1 - (base[i] + c) / ymax), h = ph * c / ymax;
      d += 'M' + x0.toFixed(1) + ' ' + y1.toFixed(1) + 'h' + w.toFixed(1) + 'v' + Math.max(h, 0.6).toFixed(1) +
           'h' + (-w).toFixed(1) + 'Z';
      base[i] += c;
    }
    if (d) el('path', {d: d, fill: KIND_COLORS[k] || '#999', class: 'kind-' + k}, svg);
  });
  for (var j = 0; j < n; j++) {
    if (!totals[j] && !D.denials[j]) continue;
    var hx0 = f.x(j * bin), hw = Math.max(f.x((j + 1) * bin) - hx0, 2);
    var r = el('rect', {class: 'hov', x: hx0, y: top, width: hw, height: ph}, svg);
    var parts = kinds.filter(function (k) { return A[k][j]; }).map(function (k) { return k + ' ' + count(A[k][j]); });
    tip(r, '+' + fmt(j * bin) + ' to +' + fmt((j + 1) * bin) + ': ' + count(totals[j]) + ' events' +
           (parts.length ? ' (' + parts.join(', ') + ')' : '') +
           (D.denials[j] ? '\n' + count(D.denials[j]) + ' policy denial' + (D.denials[j] > 1 ? 's' : '') : ''));
    if (D.denials[j]) {
      var cx = hx0 + hw / 2;
      var m = el('path', {class: 'denial-mark', d: 'M' + (cx - 5) + ' 3h10l-5 9Z', fill: DENIAL}, svg);
      tip(m, count(D.denials[j]) + ' policy denial' + (D.denials[j] > 1 ? 's' : '') + ' at +' + fmt(j * bin));
      el('line', {x1: cx, x2: cx, y1: 12, y2: top + ph, stroke: DENIAL, 'stroke-width': 1,
                  'stroke-opacity': 0.5, 'stroke-dasharray': '3 2'}, svg);
    }
  }
  var legend = document.getElementById('activity-legend');
  legend.textContent = '';
  kinds.forEach(function (k) {
    var sum = A[k].reduce(function (a, b) { return a + b; }, 0);
    legend.insertAdjacentHTML('beforeend', '<span><i style="background:' + KIND_COLORS[k] + '"></i>' + k +
                              ' ' + count(sum) + '</span>');
  });
  var denied = D.denials.reduce(function (a, b) { return a + b; }, 0);
  legend.insertAdjacentHTML('beforeend', '<span><i style="background:' + DENIAL + '"></i>policy denials ' +
                            count(denied) + '</span>');
}

function tabs() {
  var bar = document.getElementById('profile-tabs');
  var panels = Array.prototype.slice.call(document.querySelectorAll('#profile .panel'));
  var buttons = panels.map(function (p, i) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.getAttribute('data-tab');
    b.addEventListener('click', function () { show(i); });
    bar.appendChild(b);
    return b;
  });
  function show(i) {
    panels.forEach(function (p, j) { p.classList.toggle('on', i === j); });
    buttons.forEach(function (b, j) { b.classList.toggle('on', i === j); });
  }
  show(0);
}

document.documentElement.classList.add('js');
Array.prototype.forEach.call(document.querySelectorAll('details.table-wrap'), function (d) { d.open = false; });
drawTimeline();
drawActivity();
tabs();
var width = window.innerWidth;
window.addEventListener('resize', function () {
  if (window.innerWidth === width) return;
  width = window.innerWidth;
  drawTimeline();
  drawActivity();
});
wardenShowErrors();
document.body.setAttribute('data-rendered', window.wardenErrors.length ? 'errors' : 'ok');
})();
)js";

}  // namespace warden::report
