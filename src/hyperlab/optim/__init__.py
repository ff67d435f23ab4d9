"""Optimizers and learning-rate schedules by name, all from torch.optim.

    >>> from hyperlab.hparams import HParams
    >>> build_optimizer(torch.nn.Linear(2, 1).parameters(), HParams(optimizer="momentum")).defaults["momentum"]
    0.9
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from hyperlab.hparams import OPTIMIZERS, HParams

DESCRIPTIONS = {
    "sgd": "plain SGD: W <- W - lr * grad",
    "momentum": "SGD with momentum (0.9 unless set): a velocity that averages past gradients",
    "nesterov": "SGD with Nesterov momentum: looks ahead along the velocity",
    "rmsprop": "divides each step by a running RMS of the gradient",
    "adagrad": "per-parameter steps shrinking with the sum of squared gradients",
    "adam": "momentum + RMS scaling with bias correction (betas, eps)",
    "adamw": "Adam with decoupled weight decay",
}
assert set(DESCRIPTIONS) == set(OPTIMIZERS)


def build_optimizer(params: Iterable[torch.nn.Parameter], hp: HParams) -> torch.optim.Optimizer:
    """The torch.optim optimizer named by ``hp.optimizer`` with its options."""
    name, wd = hp.optimizer, hp.weight_decay
    if name == "sgd":
        return torch.optim.SGD(params, lr=hp.lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=hp.lr, momentum=0.9 if hp.momentum is None else hp.momentum,
                               nesterov=name == "nesterov", weight_decay=wd)
    options = {k: v for k, v in (("eps", hp.eps), ("betas", hp.betas), ("momentum", hp.momentum),
                                 ("alpha", hp.alpha)) if v is not None}
    cls = {"rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
           "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[name]
    if name == "adamw" and "weight_decay" not in hp.model_fields_set:
        return cls(params, lr=hp.lr, **options)  # torch's AdamW default decay (0.01)
    return cls(params, lr=hp.lr, weight_decay=wd, **options)


def build_scheduler(optimizer: torch.optim.Optimizer, hp: HParams,
                    steps_per_epoch: int) -> torch.optim.lr_scheduler.LRScheduler | None:
    """A per-step scheduler for ``hp.schedule`` (None for constant)."""
    from torch.optim import lr_scheduler as S

    total = hp.epochs * steps_per_epoch
    warmup = min(hp.warmup_steps, max(total - 1, 0))
    if hp.schedule == "constant":
        main = None
    elif hp.schedule == "step":
        main = S.StepLR(optimizer, step_size=hp.step_size * steps_per_epoch, gamma=hp.gamma)
    elif hp.schedule == "cosine":
        main = S.CosineAnnealingLR(optimizer, T_max=max(total - warmup, 1))
    elif hp.schedule == "warmup":  # constant after the linear warmup below
        main = None
    else:  # onecycle: its own warmup; lr is the peak
        return S.OneCycleLR(optimizer, max_lr=hp.lr, total_steps=max(total, 1))
    if warmup == 0:
        return main
    ramp = S.LinearLR(optimizer, start_factor=1.0 / (warmup + 1), end_factor=1.0, total_iters=warmup)
    if main is None:
        return ramp
    return S.SequentialLR(optimizer, [ramp, main], milestones=[warmup])
