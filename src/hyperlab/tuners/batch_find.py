"""Batch-size finder: throughput and measured peak memory for growing batch sizes, the largest batch
within a memory budget, the point where throughput stops rising, and the critical batch size; and
when the batch wanted (``target_batch``, or the critical batch size) is larger than what fits, the
accumulation and process counts that reach it with its learning rate (``batch_reach``).

Each batch size is probed with a few real steps through ``hyperlab.engine.fit`` (a callback stops
after k steps and times them; the batch size probed is the micro-batch, run ``accumulate`` times per
step with the settings' precision, clipping and compile); the trainer measures peak memory (``history.peak_memory``: torch's
MemTracker on CPU, the CUDA allocator's peak on a GPU). Batch sizes double until one does not fit
(or the training set is reached), then a binary search narrows the limit.

    >>> result = batch_find("logistic", "wine", memory_limit="1MB", probe_steps=2, noise=False)
    >>> result.suggested_batch_size <= result.largest_fitting
    True
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, Run, StopAfter
from hyperlab.engine.memory import CUDA_METHOD, DISPATCH_METHOD, human_bytes, parse_bytes
from hyperlab.errors import ConfigError, HyperlabError, check_out_dir
from hyperlab.hparams import HParams
from hyperlab.i18n import t
from hyperlab.models import ModelSpec
from hyperlab.tuners.common import (
    Deadline,
    Subject,
    TunerSetup,
    as_subject,
    check_float,
    check_int,
    log_axis,
    plot_path,
    preserved,
)
from hyperlab.tuners.batch_reach import BatchReach, auto_target, reach_batch
from hyperlab.tuners.batch_reach import explain as explain_reach
from hyperlab.tuners.noise_scale import CHUNK, NoiseScaleResult, noise_scale
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.display import TunerDisplay

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GPU_SAFETY_MARGIN = 0.2  # a batch that fits a few probe steps can still run out in real training
CPU_SAFETY_MARGIN = 0.1
METHOD_TEXT = {DISPATCH_METHOD: "bf.method.dispatch", CUDA_METHOD: "bf.method.cuda"}  # how peaks were measured
@dataclass
class Probe:
    """One batch size: throughput of its timed steps and its measured peak memory."""

    batch_size: int
    samples_per_second: float | None
    peak_bytes: int | None
    fits: bool
    out_of_memory: bool
    timed_steps: int
    seconds: float
    method: str = ""


@dataclass(repr=False)
class BatchFindResult(TunerDisplay):
    """Probes and the three limits; ``suggested_batch_size`` is the smallest, as a power of two."""

    probes: list[Probe]
    largest_fitting: int
    throughput_plateau: int | None
    critical_batch_size: float | None
    suggested_batch_size: int
    binding: str  # which limit decided: fits, plateau or critical
    memory_limit: int | None
    safety_margin: float
    device: str
    memory_method: str = ""
    noise: NoiseScaleResult | None = None
    reach: BatchReach | None = None  # how to reach the target (or critical) batch when it does not fit
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)
    plateau_tolerance: float = 0.1  # what the explanation's "plateau" means

    @property
    def steps_run(self) -> int:
        return sum(p.timed_steps + 1 for p in self.probes)

    @property
    def samples_run(self) -> int:
        return sum((p.timed_steps + 1) * p.batch_size for p in self.probes)

    def to_dict(self) -> dict[str, Any]:
        return {"suggested_batch_size": self.suggested_batch_size, "largest_fitting": self.largest_fitting,
                "throughput_plateau": self.throughput_plateau, "critical_batch_size": self.critical_batch_size,
                "binding": self.binding, "memory_limit_bytes": self.memory_limit,
                "safety_margin": self.safety_margin, "device": self.device, "memory_method": self.memory_method,
                "probes": [asdict(p) for p in self.probes],
                "noise_scale": self.noise.to_dict() if self.noise else None,
                "reach": self.reach.to_dict() if self.reach else None,
                "plot": str(self.plot) if self.plot else None, "explanation": self.explanation}


class StepTimer(Callback):
    """Wall time and samples of every step after the first (the first includes memory tracking); a
    step's samples are the effective batch (the epoch's last step may be short)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.samples: list[int] = []
        self._last: float | None = None

    def on_step_end(self, run: Run, loss: float) -> None:
        now = time.perf_counter()
        if self._last is not None:
            position = (run.step - 1) % run.history.steps_per_epoch
            b = run.history.effective_batch  # samples per step: micro-batch x accumulate x processes
            self.seconds.append(now - self._last)
            self.samples.append(b if run.hparams.drop_last else min(b, run.history.n_train - position * b))
        self._last = now

    def on_epoch_end(self, run: Run) -> None:
        self._last = time.perf_counter()  # the validation pass is not part of a step


