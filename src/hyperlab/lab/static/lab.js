/* hyperlab lab: the page. It validates the form through the lab (the CLI's own messages), starts
   jobs, follows each job's event stream (server-sent events) and draws what the trainer reports. */
"use strict";

const L = {
  lang: "en", meta: null, texts: {}, arith: null, valid: false,
  runs: [],          // every run on the charts: {key, job, member, label, color, steps, epochs, ...}
  jobs: {},          // id -> {id, kind, state, position, error, source}
  shown: null,       // the run whose decision boundary is drawn
  current: null,     // the run that streamed last (its counters are shown)
  colors: 0, range: null, advice: null, pathsData: null,
};
const $ = id => document.getElementById(id);

/* ---- words ------------------------------------------------------------------------------------- */
function tr(key, vals) {
  const entry = L.texts[key];
  let s = entry ? (entry[L.lang] || entry.en) : key;
  // {n:step|steps} picks the word for the count, as hyperlab.i18n.t does; other specs show the value
  if (vals) s = s.replace(/\{(\w+)(?::([^}|]*)\|([^}]*)|:[^}]*)?\}/g, (m, k, one, many) =>
    (!(k in vals) ? m : one !== undefined ? (Number(vals[k]) === 1 ? one : many) : vals[k]));
  return s;
}
/* A run's name in the page's language, from its settings. */
function runLabel(run) {
  const st = run.setup, hp = st.hparams;
  const shape = st.model === "mlp" ? ` ${st.width || 128}x${st.depth === null ? 2 : st.depth}` : "";
  return `${st.model}${shape} · ${hp.optimizer} · ${tr("lr")} ${+hp.lr.toPrecision(3)} · ${tr("batch_size")} ${hp.batch_size}` +
         ` · ${tr("epochs")} ${hp.epochs}`;
}
function jobLabel(job) {
  const runs = L.runs.filter(r => r.job === job.id);
  if (job.kind !== "train" || !runs.length) return job.label;
  return runs.length === 1 ? runLabel(runs[0]) : tr("lab.runs_set", {n: runs.length});
}
function both(obj) { return obj ? (obj[L.lang] || obj.en || "") : ""; }
function num(v, digits = 4) { return v === null || v === undefined ? "–" : (+v).toFixed(digits); }

function applyTexts() {
  document.documentElement.lang = L.lang;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = tr(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-placeholder]")) el.placeholder = tr(el.dataset.tPlaceholder);
  for (const b of document.querySelectorAll(".lang button")) b.setAttribute("aria-pressed", String(b.dataset.lang === L.lang));
  fillSelect($("f-model"), L.meta.models.map(m => [m, tr("lab.model." + m)]));
  fillSelect($("f-surface"), L.meta.surfaces.map(s => [s, tr("lab.surface." + s)]));
  fillSelect($("f-lesson"), L.meta.lessons.map(n => [n, n === "tour" ? tr("lab.tour") : tr("lab.lesson_title." + n)]));
  fillSelect($("f-lesson-budget"), L.meta.budgets.map(b => [b, tr("lab.budget." + b)]));
  showMetricNames(); showArith(); renderRuns(); renderStatus(); renderRange(); renderAdvice(); renderPathLegend();
}
function setLang(lang) {
  L.lang = lang;
  try { localStorage.setItem("hyperlab-lang", lang); } catch (e) { /* private mode */ }
  applyTexts();
}
function fillSelect(select, pairs) {
  const value = select.value;
  select.replaceChildren(...pairs.map(([v, label]) => { const o = document.createElement("option"); o.value = v; o.textContent = label; return o; }));
  if (pairs.some(([v]) => v === value)) select.value = value;
}
function showMetricNames() {  // the runs table's and the chart's metric: the current run's (accuracy or R²)
  const metric = tr(metricName());
  $("metric-caption").textContent = tr("lab.epoch_metric", {metric});
  $("th-metric").textContent = tr("lab.final_val_metric", {metric});
}
function metricName() {
  const run = L.current || L.runs[L.runs.length - 1];
  return run && run.metric ? run.metric : "accuracy";
}

