"""Optimizer updates for a population: one row per member, each with its own hyperparameters.

torch.optim takes one learning rate per parameter group ("Tensor lr must be 1-element"), so K
members with K learning rates cannot share one torch optimizer. These are torch.optim's own
single-tensor update rules (SGD with momentum or Nesterov, RMSprop, Adagrad, Adam, AdamW) written
as tensor arithmetic on a ``[K, N]`` matrix whose row k holds member k's parameters; every
hyperparameter is a ``[K, 1]`` column. The settings of each member come from
``hyperlab.optim.build_optimizer`` and ``build_scheduler`` themselves (run on a dummy parameter),
so defaults, AdamW's default decay and OneCycle's cycled momentum are torch's. Tests check every
rule against torch.optim, step by step.

    >>> import torch
    >>> from hyperlab.hparams import HParams
    >>> params = torch.zeros(2, 3)
    >>> opt = PopulationOptimizer(params, [member_settings(HParams(optimizer="sgd", lr=0.1)),
    ...                                    member_settings(HParams(optimizer="sgd", lr=1.0))])
    >>> opt.step(torch.ones(2, 3), lr=torch.tensor([0.1, 1.0], dtype=torch.float64))
    >>> params[:, 0].tolist()
    [-0.10000000149011612, -1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from hyperlab.hparams import HParams

FAMILIES = {"sgd": "sgd", "momentum": "sgd", "nesterov": "sgd", "rmsprop": "rmsprop",
            "adagrad": "adagrad", "adam": "adam", "adamw": "adam"}


@dataclass(frozen=True)
class MemberSettings:
    """One member's optimizer as torch.optim resolves it (defaults filled in)."""

    optimizer: str
    family: str
    lr: float
    momentum: float  # SGD/RMSprop momentum, or Adam's beta1 (OneCycle cycles this one)
    beta2: float
    eps: float
    alpha: float
    weight_decay: float
    nesterov: bool
    decoupled: bool  # AdamW's decay of the weights themselves


def member_settings(hp: HParams) -> MemberSettings:
    """Read a member's resolved optimizer settings from the torch optimizer ``build_optimizer`` makes."""
    from hyperlab.optim import build_optimizer

    group = build_optimizer([torch.nn.Parameter(torch.zeros(1))], hp).param_groups[0]
    betas = group.get("betas", (0.0, 0.0))
    return MemberSettings(
        optimizer=hp.optimizer, family=FAMILIES[hp.optimizer], lr=hp.lr,
        momentum=float(betas[0] if "betas" in group else group.get("momentum", 0.0)),
        beta2=float(betas[1]), eps=float(group.get("eps", 0.0)), alpha=float(group.get("alpha", 0.0)),
        weight_decay=float(group["weight_decay"]), nesterov=bool(group.get("nesterov", False)),
        decoupled=hp.optimizer == "adamw")


def schedule_table(hp: HParams, steps_per_epoch: int) -> tuple[list[float], list[float]]:
    """Per-step (lr, momentum-or-beta1) of a member, from torch's own scheduler on a dummy optimizer.

    Entry s is what step s + 1 uses; the last entry (index epochs * steps_per_epoch) is the value
    after the final step, which ``fit`` records as the last epoch's lr."""
    from hyperlab.optim import build_optimizer, build_scheduler

    total = hp.epochs * steps_per_epoch
    optimizer = build_optimizer([torch.nn.Parameter(torch.zeros(1))], hp)
    scheduler = build_scheduler(optimizer, hp, steps_per_epoch)
    group = optimizer.param_groups[0]

    def momentum() -> float:
        return float(group["betas"][0] if "betas" in group else group.get("momentum", 0.0))

    if scheduler is None:
        return [float(group["lr"])] * (total + 1), [momentum()] * (total + 1)
    lrs, moms = [], []
    optimizer.step()  # no gradients: changes nothing, and keeps torch from warning about the order
    for _ in range(total):
        lrs.append(float(group["lr"]))
        moms.append(momentum())
        scheduler.step()
    lrs.append(float(group["lr"]))
    moms.append(momentum())
    return lrs, moms


# ---- the update rules, one function per family ------------------------------------------------
# All tensors are updated in place; hyperparameters are [k, 1] columns in the parameters' dtype.
# Coefficients such as 1 - beta are computed in float64 by the caller and then cast, as torch.optim
# computes them in Python floats: 1 - beta2 in float32 would be off by 1e-5 relative.
# The order of operations is torch.optim's, so float32 results agree to the last bits.