def is_out_of_memory(exc: BaseException | None) -> bool:
    """True if ``exc`` or what caused it is a CUDA out-of-memory error."""
    while exc is not None:
        if isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def gpu_memory_budget(device: torch.device) -> int:
    """What this process may use on the GPU: free memory plus what it already holds."""
    free, _total = torch.cuda.mem_get_info(device)
    return int(free + torch.cuda.memory_allocated(device))


def probe(subject: Subject, hp: HParams, batch_size: int, steps: int, usable: int | None,
          deadline: float | None = None, callbacks: Sequence[Callback] = ()) -> Probe:
    """Run ``steps`` timed steps (plus a first, memory-measured one) at ``batch_size``."""
    spe = hp.replace(batch_size=batch_size).steps_per_epoch(subject.data.n_train)
    hp = hp.replace(batch_size=batch_size, epochs=math.ceil((steps + 1) / spe), early_stopping=False,
                    schedule="constant", warmup_steps=0)
    timer = StepTimer()
    model = subject.model(hp.seed)
    started = time.perf_counter()
    with preserved(model):
        try:
            result = subject.fit(model, hp, [timer, StopAfter(steps + 1), Deadline(deadline), *callbacks],
                                 measure_memory=True, diverge_factor=math.inf)
        except (torch.cuda.OutOfMemoryError, HyperlabError, RuntimeError) as exc:
            if not is_out_of_memory(exc):
                raise
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return Probe(batch_size, None, None, False, True, 0, time.perf_counter() - started)
    peak = result.history.peak_memory.get("peak_bytes")
    throughput = sum(timer.samples) / sum(timer.seconds) if timer.seconds and sum(timer.seconds) > 0 else None
    fits = usable is None or (peak is not None and peak <= usable)
    return Probe(batch_size, throughput, peak, fits, False, len(timer.seconds), time.perf_counter() - started,
                 str(result.history.peak_memory.get("method", "")))