/* ---- talking to the lab -------------------------------------------------------------------------- */
async function api(path, body) {
  const init = body === undefined ? {} : {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)};
  const r = await fetch(path, init);
  let data = {};
  try { data = await r.json(); } catch (e) { /* no body */ }
  return {ok: r.ok, status: r.status, data};
}

/* ---- the form ------------------------------------------------------------------------------------ */
const FORM_FIELDS = ["dataset", "model", "width", "depth", "seed", "batch_size", "lr", "epochs", "optimizer",
                     "momentum", "alpha", "betas", "eps", "weight_decay"];
function formValues() {
  const opts = L.meta.options[$("f-optimizer").value] || [];
  const model = $("f-model").value;
  const form = {};
  for (const name of FORM_FIELDS) {
    const el = $("f-" + name);
    if (!el || el.value.trim() === "") continue;
    if (["momentum", "alpha", "betas", "eps", "weight_decay"].includes(name) && !opts.includes(name)) continue;
    if (name === "width" && model === "logistic") continue;
    if (name === "depth" && model !== "mlp") continue;
    form[name] = el.value.trim();
  }
  return form;
}
function showErrors(errors) {
  for (const p of document.querySelectorAll("[data-err]")) {
    const msg = errors[p.dataset.err] || "";
    p.textContent = msg;
    const input = $("f-" + p.dataset.err);
    if (input) input.setAttribute("aria-invalid", msg ? "true" : "false");
  }
}
function showArith() {
  $("arith").textContent = L.arith ? both(L.arith.arith) : "";
  $("total").textContent = L.arith ? both(L.arith.total) : "";
}
function syncVisibility() {
  const opts = L.meta.options[$("f-optimizer").value] || [];
  for (const el of document.querySelectorAll("[data-opt]")) el.hidden = !opts.includes(el.dataset.opt);
  const model = $("f-model").value;
  for (const el of document.querySelectorAll("[data-for-model]")) el.hidden = !el.dataset.forModel.split(" ").includes(model);
}
let validateTimer = null, validateSeq = 0;
function scheduleValidate() {
  document.body.dataset.validating = "true";
  validateSeq++;  // an answer to an earlier form is now stale
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 150);
}
async function validate() {
  syncVisibility();
  document.body.dataset.validating = "true";
  const seq = ++validateSeq;
  const r = await api("/api/validate", formValues());
  if (seq !== validateSeq) return L.valid;
  document.body.dataset.validating = "false";
  if (r.ok) { L.arith = r.data; L.valid = true; showErrors({}); }
  else { L.arith = null; L.valid = false; showErrors(r.data.errors || {form: r.data.error || String(r.status)}); }
  showArith();
  return L.valid;
}
function lrToSlider() {
  const v = parseFloat($("f-lr").value);
  if (v > 0 && Number.isFinite(v)) $("lr-slider").value = String(Math.log10(v));
}
function sliderToLr() {
  const v = Math.pow(10, parseFloat($("lr-slider").value));
  $("f-lr").value = String(+v.toPrecision(2));
}
function setForm(values) {
  for (const [k, v] of Object.entries(values)) { const el = $("f-" + k); if (el) el.value = v === null || v === undefined ? "" : String(v); }
  lrToSlider();
}

/* ---- jobs and their streams --------------------------------------------------------------------- */
async function start(path, body, kind, onEvent) {
  const r = await api(path, body);
  if (!r.ok) return r;
  const job = {...r.data, kind, onEvent};
  L.jobs[job.id] = job;
  follow(job);
  renderStatus();
  return r;
}
function follow(job) {
  const source = new EventSource(`/api/jobs/${job.id}/events`);
  job.source = source;
  source.onmessage = e => {
    const ev = JSON.parse(e.data);
    if (ev.t === "state") { job.state = ev.state; job.position = ev.position; }
    if (ev.t === "end") { job.state = ev.state; job.error = ev.error; job.result = ev.result; source.close(); }
    job.onEvent(job, ev);
    renderStatus();
  };
  source.addEventListener("closing", () => source.close());
}
function activeTrainJobs() { return Object.values(L.jobs).filter(j => j.kind === "train" && ["queued", "running"].includes(j.state)); }