def sgd_update(p: Tensor, g: Tensor, buf: Tensor | None, lr: Tensor, momentum: Tensor,
               weight_decay: Tensor | None, nesterov: Tensor | None) -> None:
    """torch.optim.SGD (dampening 0): d = g + wd p; buf = m buf + d; p -= lr (nesterov ? d + m buf : buf).
    ``buf`` starts at zero, so its first value is d, as torch's clone of the first gradient."""
    d = g if weight_decay is None else g + weight_decay * p
    if buf is not None:
        buf.mul_(momentum).add_(d)
        d = buf if nesterov is None else torch.where(nesterov, d + momentum * buf, buf)
    p.sub_(lr * d)


def rmsprop_update(p: Tensor, g: Tensor, square_avg: Tensor, buf: Tensor | None, lr: Tensor, alpha: Tensor,
                   one_minus_alpha: Tensor, eps: Tensor, momentum: Tensor, has_momentum: Tensor | None,
                   weight_decay: Tensor | None) -> None:
    """torch.optim.RMSprop (not centered): v = a v + (1 - a) g^2; step g / (sqrt(v) + eps), with momentum.
    ``buf`` is None when no member has momentum, else ``has_momentum`` says which do."""
    d = g if weight_decay is None else g + weight_decay * p
    square_avg.mul_(alpha).addcmul_(d * one_minus_alpha, d)
    avg = square_avg.sqrt().add_(eps)
    if buf is None:
        p.sub_(lr * d / avg)
        return
    buf.mul_(momentum).add_(d / avg)
    p.sub_(torch.where(has_momentum, lr * buf, lr * d / avg))  # type: ignore[arg-type]


def adagrad_update(p: Tensor, g: Tensor, state_sum: Tensor, lr: Tensor, eps: Tensor,
                   weight_decay: Tensor | None) -> None:
    """torch.optim.Adagrad (no lr decay, zero initial sum): s += g^2; p -= lr g / (sqrt(s) + eps)."""
    d = g if weight_decay is None else g + weight_decay * p
    state_sum.addcmul_(d, d)
    p.sub_(lr * d / state_sum.sqrt().add_(eps))


def adam_update(p: Tensor, g: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, one_minus_beta1: Tensor,
                beta2: Tensor, one_minus_beta2: Tensor, eps: Tensor, step_size: Tensor, bias2_sqrt: Tensor,
                weight_decay: Tensor | None, decay_factor: Tensor | None) -> None:
    """torch.optim.Adam / AdamW: moving averages m, v; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    ``weight_decay`` adds wd p to the gradient (Adam); ``decay_factor`` = 1 - lr wd scales p first (AdamW)."""
    d = g if weight_decay is None else g + weight_decay * p
    if decay_factor is not None:
        p.mul_(decay_factor)
    exp_avg.lerp_(d, one_minus_beta1)
    exp_avg_sq.mul_(beta2).addcmul_(d * one_minus_beta2, d)
    denom = exp_avg_sq.sqrt().div_(bias2_sqrt).add_(eps)
    p.sub_(step_size * exp_avg / denom)


# ---- the population optimizer --------------------------------------------------------------

@dataclass
class _Segment:
    """Consecutive members of one optimizer family, updated together."""

    family: str
    start: int
    stop: int
    state: dict[str, Tensor]
    uses_decay: bool
    uses_momentum: bool
    uses_nesterov: bool
    uses_decoupled_decay: bool


