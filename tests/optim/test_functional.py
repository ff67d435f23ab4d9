"""Per-member update rules against torch.optim: same gradients -> same parameters."""

from __future__ import annotations

import pytest
import torch

from hyperlab.hparams import HParams
from hyperlab.optim import build_optimizer, build_scheduler, functional
from hyperlab.optim.functional import PopulationOptimizer, member_settings, schedule_table

MEMBERS = [
    HParams(optimizer="sgd", lr=0.1, weight_decay=0.01),
    HParams(optimizer="momentum", lr=0.05, momentum=0.8, weight_decay=0.02),
    HParams(optimizer="nesterov", lr=0.03, weight_decay=0.01),
    HParams(optimizer="rmsprop", lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01),
    HParams(optimizer="rmsprop", lr=0.02, momentum=0.5, weight_decay=0.03),
    HParams(optimizer="adagrad", lr=0.1, eps=1e-8, weight_decay=0.01),
    HParams(optimizer="adam", lr=0.01, betas=(0.8, 0.99), weight_decay=0.01),
    HParams(optimizer="adamw", lr=0.02, eps=1e-6, weight_decay=0.1),
    HParams(optimizer="adamw", lr=0.005),  # torch's default decay 0.01
]


def _torch_reference(hp: HParams, start: torch.Tensor, grads: list[torch.Tensor], spe: int) -> list[torch.Tensor]:
    param = torch.nn.Parameter(start.clone())
    optimizer = build_optimizer([param], hp)
    scheduler = build_scheduler(optimizer, hp, spe)
    out = []
    for g in grads:
        param.grad = g.clone()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        out.append(param.detach().clone())
    return out


def _population(members: list[HParams], start: torch.Tensor, grads: list[torch.Tensor], spe: int,
                active: list[torch.Tensor] | None = None, fused: bool = True,
                pieces: list[int] | None = None) -> list[torch.Tensor]:
    params = start.clone()
    tables = [schedule_table(hp, spe) for hp in members]
    lrs = torch.tensor([t[0] for t in tables], dtype=torch.float64)
    moms = torch.tensor([t[1] for t in tables], dtype=torch.float64)
    optimizer = PopulationOptimizer(params, [member_settings(hp) for hp in members],
                                    momentum_ever=[max(t[1]) > 0 for t in tables], fused=fused, pieces=pieces)
    # RMSprop with momentum: never fused; without: Adam's kernel
    assert {seg.fused for seg in optimizer.segments} <= ({True, False} if fused else {False})
    assert {(seg.family, seg.uses_momentum, seg.fused) for seg in optimizer.segments if seg.family == "rmsprop"} <= \
        {("rmsprop", False, fused), ("rmsprop", True, False)}
    out = []
    for s, g in enumerate(grads):
        g = g.clone()  # step consumes the gradients (fused RMSprop keeps its scratch in them)
        as_pieces = list(g.split(pieces, dim=1)) if pieces else g
        optimizer.step(as_pieces, lrs[:, s], moms[:, s], None if active is None else active[s])
        out.append(params.clone())
    return out


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("schedule", ["constant", "step", "cosine", "warmup", "onecycle"])
def test_every_optimizer_matches_torch_optim_step_by_step_in_float64(schedule, fused):
    extra = {"step_size": 1, "gamma": 0.5} if schedule == "step" else {}
    extra |= {"warmup_steps": 2} if schedule == "warmup" else {}
    members = [hp.replace(schedule=schedule, epochs=2, **extra) for hp in MEMBERS]
    if schedule == "onecycle":  # torch's OneCycleLR refuses Adagrad (no momentum to cycle)
        members = [hp for hp in members if hp.optimizer != "adagrad"]
    spe, n = 3, 17
    gen = torch.Generator().manual_seed(0)
    start = torch.randn(len(members), n, generator=gen, dtype=torch.float64)
    grads = [torch.randn(len(members), n, generator=gen, dtype=torch.float64) for _ in range(2 * spe)]
    ours = _population(members, start, grads, spe, fused=fused, pieces=[5, 12])
    for k, hp in enumerate(members):
        theirs = _torch_reference(hp, start[k], [g[k] for g in grads], spe)
        for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            torch.testing.assert_close(a[k], b, rtol=1e-12, atol=1e-14,
                                       msg=lambda m, k=k, step=step, name=hp.optimizer: f"member {k} ({name}) step {step}: {m}")
        assert not torch.equal(ours[-1][k], start[k])  # it did move