/* ---- training runs ------------------------------------------------------------------------------- */
function runOf(job, member) { return L.runs.find(r => r.job === job.id && r.member === member); }
function onTrainEvent(job, ev) {
  if (ev.t === "members") {
    for (const m of ev.runs) {
      L.runs.push({key: `${job.id}:${m.run}`, job: job.id, member: m.run, label: m.label, setup: m.setup,
                   color: Charts.PALETTE[L.colors++ % Charts.PALETTE.length], steps: [], epochs: [],
                   status: null, statusText: null, summary: null, diverged: null, divergedText: null,
                   boundary: null, grid: null, total: 0, epochsPlanned: m.setup.hparams.epochs, samples: 0, metric: null});
    }
    renderRuns();
    return;
  }
  const run = ev.run === undefined ? null : runOf(job, ev.run);
  if (!run) return;
  if (ev.t === "member") { run.boundary = ev.boundary; if (ev.boundary) { L.shown = run; drawBoundary(); } }
  else if (ev.t === "member_start") {
    Object.assign(run, {total: ev.total_steps, spe: ev.steps_per_epoch, epochsPlanned: ev.epochs, metric: ev.metric, status: "running"});
    if (ev.population) job.population = true;
    L.current = run;
    showMetricNames();
  } else if (ev.t === "step") {
    run.steps.push([ev.step, ev.loss]); run.samples = ev.samples; L.current = run;
    drawSteps(); renderCounters();
  } else if (ev.t === "steps") {  // a population member's steps of one epoch, sent together
    ev.losses.forEach((loss, i) => run.steps.push([ev.first + i, loss]));
    run.samples = ev.samples; L.current = run;
    drawSteps(); renderCounters();
  } else if (ev.t === "epoch") {
    run.epochs.push(ev);
    if (ev.boundary) run.grid = ev.boundary;
    drawEpochs(); drawBoundary(); renderCounters();
  } else if (ev.t === "member_end") {
    Object.assign(run, {status: ev.status, statusText: ev.status_text, summary: ev.summary, diverged: ev.diverged,
                        divergedText: ev.diverged_text});
    if (ev.diverged) run.steps = run.steps.filter(([s]) => s <= ev.diverged.step);
    drawSteps(); drawEpochs(); renderRuns(); renderCounters();
  }
  if (["member_start", "epoch"].includes(ev.t)) renderRuns();
}
async function train(vary) {
  if (!(await validate())) return;
  const body = {form: formValues()};
  if (vary) body.vary = vary;
  const r = await start("/api/runs", body, "train", onTrainEvent);
  if (!r.ok) showErrors(r.data.errors || {form: both(r.data.text) || r.data.error});
}
async function stopRuns() {
  for (const job of activeTrainJobs().reverse()) await api(`/api/jobs/${job.id}/stop`, {});
}

