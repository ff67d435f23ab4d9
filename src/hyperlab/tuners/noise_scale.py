"""Gradient noise scale (McCandlish et al. 2018, "An Empirical Model of Large-Batch Training").

The expected squared norm of a batch gradient is ``E|G_B|^2 = |G|^2 + tr(Sigma) / B``: the true
gradient plus noise that shrinks with the batch size B. Measuring the mean of ``|G_B|^2`` at two
batch sizes gives unbiased estimates of both terms (their Appendix A)::

    |G|^2 ~ (B_big |G_big|^2 - B_small |G_small|^2) / (B_big - B_small)
    S     ~ (|G_small|^2 - |G_big|^2) / (1/B_small - 1/B_big)

and ``B_simple = S / |G|^2`` estimates the critical batch size: below it a doubled batch almost
halves the steps needed; well above it, larger batches stop paying off. This is a measurement of
gradients at fixed weights, not training (the optional warm-up training before it goes through
``fit``).

    >>> result = noise_scale("logistic", "wine", {"batch_size": 8}, pairs=8, train_steps=0)
    >>> result.small_batch, result.big_batch
    (8, 106)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import Dataset, TensorDataset

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, StopAfter
from hyperlab.engine.trainer import LossFn, check_model_fits
from hyperlab.engine.steps import loss_targets
from hyperlab.errors import ConfigError, check_out_dir
from hyperlab.hparams import HParams
from hyperlab.i18n import t
from hyperlab.models import ModelSpec
from hyperlab.tuners.common import Deadline, Subject, TunerSetup, as_subject, check_int, plot_path, preserved
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.display import TunerDisplay

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHUNK = 512  # samples per forward/backward when a big batch's gradient is accumulated (default)
BOOTSTRAP = 300


@dataclass(repr=False)
class NoiseScaleResult(TunerDisplay):
    """Squared gradient norms at two batch sizes and the critical batch size B_simple they imply."""

    small_batch: int
    big_batch: int
    small_sq_norms: list[float]
    big_sq_norms: list[float]
    true_grad_sq: float  # |G|^2 estimate
    trace_sigma: float  # tr(Sigma) estimate, S
    b_simple: float | None  # None when the signal is not measurable (|G|^2 <= 0)
    interval: tuple[float | None, float | None]  # 10th and 90th bootstrap percentiles (None = unbounded)
    train_steps: int
    samples: int  # samples whose gradients were computed
    chunk: int = CHUNK  # samples per forward/backward: a batch's gradient is accumulated over chunks
    batch_norm: bool = False  # the model normalises by batch statistics: chunks change the gradient
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def critical_batch_size(self) -> float | None:
        return self.b_simple

    def to_dict(self) -> dict[str, Any]:
        return {"critical_batch_size": self.b_simple, "b_simple": self.b_simple,
                "true_grad_sq": self.true_grad_sq, "trace_sigma": self.trace_sigma,
                "interval_10_90": list(self.interval), "small_batch": self.small_batch,
                "big_batch": self.big_batch, "pairs": len(self.small_sq_norms),
                "small_mean_sq_norm": float(np.mean(self.small_sq_norms)),
                "big_mean_sq_norm": float(np.mean(self.big_sq_norms)),
                "train_steps": self.train_steps, "samples": self.samples, "chunk": self.chunk,
                "plot": str(self.plot) if self.plot else None, "explanation": self.explanation}


def estimate(small: int, big: int, small_sq: Sequence[float], big_sq: Sequence[float]) -> tuple[float, float]:
    """McCandlish et al.'s unbiased (|G|^2, tr(Sigma)) from mean squared norms at two batch sizes."""
    s_mean, b_mean = float(np.mean(small_sq)), float(np.mean(big_sq))
    g2 = (big * b_mean - small * s_mean) / (big - small)
    trace = (s_mean - b_mean) / (1 / small - 1 / big)
    return g2, trace


def b_simple_of(g2: float, trace: float) -> float | None:
    """B_simple = tr(Sigma) / |G|^2, or None when the signal estimate is not positive."""
    return trace / g2 if g2 > 0 and trace > 0 else (None if g2 <= 0 else 0.0)