@pytest.mark.parametrize("fused", [True, False])
def test_float32_matches_torch_optim_closely(fused):
    spe, n = 4, 33
    gen = torch.Generator().manual_seed(1)
    start = torch.randn(len(MEMBERS), n, generator=gen)
    grads = [torch.randn(len(MEMBERS), n, generator=gen) for _ in range(spe)]
    ours = _population(MEMBERS, start, grads, spe, fused=fused)
    for k, hp in enumerate(MEMBERS):
        theirs = _torch_reference(hp, start[k], [g[k] for g in grads], spe)
        torch.testing.assert_close(ours[-1][k], theirs[-1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fused", [True, False])
def test_inactive_member_is_frozen_and_its_nan_stays_out(fused):
    spe, n = 4, 5
    start = torch.ones(len(MEMBERS), n, dtype=torch.float64)
    grads = [torch.full((len(MEMBERS), n), 0.5, dtype=torch.float64) for _ in range(spe)]
    for g in grads[2:]:
        g[3] = float("nan")  # member 3 diverges at step 3
    active = [torch.ones(len(MEMBERS), dtype=torch.bool) for _ in range(spe)]
    for a in active[2:]:
        a[3] = False
    ours = _population(MEMBERS, start, grads, spe, active, fused=fused)
    torch.testing.assert_close(ours[-1][3], ours[1][3], rtol=0, atol=0)  # unchanged after step 2
    assert torch.isfinite(ours[-1]).all()
    clean = _population(MEMBERS, start, [g.nan_to_num(0.5) for g in grads], spe, fused=fused)
    others = [k for k in range(len(MEMBERS)) if k != 3]
    torch.testing.assert_close(ours[-1][others], clean[-1][others], rtol=0, atol=0)


@pytest.mark.parametrize("fused", [True, False])
def test_keeping_members_keeps_their_state(fused):
    spe, n = 4, 6
    gen = torch.Generator().manual_seed(2)
    start = torch.randn(len(MEMBERS), n, generator=gen, dtype=torch.float64)
    grads = [torch.randn(len(MEMBERS), n, generator=gen, dtype=torch.float64) for _ in range(spe)]
    full = _population(MEMBERS, start, grads, spe, fused=fused)[-1]
    params = start.clone()
    settings = [member_settings(hp) for hp in MEMBERS]
    optimizer = PopulationOptimizer(params, settings, fused=fused)
    lrs = torch.tensor([hp.lr for hp in MEMBERS], dtype=torch.float64)
    for g in grads[:2]:
        optimizer.step(g.clone(), lrs)
    rows = [0, 2, 4, 6, 7]
    params = params[rows].clone()
    optimizer.keep(rows, params)
    for g in grads[2:]:
        optimizer.step(g[rows].clone(), lrs[rows])
    torch.testing.assert_close(params, full[rows], rtol=1e-12, atol=1e-14)


def test_schedule_table_is_what_the_scheduler_gives():
    hp = HParams(optimizer="momentum", lr=0.1, schedule="onecycle", epochs=2)
    lrs, moms = schedule_table(hp, 5)
    assert len(lrs) == len(moms) == 11
    assert lrs[0] == pytest.approx(0.1 / 25) and max(lrs) == pytest.approx(0.1)
    assert moms[0] == pytest.approx(0.95) and min(moms) == pytest.approx(0.85)
    assert schedule_table(HParams(lr=0.3, epochs=1), 4) == ([0.3] * 5, [0.9] * 5)


def test_blocks_of_rows_and_norms_change_nothing(monkeypatch):
    spe, n = 3, 40
    gen = torch.Generator().manual_seed(3)
    start = torch.randn(len(MEMBERS), n, generator=gen)
    grads = [torch.randn(len(MEMBERS), n, generator=gen) for _ in range(spe)]
    whole = _population(MEMBERS, start, grads, spe, fused=False)
    monkeypatch.setattr(functional, "BLOCK_ELEMENTS", 50)  # one row per block
    blocked = _population(MEMBERS, start, grads, spe, fused=False)
    torch.testing.assert_close(blocked[-1], whole[-1], rtol=0, atol=0)
    optimizer = PopulationOptimizer(start.clone(), [member_settings(hp) for hp in MEMBERS], pieces=[10, 30])
    norms = torch.empty(len(MEMBERS))
    optimizer.step([grads[0][:, :10].clone(), grads[0][:, 10:].clone()], torch.full((len(MEMBERS),), 0.1, dtype=torch.float64),
                   norms=norms)
    torch.testing.assert_close(norms, torch.linalg.vector_norm(grads[0], dim=1))


def test_fused_rmsprop_is_torchs_rmsprop_in_float32_over_many_steps():
    """Adam's kernel as RMSprop (beta1 0, no bias correction) against torch.optim.RMSprop, 200 steps."""
    members = [HParams(optimizer="rmsprop", lr=lr, alpha=alpha, weight_decay=wd)
               for lr, alpha, wd in ((0.001, 0.99, 0.0), (0.01, 0.9, 0.01), (0.003, 0.5, 0.0))]
    gen = torch.Generator().manual_seed(4)
    start = torch.randn(len(members), 50, generator=gen)
    grads = [torch.randn(len(members), 50, generator=gen) for _ in range(200)]
    ours = _population(members, start, grads, 200, fused=True)
    for k, hp in enumerate(members):
        torch.testing.assert_close(ours[-1][k], _torch_reference(hp, start[k], [g[k] for g in grads], 200)[-1],
                                   rtol=1e-5, atol=1e-6)