/* ---- drawing --------------------------------------------------------------------------------------- */
let stepChart, lossChart, metricChart, boundaryMap, rangeChart, contourMap;
function drawSteps() {
  const marks = L.runs.filter(r => r.diverged).map(r => ({x: r.diverged.step, color: r.color, label: "✕", dash: true}));
  stepChart.set(L.runs.map(r => ({color: r.color, points: r.steps, width: 1.2})), marks);
}
function drawEpochs() {
  const loss = [], metric = [];
  for (const r of L.runs) {
    loss.push({color: r.color, points: r.epochs.map(e => [e.epoch, e.val_loss]), dots: true, width: 2});
    loss.push({color: r.color, points: r.epochs.map(e => [e.epoch, e.train_loss]), dash: true, alpha: 0.8});
    metric.push({color: r.color, points: r.epochs.map(e => [e.epoch, e.val_metric]), dots: true, width: 2});
    metric.push({color: r.color, points: r.epochs.map(e => [e.epoch, e.train_metric]), dash: true, alpha: 0.8});
  }
  lossChart.set(loss);
  metricChart.set(metric);
}
function drawBoundary() {
  const run = L.shown;
  $("boundary-figure").hidden = !(run && run.boundary);
  if (!run || !run.boundary) return;
  const b = run.boundary;
  boundaryMap.set({grid: run.grid, n: b.n, xlim: b.x, ylim: b.y, points: b.points});
}
function renderCounters() {
  const r = L.current;
  if (!r) { $("counters").textContent = ""; return; }
  const step = r.steps.length ? r.steps[r.steps.length - 1][0] : 0;
  const epoch = r.spe ? Math.min(r.epochsPlanned, Math.floor(Math.max(0, step - 1) / r.spe) + (step ? 1 : 0)) : 0;
  $("counters").textContent = `${runLabel(r)}: ` + tr("lab.counters", {step, total: r.total || "?", epoch, epochs: r.epochsPlanned,
                                                                    samples: r.samples.toLocaleString()});
  $("counters").dataset.step = String(step);
}
function renderStatus() {
  const jobs = Object.values(L.jobs).filter(j => j.kind === "train");
  const active = activeTrainJobs();
  $("stop").disabled = active.length === 0;
  const job = active[active.length - 1] || jobs[jobs.length - 1];
  const el = $("status");
  if (!job) { el.textContent = ""; el.dataset.state = ""; return; }
  let text = job.state === "queued" ? tr("lab.state.queued", {ahead: job.position || 0}) : tr("lab.state." + job.state);
  if (job.error) text += ": " + job.error;
  if (job.population) text += ` (${tr("lab.population")})`;
  el.textContent = `${jobLabel(job)}: ${text}`;
  el.dataset.population = job.population ? "true" : "false";
  el.dataset.state = job.state;
  el.dataset.job = job.id;
  const diverged = L.runs.filter(r => r.divergedText).map(r => `${runLabel(r)}: ${both(r.divergedText)}`);
  $("diverged").textContent = diverged.join(" · ");
}
function renderRuns() {
  const body = $("runs").tBodies[0];
  $("no-runs").hidden = L.runs.length > 0;
  body.replaceChildren(...L.runs.map(r => {
    const tr_ = document.createElement("tr");
    tr_.dataset.key = r.key;
    if (L.shown === r) tr_.className = "shown";
    const swatch = document.createElement("span"); swatch.className = "swatch"; swatch.style.background = r.color;
    const last = r.epochs[r.epochs.length - 1];
    const s = r.summary || {};
    const metric = s.final_val_metric !== undefined ? s.final_val_metric : (last ? last.val_metric : null);
    const loss = s.final_val_loss !== undefined ? s.final_val_loss : (last ? last.val_loss : null);
    const status = r.statusText ? both(r.statusText) : (r.status ? tr("lab.state." + r.status) : tr("lab.state.queued", {ahead: "…"}));
    const state = document.createElement("span"); state.textContent = status;
    if (r.divergedText) {  // why it diverged: its own line, wrapped, so the numbers beside it stay in view
      const why = document.createElement("span"); why.className = "why"; why.textContent = both(r.divergedText);
      state.append(why);
    }
    const cells = [swatch, runLabel(r), state, num(metric), num(loss),
                   String(r.steps.length ? r.steps[r.steps.length - 1][0] : 0)];
    for (const [i, c] of cells.entries()) {
      const td = document.createElement("td");
      if (c instanceof Node) td.append(c); else td.textContent = c;
      if (i === 1) td.className = "label";
      if (i === 2) td.className = "outcome";
      tr_.append(td);
    }
    const actions = document.createElement("td");
    if (r.boundary) {
      const show = document.createElement("button"); show.textContent = tr("lab.show_boundary"); show.className = "show";
      show.onclick = () => { L.shown = r; drawBoundary(); renderRuns(); };
      actions.append(show, " ");
    }
    const remove = document.createElement("button"); remove.textContent = "×"; remove.title = tr("lab.remove");
    remove.className = "remove"; remove.setAttribute("aria-label", tr("lab.remove"));
    remove.onclick = () => removeRun(r);
    actions.append(remove);
    tr_.append(actions);
    return tr_;
  }));
}
function removeRun(run) {
  L.runs = L.runs.filter(r => r !== run);
  if (L.shown === run) L.shown = L.runs.filter(r => r.boundary).pop() || null;
  if (L.current === run) L.current = L.runs[L.runs.length - 1] || null;
  drawSteps(); drawEpochs(); drawBoundary(); renderRuns(); renderCounters(); renderStatus();
}