def take(dataset: Dataset, index: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
    """The samples at ``index`` as one batch (slicing for in-memory data, stacking otherwise)."""
    if isinstance(dataset, TensorDataset):
        X, y = dataset.tensors
        return X[index].to(device), y[index].to(device)
    items = [dataset[int(i)] for i in index]
    return (torch.stack([torch.as_tensor(x) for x, _ in items]).to(device),
            torch.stack([torch.as_tensor(y) for _, y in items]).to(device))


def batch_grad_sq_norm(model: nn.Module, loss_fn: LossFn, dataset: Dataset, index: Tensor,
                       device: torch.device, chunk: int = CHUNK) -> float:
    """|gradient of the mean loss over the samples at ``index``|^2, accumulated over passes of at most
    ``chunk`` samples, of near-equal sizes (no pass of a lone sample, which BatchNorm refuses)."""
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = None
    n = len(index)
    for piece in torch.tensor_split(index, math.ceil(n / chunk)):
        xb, yb = take(dataset, piece, device)
        out = model(xb)
        loss = loss_fn(out, loss_targets(out, yb)) * (len(xb) / n)
        loss.backward()
    grads = [p.grad for p in params if p.grad is not None]
    return float(sum(float(g.double().pow(2).sum()) for g in grads))


def noise_scale(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
                hparams: HParams | dict[str, Any] | None = None, *, small_batch: int | None = None,
                big_batch: int | None = None, pairs: int = 32, train_steps: int | None = None,
                chunk: int = CHUNK, out: str | Path | None = None, lang: str = "en",
                setup: TunerSetup | None = None, deadline: float | None = None,
                callbacks: Sequence[Callback] = ()) -> NoiseScaleResult:
    """Estimate the critical batch size B_simple from gradient norms at two batch sizes.

    The model first trains ``train_steps`` steps with ``hparams`` through ``fit`` (default: one
    epoch; the noise scale grows as training proceeds, and at initialisation it underestimates),
    then ``pairs`` gradients are measured at ``small_batch`` (default: the batch size) and at
    ``big_batch`` (default: the training set size, at most 1024), sampled with replacement. Each
    gradient is accumulated over forward/backward passes of at most ``chunk`` samples (the same
    gradient, less memory: ``batch_find`` passes the largest batch that fitted its memory limit).
    Example: ``noise_scale("mlp", "digits").b_simple``.
    """
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    n = subject.data.n_train
    hp.check_data_size(n)
    big = min(n, 1024) if big_batch is None else check_int("big_batch", big_batch, 2, n,
                                                          "at most the training set size")
    small = min(hp.batch_size, big // 2) if small_batch is None else \
        check_int("small_batch", small_batch, 1, big - 1, f"smaller than big_batch ({big})")
    if small < 1:
        raise ConfigError("big_batch", big, "must be at least 2 (twice the small batch)")
    pairs = check_int("pairs", pairs, 2, 10_000)
    chunk = check_int("chunk", chunk, 1, why="samples per forward/backward pass")
    spe = hp.steps_per_epoch(n)
    train_steps = spe if train_steps is None else check_int("train_steps", train_steps, 0)

    net = subject.model(hp.seed)
    with preserved(net):
        steps_done = 0
        if train_steps:
            epochs = math.ceil(train_steps / spe)
            result = subject.fit(net, hp.replace(epochs=epochs, early_stopping=False),
                                 [StopAfter(train_steps), Deadline(deadline), *callbacks], measure_memory=False)
            steps_done = result.history.steps_done
        device_ = next(net.parameters()).device
        generator = torch.Generator().manual_seed(hp.seed + 12_345)
        first = torch.randint(n, (small,), generator=generator)
        check_model_fits(net, subject.loss, *take(subject.data.train, first, device_))
        net.train()
        small_sq, big_sq = [], []
        for _ in range(pairs):
            small_sq.append(batch_grad_sq_norm(net, subject.loss, subject.data.train,
                                               torch.randint(n, (small,), generator=generator), device_, chunk))
            big_sq.append(batch_grad_sq_norm(net, subject.loss, subject.data.train,
                                             torch.randint(n, (big,), generator=generator), device_, chunk))
    g2, trace = estimate(small, big, small_sq, big_sq)
    result_ = NoiseScaleResult(small, big, small_sq, big_sq, g2, trace, b_simple_of(g2, trace),
                               bootstrap_interval(small, big, small_sq, big_sq, hp.seed), steps_done,
                               pairs * (small + big), chunk,
                               any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in net.modules()))
    result_.explanation = explain(result_, lang)
    result_.lang = lang  # the language its notebook display uses
    path = plot_path(out, "noise_scale.png")
    if path is not None:
        result_.plot = plot_noise_scale(result_, path, lang=lang)
    return result_


def bootstrap_interval(small: int, big: int, small_sq: Sequence[float], big_sq: Sequence[float],
                       seed: int) -> tuple[float | None, float | None]:
    """10th and 90th percentiles of B_simple over resampled measurement pairs (None = unbounded)."""
    rng = np.random.default_rng(seed)
    s, b = np.asarray(small_sq), np.asarray(big_sq)
    values = []
    for _ in range(BOOTSTRAP):
        idx = rng.integers(0, len(s), len(s))
        g2, trace = estimate(small, big, s[idx], b[idx])
        values.append(math.inf if g2 <= 0 else max(trace, 0.0) / g2)
    lo, hi = np.percentile(values, [10, 90])
    return (float(lo) if math.isfinite(lo) else None, float(hi) if math.isfinite(hi) else None)


def explain(result: NoiseScaleResult, lang: str = "en") -> list[str]:
    """Sentences computed from the measured norms."""
    lines = [t("ns.measured", lang, steps=result.train_steps, small_sq=float(np.mean(result.small_sq_norms)),
               small=result.small_batch, big_sq=float(np.mean(result.big_sq_norms)), big=result.big_batch,
               pairs=len(result.small_sq_norms))]
    if result.chunk < result.big_batch:
        lines.append(t("ns.chunked_batchnorm" if result.batch_norm else "ns.chunked", lang, big=result.big_batch,
                       chunk=result.chunk))
    if result.b_simple is None:
        lines.append(t("ns.noise_only", lang, g2=result.true_grad_sq, big=result.big_batch))
    else:
        lo, hi = result.interval
        lines.append(t("ns.result", lang, g2=result.true_grad_sq, s=result.trace_sigma, b=result.b_simple,
                       lo="?" if lo is None else f"{lo:.0f}", hi="∞" if hi is None else f"{hi:.0f}"))
    return lines


def plot_noise_scale(result: NoiseScaleResult, path: Path, *, lang: str = "en") -> Path:
    """``noise_scale_figure`` saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(noise_scale_figure(result, lang=lang), path)


def noise_scale_figure(result: NoiseScaleResult, *, lang: str = "en") -> Figure:
    """Mean |G_B|^2 against 1/B at both batch sizes, with the line |G|^2 + tr(Sigma)/B through them."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    fig, ax = subplots(figsize=(6.5, 4))
    xs = [1 / result.small_batch, 1 / result.big_batch]
    for x, values in zip(xs, (result.small_sq_norms, result.big_sq_norms), strict=True):
        ax.scatter([x] * len(values), values, color="0.7", s=8)
        mean = float(np.mean(values))
        sem = float(np.std(values, ddof=1) / math.sqrt(len(values)))
        ax.errorbar([x], [mean], yerr=[sem], fmt="o", color="C0", capsize=4)
    line_x = np.linspace(0, xs[0] * 1.1, 50)
    ax.plot(line_x, result.true_grad_sq + result.trace_sigma * line_x, color="C1", label=t("ns.fit", lang))
    ax.set_xlabel(t("ns.axis", lang))
    ax.set_ylabel(t("ns.sq_norm", lang))
    b = "–" if result.b_simple is None else f"{result.b_simple:.1f}"
    ax.set_title(f"{t('ns.title', lang)}: B_simple = {b}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