def batch_find(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
               hparams: HParams | dict[str, Any] | None = None, *, start: int = 4, max_batch: int | None = None,
               memory_limit: str | int | None = None, safety_margin: float | None = None, probe_steps: int = 8,
               plateau_tolerance: float = 0.1, resolution: float = 0.125, noise: bool = True,
               noise_options: dict[str, Any] | None = None, target_batch: int | None = None,
               out: str | Path | None = None, lang: str = "en", setup: TunerSetup | None = None,
               deadline: float | None = None, callbacks: Sequence[Callback] = ()) -> BatchFindResult:
    """Find the batch size: what fits the memory budget, where throughput stops rising, and the
    critical batch size from the gradient noise scale; recommend the smallest of the three.

    ``memory_limit`` ('64MB', bytes) is the budget on CPU; on a GPU the device's free memory is
    used. ``safety_margin`` (default 10% on CPU, 20% on GPU) is kept free of the measured peak.
    The batch sizes probed are micro-batches (``hparams.accumulate`` of them per step; at most
    N / accumulate). ``target_batch`` (default: the critical batch size when it is more than fits)
    is the effective batch wanted: ``result.reach`` says which ``--accumulate`` and process counts
    reach it and its learning rate (``scale_lr`` from ``hparams.lr`` at ``hparams``' effective batch).
    Example: ``batch_find("mlp", "digits", memory_limit="2MB").suggested_batch_size``.
    """
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    n = subject.data.n_train
    most = max(1, n // hp.accumulate)  # the largest micro-batch whose step fits in the training set
    within = "at most the training set size" + (f" / accumulate ({n} / {hp.accumulate})" if hp.accumulate > 1 else "")
    max_batch = most if max_batch is None else check_int("max_batch", max_batch, 1, most, within)
    if target_batch is not None:
        target_batch = check_int("target_batch", target_batch, 1, n, "at most the training set size")
    start = check_int("start", start, 1, max_batch, f"at most max_batch ({max_batch})")
    probe_steps = check_int("probe_steps", probe_steps, 1, 1000)
    plateau_tolerance = check_float("plateau_tolerance", plateau_tolerance, low=0.0, high=0.9)
    resolution = check_float("resolution", resolution, low=0.0, high=1.0)
    gpu = subject.torch_device.type == "cuda"
    margin = check_float("safety_margin", GPU_SAFETY_MARGIN if gpu else CPU_SAFETY_MARGIN
                         if safety_margin is None else safety_margin, low=0.0, low_open=False, high=0.9)
    limit = parse_bytes(memory_limit)
    if gpu and limit is None:
        limit = gpu_memory_budget(subject.torch_device)
    usable = None if limit is None else int(limit * (1 - margin))

    probes: dict[int, Probe] = {}

    def run(b: int) -> Probe:
        probes[b] = probe(subject, hp, b, probe_steps, usable, deadline, callbacks)
        return probes[b]

    b, ok, failed = start, None, None
    while True:  # doubling
        if not run(b).fits:
            failed = b
            break
        ok = b
        if b == max_batch or (deadline is not None and time.perf_counter() > deadline):
            break
        b = min(2 * b, max_batch)
    if ok is None:
        first = probes[start]
        what = "ran out of memory" if first.out_of_memory else f"needs {human_bytes(first.peak_bytes)}"
        raise ConfigError("memory_limit", memory_limit if memory_limit is not None else human_bytes(limit),
                          f"is too small to measure anything: batch size {start} {what}, more than the "
                          f"{human_bytes(usable)} left after the {margin:.0%} safety margin")
    while failed is not None and failed - ok > max(1, int(ok * resolution)):  # binary search at the limit
        if deadline is not None and time.perf_counter() > deadline:
            break
        mid = (ok + failed) // 2
        if run(mid).fits:
            ok = mid
        else:
            failed = mid

    measured = sorted((p for p in probes.values() if p.fits and p.samples_per_second), key=lambda p: p.batch_size)
    plateau = None
    if measured:
        best = max(p.samples_per_second for p in measured)  # type: ignore[type-var]
        plateau = next(p.batch_size for p in measured if p.samples_per_second >= (1 - plateau_tolerance) * best)
    noise_result = None
    if noise:
        # inside the memory limit too: its warm-up trains at a batch that fitted, its gradients are
        # summed over chunks no larger than the largest batch that fitted
        noise_result = noise_scale(subject, hparams=hp.replace(batch_size=min(hp.batch_size, ok)), deadline=deadline,
                                   callbacks=callbacks, out=out, lang=lang,
                                   **{"chunk": min(CHUNK, ok), **(noise_options or {})})
    critical = noise_result.b_simple if noise_result else None
    limits = {"fits": float(ok)}
    if plateau is not None:
        limits["plateau"] = float(plateau)
    if critical is not None:
        limits["critical"] = max(critical, 1.0)
    binding = min(limits, key=limits.get)  # type: ignore[arg-type]
    suggested = max(1, 2 ** int(math.floor(math.log2(limits[binding]))))
    result = BatchFindResult(sorted(probes.values(), key=lambda p: p.batch_size), ok, plateau, critical,
                             suggested, binding, limit, margin, str(subject.torch_device),
                             next((p.method for p in probes.values() if p.method), ""), noise_result)
    target, source = (target_batch, "target") if target_batch is not None else (auto_target(critical, ok, n),
                                                                                "critical")
    if target is not None:
        result.reach = reach_batch(target, ok, lr=hp.lr, from_batch=hp.effective_batch(), optimizer=hp.optimizer,
                                   n_train=n, epochs=hp.epochs, source=source,
                                   critical_batch_size=critical if critical and critical > 0 else None)
    result.explanation = explain(result, plateau_tolerance, lang)
    result.lang = lang  # the language its notebook display uses
    result.plateau_tolerance = plateau_tolerance
    path = plot_path(out, "batch_find.png")
    if path is not None:
        result.plot = plot_batch_find(result, path, lang=lang)
    return result


def explain(result: BatchFindResult, tolerance: float, lang: str = "en") -> list[str]:
    """Sentences computed from the probes."""
    timed = [p for p in result.probes if p.samples_per_second]
    lines = []
    if timed:
        best = max(timed, key=lambda p: p.samples_per_second)  # type: ignore[arg-type, return-value]
        peaks = [p.peak_bytes for p in result.probes if p.peak_bytes is not None]
        lines.append(t("bf.measured", lang, n=len(result.probes), lo=result.probes[0].batch_size,
                       hi=result.probes[-1].batch_size, k=max(p.timed_steps for p in result.probes),
                       tp_lo=timed[0].samples_per_second, tp_best=best.samples_per_second, best_b=best.batch_size,
                       mem_lo=human_bytes(min(peaks) if peaks else None),
                       mem_hi=human_bytes(max(peaks) if peaks else None),
                       method=t(METHOD_TEXT[result.memory_method], lang) if result.memory_method in METHOD_TEXT
                       else result.memory_method or "?"))
    if result.memory_limit is None:
        lines.append(t("bf.no_limit", lang, b=result.largest_fitting))
    else:
        largest = next(p for p in result.probes if p.batch_size == result.largest_fitting)
        too_big = [p for p in result.probes if not p.fits]
        beyond = ""
        if too_big:
            first = min(too_big, key=lambda p: p.batch_size)
            beyond = t("bf.oom", lang, b=first.batch_size) if first.out_of_memory else \
                t("bf.beyond", lang, b=first.batch_size, peak=human_bytes(first.peak_bytes))
        lines.append(t("bf.fit_limit", lang, limit=human_bytes(result.memory_limit), margin=result.safety_margin,
                       usable=human_bytes(result.memory_limit * (1 - result.safety_margin)),
                       b=result.largest_fitting, peak=human_bytes(largest.peak_bytes), beyond=beyond))
    fitting = [p for p in timed if p.fits]
    if result.throughput_plateau is not None and fitting:
        best_tp = max(p.samples_per_second for p in fitting)  # type: ignore[type-var]
        at = next(p for p in fitting if p.batch_size == result.throughput_plateau)
        lines.append(t("bf.plateau_at", lang, b=result.throughput_plateau, share=at.samples_per_second / best_tp,
                       tol=tolerance))
    if result.noise is not None:
        lines += result.noise.explanation
        lines.append(t("bf.critical_none", lang) if result.critical_batch_size is None
                     else t("bf.critical_at", lang, b=result.critical_batch_size))
    value = {"fits": result.largest_fitting, "plateau": result.throughput_plateau,
             "critical": result.critical_batch_size}[result.binding]
    lines.append(t("bf.verdict", lang, b=result.suggested_batch_size, binding=t(f"bf.{result.binding}", lang),
                   value=f"{value:.1f}" if isinstance(value, float) else value))
    if result.reach is not None:
        lines.append(explain_reach(result.reach, lang))
    return lines


def plot_batch_find(result: BatchFindResult, path: Path, *, lang: str = "en") -> Path:
    """``batch_find_figure`` saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(batch_find_figure(result, lang=lang), path)


def batch_find_figure(result: BatchFindResult, *, lang: str = "en") -> Figure:
    """Throughput and peak memory against batch size (log axis), with the three limits marked."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    fig, (ax_tp, ax_mem) = subplots(1, 2, figsize=(11, 4))
    timed = [p for p in result.probes if p.samples_per_second]
    ax_tp.plot([p.batch_size for p in timed], [p.samples_per_second for p in timed], "o-")
    ax_tp.set_ylabel(t("bf.throughput", lang))
    with_mem = [p for p in result.probes if p.peak_bytes is not None]
    ax_mem.plot([p.batch_size for p in with_mem], [p.peak_bytes / 2**20 for p in with_mem], "o-", color="C4")
    for p in result.probes:
        if p.out_of_memory:
            ax_mem.axvline(p.batch_size, color="red", ls=":", label="OOM")
    if result.memory_limit is not None:
        ax_mem.axhline(result.memory_limit / 2**20, color="red", label=t("bf.limit", lang))
        ax_mem.axhline(result.memory_limit * (1 - result.safety_margin) / 2**20, color="red", ls="--", lw=0.8)
    ax_mem.set_ylabel(t("bf.memory", lang))
    marks = [("fits", result.largest_fitting, "C2"), ("plateau", result.throughput_plateau, "C1"),
             ("critical", result.critical_batch_size, "C3"), ("recommended", result.suggested_batch_size, "k")]
    for ax in (ax_tp, ax_mem):
        for key, value, color in marks:
            if value is not None:
                ax.axvline(value, color=color, lw=2 if key == "recommended" else 1,
                           ls="-" if key == "recommended" else "--", label=f"{t(f'bf.{key}', lang)}: {value:.0f}")
        log_axis(ax, "x", 2)
        ax.set_xlabel(t("batch_size", lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(t("bf.title", lang))
    return fig