/* ---- LR range test --------------------------------------------------------------------------------- */
async function rangeTest() {
  if (!(await validate())) return;
  $("range-err").textContent = ""; L.range = null; renderRange();
  const bar = $("range-progress"); bar.hidden = false; bar.removeAttribute("value");
  const r = await start("/api/lr-find", {form: formValues()}, "lr_find", (job, ev) => {
    if (ev.t === "progress" && ev.total) { bar.max = ev.total; bar.value = ev.done; }
    if (ev.t === "end") {
      bar.hidden = true;
      if (ev.state === "done") { L.range = ev.result; renderRange(); }
      else $("range-err").textContent = ev.error || tr("lab.state." + ev.state);
    }
  });
  if (!r.ok) { bar.hidden = true; $("range-err").textContent = Object.values(r.data.errors || {}).join(" ") || both(r.data.text) || r.data.error; }
}
function renderRange() {
  const res = L.range;
  $("range-figure").hidden = !res; $("use-lr").hidden = !res;
  if (!res) { $("range-verdict").textContent = ""; $("range-expl").replaceChildren(); return; }
  const raw = res.lrs.map((x, i) => [x, res.losses[i]]), smooth = res.lrs.map((x, i) => [x, res.smoothed[i]]);
  const colors = {steepest: "#ff7f0e", valley: "#2ca02c", min_div_10: "#d62728"};
  const marks = Object.entries(res.suggestions).filter(([, v]) => v).map(([rule, v]) =>
    ({x: v, color: colors[rule] || "#333", width: rule === res.rule ? 2.5 : 1.2, dash: rule !== res.rule}));
  rangeChart.set([{color: "#b5b5b5", points: raw, width: 1}, {color: "#1f77b4", points: smooth, width: 2}], marks);
  const rule = both(res.rule_names[res.rule]);
  $("range-verdict").textContent = tr("lrf.verdict", {rule, lr: (+res.suggested_lr).toPrecision(3)});
  $("range-expl").replaceChildren(...(res.explanation[L.lang] || res.explanation.en).map(line => {
    const li = document.createElement("li"); li.textContent = line; return li; }));
  $("use-lr").textContent = tr("lab.use_lr", {lr: (+res.suggested_lr).toPrecision(2)});
}

/* ---- advice ------------------------------------------------------------------------------------------ */
async function adviseRun() {
  if (!(await validate())) return;
  $("advise-err").textContent = ""; L.advice = null; renderAdvice();
  const bar = $("advise-progress"); bar.hidden = false;
  const r = await start("/api/advise", {form: formValues(), budget_seconds: $("f-budget").value, lang: L.lang}, "advise", (job, ev) => {
    if (ev.t === "stage") $("advise-stage").textContent = tr("lab.stage", {stage: tr(ev.stage)});
    if (ev.t === "end") {
      bar.hidden = true; $("advise-stage").textContent = "";
      if (ev.state === "done") { L.advice = ev.result; renderAdvice(); }
      else $("advise-err").textContent = ev.error || tr("lab.state." + ev.state);
    }
  });
  if (!r.ok) { bar.hidden = true; $("advise-err").textContent = Object.values(r.data.errors || {}).join(" ") || both(r.data.text) || r.data.error; }
}
function renderAdvice() {
  const a = L.advice;
  $("advice").hidden = !a; $("train-these").hidden = !a;
  if (!a) { $("advice-notes").replaceChildren(); return; }
  $("advice").tBodies[0].replaceChildren(...["batch_size", "lr", "optimizer", "epochs"].map(k => {
    const row = document.createElement("tr");
    const evidence = a.evidence[L.lang] || a.evidence.en;  // made in every language: follows the switch
    const value = k === "lr" ? String(+(+a.values[k]).toPrecision(3)) : String(a.values[k]);  // 0.178, not 0.17782794100389235
    for (const text of [tr(k), value, evidence[k] || ""]) { const td = document.createElement("td"); td.textContent = text; row.append(td); }
    row.lastChild.className = "label";
    return row;
  }));
  $("advice-notes").replaceChildren(...(a.notes[L.lang] || a.notes.en).map(n => { const li = document.createElement("li"); li.textContent = n; return li; }));
}
async function trainThese() {
  const hp = L.advice.hparams;
  setForm({batch_size: hp.batch_size, lr: hp.lr, epochs: hp.epochs, optimizer: hp.optimizer, momentum: hp.momentum,
           alpha: hp.alpha, betas: hp.betas ? hp.betas.join(",") : "", eps: hp.eps, weight_decay: hp.weight_decay});
  await train();
}