class PopulationOptimizer:
    """Per-member optimizer over the rows of a ``[K, N]`` parameter matrix.

    Members of one family that sit next to each other are updated by one set of tensor ops
    (order members by family for the fewest ops). ``step`` takes this step's per-member lr and
    momentum/beta1 (so schedules come from outside) and an ``active`` mask: an inactive member's
    gradient is ignored and its parameters stay exactly as they are."""

    def __init__(self, params: Tensor, settings: Sequence[MemberSettings],
                 momentum_ever: Sequence[bool] | None = None) -> None:
        if params.dim() != 2 or params.shape[0] != len(settings):
            raise ValueError(f"params must be [members, n] with {len(settings)} rows, got {tuple(params.shape)}")
        self.params = params
        self.settings = list(settings)
        self.steps = 0
        # whether a member's momentum is ever non-zero (OneCycle gives plain SGD a momentum)
        self.momentum_ever = list(momentum_ever) if momentum_ever is not None else [s.momentum > 0 for s in settings]
        column = lambda values: torch.tensor(values, dtype=torch.float64, device=params.device)[:, None]  # noqa: E731
        self.columns = {name: column([getattr(s, name) for s in settings]) for name in ("beta2", "eps", "alpha")}
        # weight decay added to the gradient (all but AdamW), and AdamW's decay of the weights
        self.columns["coupled_decay"] = column([0.0 if s.decoupled else s.weight_decay for s in settings])
        self.columns["decoupled_decay"] = column([s.weight_decay if s.decoupled else 0.0 for s in settings])
        self.nesterov = torch.tensor([s.nesterov for s in settings], device=params.device)[:, None]
        self.segments = self._segments()

    def _segments(self) -> list[_Segment]:
        segments, start = [], 0
        n, like = len(self.settings), self.params
        for k in range(1, n + 1):
            if k < n and self.settings[k].family == self.settings[start].family:
                continue
            members = self.settings[start:k]
            family = members[0].family
            zeros = lambda: torch.zeros_like(like[start:k])  # noqa: E731
            uses_momentum = family in ("sgd", "rmsprop") and any(self.momentum_ever[start:k])
            state: dict[str, Tensor] = {}
            if uses_momentum:
                state["momentum_buffer"] = zeros()
            if family == "rmsprop":
                state["square_avg"] = zeros()
            if family == "adagrad":
                state["sum"] = zeros()
            if family == "adam":
                state["exp_avg"], state["exp_avg_sq"] = zeros(), zeros()
            segments.append(_Segment(
                family, start, k, state,
                uses_decay=any(s.weight_decay != 0 and not s.decoupled for s in members),
                uses_momentum=uses_momentum, uses_nesterov=any(s.nesterov for s in members),
                uses_decoupled_decay=any(s.weight_decay != 0 and s.decoupled for s in members)))
            start = k
        return segments

    @torch.no_grad()
    def step(self, grads: Tensor, lr: Tensor, momentum: Tensor | None = None, active: Tensor | None = None) -> None:
        """One update of every active member. ``lr`` and ``momentum`` are float64 ``[K]`` tensors."""
        self.steps += 1
        dtype = self.params.dtype
        if momentum is None:
            momentum = torch.tensor([s.momentum for s in self.settings], dtype=torch.float64, device=lr.device)
        if active is not None:
            lr = torch.where(active, lr, 0.0)
            grads = torch.where(active[:, None], grads, 0)  # a diverged member's NaN stays out of its state
        cols = self.columns
        for seg in self.segments:
            a, b = seg.start, seg.stop
            p, g = self.params[a:b], grads[a:b]
            lr_k = lr[a:b, None]
            m_k = momentum[a:b, None]
            wd = cols["coupled_decay"][a:b].to(dtype) if seg.uses_decay else None
            if seg.family == "sgd":
                sgd_update(p, g, seg.state.get("momentum_buffer"), lr_k.to(dtype), m_k.to(dtype), wd,
                           self.nesterov[a:b] if seg.uses_nesterov else None)
            elif seg.family == "rmsprop":
                alpha = cols["alpha"][a:b]
                rmsprop_update(p, g, seg.state["square_avg"], seg.state.get("momentum_buffer"), lr_k.to(dtype),
                               alpha.to(dtype), (1 - alpha).to(dtype), cols["eps"][a:b].to(dtype), m_k.to(dtype),
                               m_k > 0 if seg.uses_momentum else None, wd)
            elif seg.family == "adagrad":
                adagrad_update(p, g, seg.state["sum"], lr_k.to(dtype), cols["eps"][a:b].to(dtype), wd)
            else:
                beta2 = cols["beta2"][a:b]
                bias1 = 1 - m_k ** self.steps
                bias2_sqrt = (1 - beta2 ** self.steps).sqrt()
                decay_factor = None
                if seg.uses_decoupled_decay:
                    decay_factor = (1 - lr_k * cols["decoupled_decay"][a:b]).to(dtype)
                adam_update(p, g, seg.state["exp_avg"], seg.state["exp_avg_sq"], (1 - m_k).to(dtype),
                            beta2.to(dtype), (1 - beta2).to(dtype), cols["eps"][a:b].to(dtype),
                            (lr_k / bias1).to(dtype), bias2_sqrt.to(dtype), wd, decay_factor)

    def keep(self, rows: Sequence[int], params: Tensor) -> None:
        """Keep only the members at ``rows`` (in that order), whose parameters are now ``params``."""
        index = torch.tensor(list(rows), dtype=torch.long, device=self.params.device)
        old = self.segments
        self.params = params
        self.settings = [self.settings[r] for r in rows]
        self.momentum_ever = [self.momentum_ever[r] for r in rows]
        self.columns = {name: col[index] for name, col in self.columns.items()}
        self.nesterov = self.nesterov[index]
        self.segments = self._segments()
        for seg in self.segments:
            for name, tensor in seg.state.items():
                for pos, row in enumerate(rows[seg.start:seg.stop]):
                    source = next(s for s in old if s.start <= row < s.stop)
                    if name in source.state:  # else zeros: a buffer of a member whose momentum is 0
                        tensor[pos].copy_(source.state[name][row - source.start])
