/* hyperlab lab: small canvas charts, written for the lab (no library, nothing fetched).
   LineChart: series of [x, y] points, linear or log axes, vertical marks.
   Heatmap: a grid of values in [0, 1] with points or paths on top (decision boundary, contours).
   Each canvas gets data-points = the number of points it holds, for tests and screen readers. */
"use strict";

const Charts = (() => {
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                   "#7f7f7f", "#bcbd22"];
  const MAX_DRAWN = 2500;  // points drawn per series; more are thinned evenly (all are kept)

  function fit(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(120, canvas.clientWidth), h = Math.max(100, canvas.clientHeight);
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return {ctx, w, h};
  }

  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
    return ticks;
  }

  function fmt(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
    return String(+v.toPrecision(3));
  }

  /* A robust range: a few wild values (a diverging run) do not flatten everything else. */
  function range(values, log) {
    const v = values.filter(x => Number.isFinite(x) && (!log || x > 0)).sort((a, b) => a - b);
    if (!v.length) return log ? [0.1, 1] : [0, 1];
    let lo = v[0], hi = v[v.length - 1];
    const p98 = v[Math.floor(0.98 * (v.length - 1))];
    if (!log && v.length > 20 && hi - lo > 10 * (p98 - lo) && p98 > lo) hi = p98 + 0.5 * (p98 - lo);
    if (log) { lo = Math.log10(lo); hi = Math.log10(hi); }
    if (hi - lo < 1e-12) { hi += 0.5; lo -= 0.5; }
    const pad = 0.05 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  class LineChart {
    constructor(canvas, opts = {}) {
      this.canvas = canvas;
      this.xlog = !!opts.xlog;
      this.ylog = !!opts.ylog;
      this.ymin = opts.ymin;  // a fixed lower bound (accuracy: 0)
      this.ymax = opts.ymax;
      this.series = [];
      this.marks = [];
      this.pending = false;
      this.last = 0;
      new ResizeObserver(() => this.draw()).observe(canvas);
    }
    set(series, marks = []) { this.series = series; this.marks = marks; this.request(); }
    request() {  /* at most ~12 redraws a second, whatever the event rate */
      if (this.pending) return;
      this.pending = true;
      const wait = Math.max(0, 80 - (performance.now() - this.last));
      setTimeout(() => requestAnimationFrame(() => { this.pending = false; this.last = performance.now(); this.draw(); }), wait);
    }
    draw() {
      const {ctx, w, h} = fit(this.canvas);
      const pad = {l: 46, r: 8, t: 8, b: 22};
      ctx.clearRect(0, 0, w, h);
      let total = 0;
      const xs = [], ys = [];
      for (const s of this.series) {
        total += s.points.length;
        for (const [x, y] of s.points) { xs.push(x); if (y !== null) ys.push(y); }
      }
      this.canvas.dataset.points = String(total);
      let [x0, x1] = range(xs, this.xlog);
      let [y0, y1] = range(ys, this.ylog);
      if (this.ymin !== undefined) y0 = this.ymin;
      if (this.ymax !== undefined) y1 = this.ymax;
      const X = x => pad.l + ((this.xlog ? Math.log10(x) : x) - x0) / (x1 - x0) * (w - pad.l - pad.r);
      const Y = y => h - pad.b - ((this.ylog ? Math.log10(y) : y) - y0) / (y1 - y0) * (h - pad.t - pad.b);
      // axes and ticks
      ctx.strokeStyle = "#ccc"; ctx.fillStyle = "#555"; ctx.lineWidth = 1;
      ctx.font = "11px system-ui, sans-serif";
      ctx.beginPath(); ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, h - pad.b); ctx.lineTo(w - pad.r, h - pad.b); ctx.stroke();
      const yt = this.ylog ? niceTicks(Math.ceil(y0), Math.floor(y1), 4).map(e => Math.pow(10, e)) : niceTicks(y0, y1, 4);
      ctx.textAlign = "right"; ctx.textBaseline = "middle";
      for (const t of yt) { const py = Y(t); if (py < pad.t - 1 || py > h - pad.b + 1) continue;
        ctx.fillText(fmt(t), pad.l - 4, py); ctx.strokeStyle = "#eee"; ctx.beginPath(); ctx.moveTo(pad.l + 1, py); ctx.lineTo(w - pad.r, py); ctx.stroke(); }
      const xt = this.xlog ? niceTicks(Math.ceil(x0), Math.floor(x1), 5).filter(Number.isInteger).map(e => Math.pow(10, e))
                           : niceTicks(x0, x1, Math.max(2, Math.floor((w - pad.l) / 70)));
      ctx.textAlign = "center"; ctx.textBaseline = "top";
      for (const t of xt) { const px = X(t); if (px < pad.l - 1 || px > w - pad.r + 1) continue; ctx.fillText(fmt(t), px, h - pad.b + 4); }
      // series
      ctx.save();
      ctx.beginPath(); ctx.rect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b); ctx.clip();
      for (const s of this.series) {
        const pts = s.points, stride = Math.max(1, Math.ceil(pts.length / MAX_DRAWN));
        ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.5; ctx.setLineDash(s.dash ? [5, 4] : []);
        ctx.globalAlpha = s.alpha || 1;
        ctx.beginPath();
        let pen = false;
        for (let i = 0; i < pts.length; i += stride) {
          const [x, y] = pts[i];
          if (y === null || !Number.isFinite(y) || (this.ylog && y <= 0)) { pen = false; continue; }
          const px = X(x), py = Y(y);
          if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
          pen = true;
        }
        ctx.stroke();
        if (s.dots) { ctx.fillStyle = s.color; for (const [x, y] of pts) if (y !== null && Number.isFinite(y)) { ctx.beginPath(); ctx.arc(X(x), Y(y), 2.5, 0, 7); ctx.fill(); } }
      }
      ctx.setLineDash([]); ctx.globalAlpha = 1;
      for (const m of this.marks) {
        const px = X(m.x);
        ctx.strokeStyle = m.color; ctx.lineWidth = m.width || 1.5; ctx.setLineDash(m.dash ? [4, 3] : []);
        ctx.beginPath(); ctx.moveTo(px, pad.t); ctx.lineTo(px, h - pad.b); ctx.stroke();
        if (m.label) { ctx.fillStyle = m.color; ctx.textAlign = px > w / 2 ? "right" : "left"; ctx.textBaseline = "top";
          ctx.fillText(m.label, px + (px > w / 2 ? -3 : 3), pad.t + 2); }
      }
      ctx.restore();
    }
  }

  /* Blue (0) to orange (1) through white: a classifier's P(class 1). */
  function twoClass(v) {
    const a = [59, 111, 216], b = [232, 131, 58], mid = [248, 248, 248];
    const [c, t] = v < 0.5 ? [a, 1 - 2 * v] : [b, 2 * v - 1];
    return mid.map((m, i) => Math.round(m + (c[i] - m) * 0.55 * t));
  }
  /* Banded levels (a filled contour plot): dark low, light high. */
  function levels(v) {
    const band = Math.min(11, Math.floor(v * 12)) / 11;
    const lo = [38, 70, 120], hi = [236, 242, 214];
    return lo.map((l, i) => Math.round(l + (hi[i] - l) * Math.sqrt(band)));
  }

  class Heatmap {
    constructor(canvas, colors = "twoClass") {
      this.canvas = canvas;
      this.color = colors === "levels" ? levels : twoClass;
      this.grid = null; this.n = 0; this.xlim = [0, 1]; this.ylim = [0, 1];
      this.points = []; this.paths = []; this.marks = []; this.shown = Infinity;
      new ResizeObserver(() => this.draw()).observe(canvas);
    }
    set(opts) { Object.assign(this, opts); this.draw(); }
    draw() {
      const {ctx, w, h} = fit(this.canvas);
      ctx.clearRect(0, 0, w, h);
      const X = x => (x - this.xlim[0]) / (this.xlim[1] - this.xlim[0]) * w;
      const Y = y => h - (y - this.ylim[0]) / (this.ylim[1] - this.ylim[0]) * h;
      if (this.grid && this.n) {
        const img = new ImageData(this.n, this.n);
        for (let r = 0; r < this.n; r++) for (let c = 0; c < this.n; c++) {
          const [R, G, B] = this.color(this.grid[r * this.n + c]);
          const k = ((this.n - 1 - r) * this.n + c) * 4;  // row 0 is the lowest y: drawn at the bottom
          img.data[k] = R; img.data[k + 1] = G; img.data[k + 2] = B; img.data[k + 3] = 255;
        }
        const off = document.createElement("canvas");
        off.width = off.height = this.n;
        off.getContext("2d").putImageData(img, 0, 0);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(off, 0, 0, w, h);
      }
      for (const [x, y, c] of this.points) {
        ctx.fillStyle = c ? "#c4530f" : "#1f4fa8";
        ctx.beginPath(); ctx.arc(X(x), Y(y), 2.4, 0, 7); ctx.fill();
      }
      let drawn = this.points.length;
      for (const p of this.paths) {
        const pts = p.points.slice(0, Math.min(p.points.length, this.shown + 1));
        drawn += pts.length;
        ctx.strokeStyle = p.color; ctx.fillStyle = p.color; ctx.lineWidth = 2;
        ctx.beginPath();
        pts.forEach(([x, y], i) => i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y)));
        ctx.stroke();
        if (pts.length) { const [x, y] = pts[pts.length - 1]; ctx.beginPath(); ctx.arc(X(x), Y(y), 3.5, 0, 7); ctx.fill(); }
      }
      for (const m of this.marks) {
        ctx.fillStyle = m.color; ctx.font = "bold 15px system-ui, sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
        ctx.fillText(m.symbol, X(m.x), Y(m.y));
      }
      this.canvas.dataset.points = String(drawn);
    }
  }

  return {LineChart, Heatmap, PALETTE};
})();