/* ---- optimizer paths ---------------------------------------------------------------------------------- */
// starting rates that show each optimizer's character on the elongated valley in 100 steps
const PATH_LRS = {sgd: 0.3, momentum: 0.03, nesterov: 0.03, rmsprop: 0.03, adagrad: 0.3, adam: 0.1, adamw: 0.1};
function buildPathChoices() {
  $("path-choices").replaceChildren(...L.meta.optimizers.map(name => {
    const label = document.createElement("label");
    const box = document.createElement("input"); box.type = "checkbox"; box.value = name; box.id = "path-" + name;
    box.checked = ["sgd", "momentum", "adam"].includes(name);
    const lr = document.createElement("input"); lr.type = "text"; lr.inputMode = "decimal"; lr.value = PATH_LRS[name] || 0.01;
    lr.id = "path-lr-" + name; lr.setAttribute("aria-label", name + " lr");
    label.append(box, name, lr);
    return label;
  }));
}
let pathAnimation = null;
async function drawPaths() {
  $("paths-err").textContent = "";
  const runs = L.meta.optimizers.filter(n => $("path-" + n).checked).map(n => ({optimizer: n, lr: $("path-lr-" + n).value}));
  const r = await api("/api/paths", {surface: $("f-surface").value, steps: $("f-path-steps").value, runs});
  if (!r.ok) { $("paths-err").textContent = Object.values(r.data.errors || {}).join(" ") || r.data.error; return; }
  L.pathsData = r.data;
  const d = r.data;
  const paths = d.paths.map((p, i) => ({...p, color: Charts.PALETTE[i % Charts.PALETTE.length]}));
  L.pathsData.colored = paths;
  const longest = Math.max(...paths.map(p => p.points.length));
  const marks = [{x: d.minimum[0], y: d.minimum[1], symbol: "★", color: "#fff"}, {x: d.start[0], y: d.start[1], symbol: "●", color: "#fff"}];
  contourMap.set({grid: d.z, n: d.n, xlim: d.xlim, ylim: d.ylim, points: [], paths, marks, shown: 0});
  renderPathLegend();
  cancelAnimationFrame(pathAnimation);
  const started = performance.now(), seconds = 2.5;
  const frame = now => {
    const shown = Math.ceil(Math.min(1, (now - started) / 1000 / seconds) * longest);
    contourMap.set({shown});
    if (shown < longest) pathAnimation = requestAnimationFrame(frame);
  };
  pathAnimation = requestAnimationFrame(frame);
}
function renderPathLegend() {
  const d = L.pathsData;
  if (!d || !d.colored) { $("path-legend").replaceChildren(); return; }
  $("path-legend").replaceChildren(...d.colored.map(p => {
    const li = document.createElement("li");
    const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = p.color;
    li.append(sw, " ", both(p.text));
    return li;
  }));
}

/* ---- lessons ------------------------------------------------------------------------------------------ */
async function lessonRun() {
  if (!(await validate())) return;
  $("lesson-err").textContent = ""; $("report-link").hidden = true;
  const bar = $("lesson-progress"); bar.hidden = false; bar.value = 0;
  const r = await start("/api/lessons", {form: formValues(), lesson: $("f-lesson").value, budget: $("f-lesson-budget").value,
                                         lang: L.lang}, "lesson", (job, ev) => {
    if (ev.t === "lesson") { $("lesson-state").textContent = tr("lab.lesson_title." + ev.lesson); bar.max = Math.max(1, ev.total); bar.value = 0; }
    if (ev.t === "progress" && ev.total) { bar.max = ev.total; bar.value = ev.done; }
    if (ev.t === "state") $("lesson-state").textContent = ev.state === "queued" ? tr("lab.state.queued", {ahead: ev.position || 0}) : tr("lab.state." + ev.state);
    if (ev.t === "end") {
      bar.hidden = true; $("lesson-state").textContent = tr("lab.state." + ev.state);
      if (ev.state === "done") { const a = $("report-link"); a.href = ev.result.report; a.hidden = false; }
      else if (ev.error) $("lesson-err").textContent = ev.error;
    }
  });
  if (!r.ok) { bar.hidden = true; $("lesson-err").textContent = Object.values(r.data.errors || {}).join(" ") || both(r.data.text) || r.data.error; }
}

/* ---- start ---------------------------------------------------------------------------------------------- */
async function main() {
  const r = await api("/api/meta");
  L.meta = r.data;
  L.texts = r.data.texts;
  let saved = null;
  try { saved = localStorage.getItem("hyperlab-lang"); } catch (e) { /* private mode */ }
  L.lang = L.meta.langs.includes(saved) ? saved : ((navigator.language || "").startsWith("ko") ? "ko" : "en");
  fillSelect($("f-dataset"), L.meta.datasets.map(d => [d.id, d.name]));
  fillSelect($("f-optimizer"), L.meta.optimizers.map(o => [o, o]));
  applyTexts();  // fills the translated menus (model, surface, lessons) before the defaults are set
  setForm(L.meta.defaults);
  $("f-surface").value = "valley";
  stepChart = new Charts.LineChart($("chart-step"));
  lossChart = new Charts.LineChart($("chart-epoch-loss"));
  metricChart = new Charts.LineChart($("chart-epoch-metric"));
  boundaryMap = new Charts.Heatmap($("boundary"));
  rangeChart = new Charts.LineChart($("chart-range"), {xlog: true});
  contourMap = new Charts.Heatmap($("contour"), "levels");
  buildPathChoices();
  for (const b of document.querySelectorAll(".lang button")) b.onclick = () => setLang(b.dataset.lang);
  for (const el of document.querySelectorAll("#setup input, #setup select")) {
    if (["f-upload", "f-label", "f-task", "f-features", "lr-slider"].includes(el.id)) continue;
    el.addEventListener("input", scheduleValidate);
    el.addEventListener("change", scheduleValidate);
  }
  $("f-lr").addEventListener("input", lrToSlider);
  $("lr-slider").addEventListener("input", () => { sliderToLr(); scheduleValidate(); });
  $("f-upload").addEventListener("change", upload);
  $("train").onclick = () => train();
  $("stop").onclick = stopRuns;
  $("try-lr").onclick = () => train("lr");
  $("try-opt").onclick = () => train("optimizer");
  $("range-run").onclick = rangeTest;
  $("use-lr").onclick = () => { setForm({lr: (+L.range.suggested_lr).toPrecision(2)}); validate(); };
  $("advise-run").onclick = adviseRun;
  $("train-these").onclick = trainThese;
  $("paths-run").onclick = drawPaths;
  $("lesson-run").onclick = lessonRun;
  await validate();
  document.body.dataset.ready = "true";
}
async function upload() {
  const file = $("f-upload").files[0];
  if (!file) return;
  $("upload-msg").textContent = "";
  const params = new URLSearchParams({filename: file.name, label: $("f-label").value, task: $("f-task").value,
                                     features: $("f-features").value});
  const r = await fetch("/api/upload?" + params, {method: "POST", headers: {"content-type": "text/csv"}, body: file});
  let data = {};
  try { data = await r.json(); } catch (e) { /* no body */ }
  if (!r.ok) { showErrors(data.errors || {upload: data.error || String(r.status)}); return; }
  for (const name of ["upload", "label", "task", "features", "dataset"]) {  // this upload's own slots: it worked
    document.querySelector(`[data-err=${name}]`).textContent = "";
    if ($("f-" + name)) $("f-" + name).setAttribute("aria-invalid", "false");
  }
  L.meta.datasets = data.datasets;
  fillSelect($("f-dataset"), L.meta.datasets.map(d => [d.id, d.name]));
  $("f-dataset").value = data.dataset;
  $("upload-msg").textContent = both(data.text);
  validate();
}
document.addEventListener("DOMContentLoaded", main);
