"""Verdicts follow the numbers: each lesson's pure judging functions fed the opposite situations."""

from __future__ import annotations

import copy
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperlab.errors import ConfigError
from hyperlab.lessons import batch_size, epochs, learning_rate, optimizer
from hyperlab.lessons.base import Claim, verdict
from hyperlab.lessons.surfaces import SURFACES, descend

# ---- verdict() ---------------------------------------------------------------------------------

def test_verdict_thresholds_both_directions():
    assert verdict(2.0, 1.5, 1.0) == "confirmed"
    assert verdict(1.2, 1.5, 1.0) == "not_observed"
    assert verdict(1.0, 1.5, 1.0) == "contradicted"
    assert verdict(0.01, 0.03, 0.10) == "confirmed"  # smaller supports the claim
    assert verdict(0.05, 0.03, 0.10) == "not_observed"
    assert verdict(0.2, 0.03, 0.10) == "contradicted"
    assert verdict(None, 1, 0) == verdict(math.nan, 1, 0) == verdict(math.inf, 1, 0) == "not_observed"


@given(st.floats(-10, 10), st.floats(0.001, 5))
def test_verdict_of_a_difference_follows_its_sign(diff, margin):
    result = verdict(diff, margin, -margin)
    assert result == ("confirmed" if diff >= margin else "contradicted" if diff <= -margin else "not_observed")


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?", text))


def test_english_and_korean_texts_carry_the_same_numbers():
    m = _batch_measurements()
    for claim in batch_size.judge(m):
        en, ko = claim.text("evidence", "en"), claim.text("evidence", "ko")
        assert en != ko and _numbers(en) == _numbers(ko), claim.key
        assert _numbers(claim.text("rule", "en")) == _numbers(claim.text("rule", "ko")), claim.key


def test_claim_rejects_an_unknown_verdict():
    with pytest.raises(ConfigError, match="verdict='maybe'"):
        Claim("x", "maybe", {}, {})


# ---- batch size ----------------------------------------------------------------------------

def _row(b, n=1000, *, noise, sps, mem, val_e, val_s, train_e, scaled_val=None, scaled_train=None, steps=None):
    spe = math.ceil(n / b)
    final = {"status": "completed", "lr": 0.01, "val_metric": val_e, "val_loss": 1.0, "train_metric": train_e,
             "train_loss": 0.5, "gap": train_e - val_e, "diverged_step": None}
    scaled = None
    if scaled_val is not None:
        scaled = {**final, "lr": 0.01 * b / 32, "val_metric": scaled_val, "train_metric": scaled_train,
                  "gap": scaled_train - scaled_val}
    return {"batch_size": b, "n_train": n, "steps_per_epoch": steps or spe, "expected_steps_per_epoch": spe,
            "steps_recorded": 10 * (steps or spe), "epochs_run": 10, "noise_relative": noise, "noise_absolute": noise,
            "noise_mean_loss": 1.0, "noise_steps": 20, "seconds_per_epoch": n / sps, "samples_per_second": sps,
            "peak_memory_bytes": mem, "process_peak_rss_bytes": None, "equal_epochs": final,
            "equal_steps": {"steps": 100, "samples_seen": 100 * b, "val_metric": val_s, "val_loss": 1.0,
                            "status": "step_budget"}, "scaled": scaled}


def _batch_measurements(**large):
    small = _row(8, noise=0.5, sps=20_000, mem=300_000, val_e=0.97, val_s=0.80, train_e=1.0,
                 scaled_val=0.96, scaled_train=0.99)
    big = dict(noise=0.001, sps=400_000, mem=2_600_000, val_e=0.25, val_s=0.87, train_e=0.25, scaled_val=0.85,
               scaled_train=0.97)
    big.update(large)
    return {"metric": "accuracy", "n_train": 1000, "epochs": 10, "equal_steps": 100, "lr": 0.01,
            "optimizer": "momentum", "base_batch": 32, "linear_scaling": True,
            "rows": [small, _row(1000, **big)]}


def test_batch_claims_follow_the_data_and_flip_with_it():
    usual = {c.key: c.verdict for c in batch_size.judge(_batch_measurements())}
    assert usual["batch.steps"] == usual["batch.noise"] == usual["batch.speed"] == "confirmed"
    assert usual["batch.memory"] == usual["batch.equal_epochs"] == usual["batch.equal_steps"] == "confirmed"
    assert usual["batch.scaling"] == "confirmed"
    assert usual["batch.gap"] == "not_observed"  # the large batch did not fit the training set: not comparable

    # the opposite situation: a large batch as good as a small one, as noisy, no faster, no heavier
    opposite = {c.key: c.verdict for c in batch_size.judge(_batch_measurements(
        noise=0.6, sps=15_000, mem=300_000, val_e=0.97, val_s=0.70, train_e=1.0, scaled_val=0.90,
        scaled_train=0.99))}
    assert opposite["batch.noise"] == opposite["batch.speed"] == opposite["batch.memory"] == "contradicted"
    assert opposite["batch.equal_epochs"] == "not_observed"  # equal within the margin
    assert opposite["batch.equal_steps"] == "contradicted"
    assert opposite["batch.gap"] == "not_observed"  # equal gaps (0.03 each)
    assert opposite["batch.scaling"] == "contradicted"  # scaled 0.90 vs 0.97 unscaled: scaling made it worse
    gap = {c.key: c.verdict for c in batch_size.judge(_batch_measurements(val_e=0.90, train_e=1.0))}
    assert gap["batch.gap"] == "confirmed"  # both fit the training set; gap 0.10 vs 0.03


def test_batch_step_arithmetic_mismatch_is_contradicted():
    m = _batch_measurements()
    m["rows"][0]["steps_per_epoch"] = 999
    claim = next(c for c in batch_size.judge(m) if c.key == "batch.steps")
    assert claim.verdict == "contradicted" and claim.values["mismatches"] == 1
    assert "1000 samples / batch 8 = 125 steps (measured 999)" in claim.text("evidence", "en")


def test_batch_diverged_scaled_run_contradicts_the_scaling_rule():
    m = _batch_measurements()
    m["rows"][-1]["scaled"].update(val_metric=None, gap=None, diverged_step=4, status="diverged")
    claim = next(c for c in batch_size.judge(m) if c.key == "batch.scaling")
    assert claim.verdict == "contradicted" and "diverged at step 4" in claim.text("evidence", "en")


def test_loss_noise_is_larger_for_a_jittery_curve():
    smooth = [2.0 - 0.01 * i for i in range(40)]
    jittery = [v + (0.3 if i % 2 else -0.3) for i, v in enumerate(smooth)]
    assert batch_size.loss_noise(jittery, 40)["relative"] > 50 * batch_size.loss_noise(smooth, 40)["relative"]
    assert batch_size.loss_noise([1.0, 2.0], 1) is None


def test_samples_seen_counts_the_short_last_batch():
    from hyperlab.hparams import samples_seen

    assert samples_seen(1078, 100, 11) == 1078  # 10 full batches + 78
    assert samples_seen(1078, 100, 12) == 1178
    assert samples_seen(2000, 100, 20) == 2000


# ---- learning rate ---------------------------------------------------------------------------

def _curve(kind: str, n: int = 80) -> list[float]:
    noise = [0.01 * ((i * 7919) % 11 - 5) / 5 for i in range(n)]
    if kind == "flat":
        return [2.3 + e for e in noise]
    if kind == "good":
        return [2.3 * math.exp(-i / 10) + 0.01 + abs(e) for i, e in enumerate(noise)]
    if kind == "bouncy":  # falls, then jumps back up by 0.8 and comes down again
        return [max(2.3 - 0.05 * i, 0.3) + (0.8 if 40 <= i < 55 else 0.0) + e for i, e in enumerate(noise)]
    if kind == "wobbly_flat":  # barely moves; its ups and downs of 0.3 (13% of the start) outlast the smoothing
        return [2.3 - 0.0005 * i + (0.15 if (i // 10) % 2 else -0.15) + e for i, e in enumerate(noise)]
    if kind == "spike_first":  # jumps up by 2 early, then falls below its start: rose before it ever fell
        return [2.3 + (2.0 if 3 <= i < 15 else 0.0 if i < 3 else -0.02 * (i - 15)) + abs(e)
                for i, e in enumerate(noise)]
    if kind == "surging_flat":  # barely falls overall, but surges up by 1.2 mid-run: a large swing
        return [2.3 + (1.2 if 40 <= i < 55 else 0.0) + e for i, e in enumerate(noise)]
    raise ValueError(kind)


def _lr_rows(kinds: list[str], diverged_at: set[int] = frozenset()) -> dict:
    rows = []
    for i, kind in enumerate(kinds):
        curve = _curve(kind)
        div = {"step": 3, "epoch": 1, "loss": 50.0, "reason": "exploded"} if i in diverged_at else None
        rows.append({"lr": 10.0 ** (i - 4), "key": f"lr{i}", "status": "diverged" if div else "completed",
                     "stats": learning_rate.curve_stats(curve, 10), "diverged": div, "steps": len(curve),
                     "steps_per_epoch": 10, "val_metric": None if div else {"good": 0.95,
                                                                           "bouncy": 0.8}.get(kind, 0.1),
                     "val_loss": 1.0})
    for row, kind in zip(rows, learning_rate.classify_all(rows)):
        row["kind"] = kind
    best = learning_rate.best_index(rows)
    return {"metric": "accuracy", "optimizer": "sgd", "batch_size": 32, "epochs": 8, "rows": rows,
            "reference_fall": max(r["stats"]["fall"] for r in rows if not r["diverged"]),
            "best_lr": rows[best]["lr"] if best is not None else None, "best_index": best, "good_range": []}


def test_each_curve_is_classified_from_its_own_shape():
    m = _lr_rows(["flat", "good", "bouncy", "good"], diverged_at={3})
    assert [r["kind"] for r in m["rows"]] == ["too_slow", "good", "oscillating", "diverged"]
    verdicts = {c.key: c.verdict for c in learning_rate.judge(m)}
    assert verdicts == {"lr.too_low": "confirmed", "lr.too_high": "confirmed", "lr.best_inside": "confirmed",
                        "lr.edge": "confirmed"}


def test_a_rate_that_barely_moves_is_too_slow_even_when_it_wobbles():
    # the audit's case: 'lr 1e-05 (oscillating): loss 0.6030 -> 0.6020, 0.2% of the largest fall'
    m = _lr_rows(["wobbly_flat", "good", "bouncy", "good"], diverged_at={3})
    low = m["rows"][0]
    assert low["stats"]["rebound"] >= learning_rate.OSC_MIN_RISE * low["stats"]["first"]  # passes the 5% rebound
    assert low["stats"]["fall"] < 0.05 * m["reference_fall"]  # ... yet barely moved
    assert [r["kind"] for r in m["rows"]] == ["too_slow", "good", "oscillating", "diverged"]
    claim = next(c for c in learning_rate.judge(m) if c.key == "lr.too_low")
    assert claim.verdict == "confirmed"
    assert claim.text("evidence", "en").startswith("lr 0.0001 (too slow): loss")
    # a slow rate with a swing as large as a real overshoot still counts as oscillating
    m = _lr_rows(["surging_flat", "good", "good"])
    assert [r["kind"] for r in m["rows"]] == ["oscillating", "good", "good"]


def test_the_edge_evidence_says_a_loss_rose_before_it_fell_instead_of_falling_by_zero():
    m = _lr_rows(["flat", "good", "spike_first", "good"], diverged_at={3})
    edge = next(c for c in learning_rate.judge(m) if c.key == "lr.edge")
    assert m["rows"][2]["kind"] == "oscillating" and edge.values["progress"] < 0  # smoothed, it never got below
    assert edge.text("evidence", "en").startswith("lr 0.01, the rate below the first diverging 0.1, is oscillating: "
                                                   "before its smoothed loss fell below the starting loss 2.")
    assert "falling by" not in edge.text("evidence", "en") and "아래로 내려가기 전에" in edge.text("evidence", "ko")
    bouncy = next(c for c in learning_rate.judge(_lr_rows(["flat", "good", "bouncy", "good"], diverged_at={3}))
                  if c.key == "lr.edge")
    assert "after falling by" in bouncy.text("evidence", "en")  # a rate that fell first keeps the old words


def test_lr_opposite_situation_flips_the_verdicts():
    m = _lr_rows(["good", "flat", "good"])  # the smallest rate is good, nothing diverges, best at the low end
    verdicts = {c.key: c.verdict for c in learning_rate.judge(m)}
    assert verdicts["lr.too_low"] == "contradicted"
    assert verdicts["lr.too_high"] == "contradicted"
    assert verdicts["lr.best_inside"] == "contradicted"
    assert verdicts["lr.edge"] == "not_observed"
    m = _lr_rows(["flat", "good", "good"], diverged_at={2})
    assert {c.key: c.verdict for c in learning_rate.judge(m)}["lr.edge"] == "contradicted"  # smooth below


def test_learning_rate_range_is_log_spaced_and_validated():
    s = learning_rate.settings("quick")
    assert learning_rate.learning_rates(s) == [1e-05, 3e-05, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3,
                                               1.0, 3.0, 10.0]
    assert learning_rate.learning_rates(learning_rate.settings("full"))[:5] == [1e-05, 2e-05, 3e-05, 6e-05, 0.0001]
    assert learning_rate.learning_rates(learning_rate.settings("quick", per_decade=3))[:4] == [1e-05, 2e-05, 5e-05,
                                                                                                0.0001]
    with pytest.raises(ConfigError, match="lr_max=0.001 is invalid: must be greater than lr_min"):
        learning_rate.settings("quick", lr_min=0.01, lr_max=0.001)
    with pytest.raises(ConfigError, match="lrs="):
        learning_rate.settings("quick", lrs=(0.1,))
    with pytest.raises(ConfigError, match="is not a setting of lesson 'learning-rate'"):
        learning_rate.settings("quick", batch=3)
    with pytest.raises(ConfigError, match="budget='huge' is invalid"):
        learning_rate.settings("huge")


# ---- epochs ----------------------------------------------------------------------------------

def _epochs_measurements(val_loss, train_loss, stopped=None, restored_loss=None):
    n = len(val_loss)
    curves = {"train_loss": train_loss, "val_loss": val_loss, "train_metric": [min(1.0, 0.5 + 0.05 * i)
                                                                              for i in range(n)],
              "val_metric": [0.5 + 0.4 * (1 - v / val_loss[0]) for v in val_loss]}
    m = {"metric": "accuracy", "train_size": 100, "epochs": n, "status": "completed", "curves": curves,
         "diverged": None, **epochs.curve_summary(curves)}
    long_val = {"loss": val_loss[-1], "metric": 0.8}
    m["early"] = {"status": "stopped_early" if stopped else "completed", "stopped_epoch": stopped,
                  "epochs_run": stopped or n, "best_epoch": m["best_epoch"], "restored_epoch": m["best_epoch"],
                  "patience": 3, "seconds": 1.0, "long_seconds": 2.0,
                  "val": {"loss": restored_loss if restored_loss is not None else val_loss[-1], "metric": 0.8},
                  "test": {"loss": 1.0, "metric": 0.8}}
    m["long_final"] = {"val": long_val, "test": {"loss": 1.0, "metric": 0.8}}
    return m


def test_epochs_overfitting_and_its_opposite():
    over = _epochs_measurements([1.0, 0.5, 0.4, 0.45, 0.5, 0.6], [1.0, 0.4, 0.2, 0.1, 0.05, 0.01],
                                stopped=5, restored_loss=0.4)
    v = {c.key: c.verdict for c in epochs.judge(over)}
    assert over["best_epoch"] == 3
    assert v == {"epochs.underfit": "confirmed", "epochs.overfit": "confirmed", "epochs.gap": "confirmed",
                 "epochs.early_stopping": "confirmed"}
    never = _epochs_measurements([1.0, 0.8, 0.7, 0.65, 0.62, 0.61], [1.0, 0.8, 0.7, 0.65, 0.62, 0.61])
    v = {c.key: c.verdict for c in epochs.judge(never)}
    assert v["epochs.overfit"] == "contradicted" and v["epochs.gap"] == "contradicted"
    assert v["epochs.early_stopping"] == "not_observed"
    # validation loss rose but the training loss did not keep falling: not overfitting as claimed
    flat_train = _epochs_measurements([1.0, 0.5, 0.6, 0.7], [1.0, 0.5, 0.5, 0.5])
    assert {c.key: c.verdict for c in epochs.judge(flat_train)}["epochs.overfit"] == "not_observed"
    # restoring gave a worse validation loss than training on: contradicted
    worse = _epochs_measurements([1.0, 0.5, 0.4, 0.45, 0.5], [1.0, 0.4, 0.2, 0.1, 0.05], stopped=4,
                                 restored_loss=0.7)
    assert {c.key: c.verdict for c in epochs.judge(worse)}["epochs.early_stopping"] == "contradicted"


def test_a_validation_loss_of_zero_leaves_the_relative_claims_unmeasured_instead_of_failing():
    # 2 validation rows fitted exactly: the loss underflows to 0.0, and every claim that divides by the
    # lowest validation loss raised ZeroDivisionError (`hyperlab tour` on a 12-row CSV)
    zero = _epochs_measurements([0.5, 0.0, 0.0, 0.1], [0.6, 0.2, 0.1, 0.0], stopped=3, restored_loss=0.0)
    zero["long_final"]["val"]["loss"] = 0.0
    claims = {c.key: c for c in epochs.judge(zero)}
    for key in ("epochs.overfit", "epochs.gap", "epochs.early_stopping"):
        assert claims[key].verdict == "not_observed"
        assert "the validation loss reached 0" in claims[key].text("evidence", "en")
        assert "검증 손실이 0에 이름" in claims[key].text("evidence", "ko")
    assert claims["epochs.underfit"].verdict == "confirmed"  # the metric still rose from epoch 1


def _early_claim(m, restored, long):
    """The early-stopping claim with (val, test) metrics of the restored weights and of all epochs."""
    m["early"]["val"]["metric"], m["early"]["test"]["metric"] = restored
    m["long_final"]["val"]["metric"], m["long_final"]["test"]["metric"] = long
    return next(c for c in epochs.judge(m) if c.key == "epochs.early_stopping")


def test_early_stopping_claim_is_about_val_loss_and_says_when_accuracy_went_the_other_way():
    def over(restored_loss=0.4):
        return _epochs_measurements([1.0, 0.5, 0.4, 0.45, 0.5, 0.6], [1.0, 0.4, 0.2, 0.1, 0.05, 0.01], stopped=5,
                                    restored_loss=restored_loss)

    # make demo's numbers: lower val loss restored, yet lower val and test accuracy
    claim = _early_claim(over(), (0.9136, 0.9083), (0.9164, 0.9167))
    assert claim.verdict == "confirmed"  # judged on the validation loss, and the claim says so
    assert "validation loss" in claim.text("claim", "en") and "검증 손실" in claim.text("claim", "ko")
    en, ko = claim.text("evidence", "en"), claim.text("evidence", "ko")
    assert en.endswith("test accuracy 0.9083 vs 0.9167; but val and test accuracy went the other way: lower with "
                       "the restored weights")
    assert ko.endswith("그러나 검증과 테스트 정확도는 반대로 움직임: 복원한 가중치에서 더 낮음")
    assert _numbers(en) == _numbers(ko)
    only_test = _early_claim(over(), (0.92, 0.9083), (0.9164, 0.9167)).text("evidence", "en")
    assert only_test.endswith("; but test accuracy went the other way: lower with the restored weights")
    agree = _early_claim(over(), (0.92, 0.93), (0.9164, 0.9167))
    assert agree.text("evidence", "en").endswith("test accuracy 0.9300 vs 0.9167")  # nothing to add
    # a worse val loss restored but a better accuracy: also the other way
    worse = _early_claim(over(restored_loss=0.7), (0.95, 0.90), (0.9164, 0.9167))
    assert worse.verdict == "contradicted"
    assert worse.text("evidence", "en").endswith("; but val accuracy went the other way: higher with the restored "
                                                 "weights")


# ---- optimizer ---------------------------------------------------------------------------------

def _opt_row(name, lr, curve, grid_metrics):
    return {"optimizer": name, "grid": [{"lr": lr * f, "status": "completed", "val_metric": g, "val_loss": 1 - g,
                                         "diverged_step": None} for f, g in zip((0.3, 1, 3), grid_metrics)],
            "best_index": 1, "lr": lr, "val_metric": max(grid_metrics), "val_loss": 0.1,
            "curves": {"val_metric": curve}, "epochs_to_target": optimizer.epochs_to(curve, 0.855, 5)}


def _surface(distance_sgd, distance_fast, escape_sgd, escape_fast):
    def path(d, e, lr):
        return {"lr": lr, "distance": d, "escape_step": e, "final_value": d}
    return {"steps": 100, "paths": {"sgd": path(distance_sgd, escape_sgd, 0.3),
                                    "momentum": path(distance_fast, escape_fast, 0.1),
                                    "adam": path(distance_fast, escape_fast, 0.1)}}


def _opt_measurements(sgd_curve, adam_curve, **surfaces):
    rows = [_opt_row("sgd", 0.1, sgd_curve, (0.5, 0.95, 0.9)), _opt_row("momentum", 0.01, sgd_curve, (0.6, 0.95, 0.9)),
            _opt_row("adam", 0.001, adam_curve, (0.7, 0.95, 0.94))]
    surf = {name: _surface(*values) for name, values in surfaces.items()}
    return {"metric": "accuracy", "epochs": 5, "batch_size": 32, "target": 0.855, "rows": rows, "surfaces": surf}


def test_optimizer_claims_follow_the_data_and_flip_with_it():
    slow, fast = [0.3, 0.5, 0.7, 0.9, 0.95], [0.9, 0.93, 0.94, 0.95, 0.95]
    m = _opt_measurements(slow, fast, valley=(2.0, 0.01, 0, 0), saddle=(0, 0, 25, 2), rosenbrock=(2.5, 0.5, 0, 0))
    v = {c.key: c.verdict for c in optimizer.judge(m)}
    assert v["opt.adaptive_faster"] == "confirmed" and v["opt.lr_matters"] == "confirmed"
    assert v["opt.close"] == "confirmed" and v["opt.momentum_faster"] == "not_observed"  # same curve
    assert v["surf.valley"] == v["surf.saddle"] == v["surf.rosenbrock"] == "confirmed"
    flipped = _opt_measurements(fast, slow, valley=(0.01, 2.0, 0, 0), saddle=(0, 0, 2, 25),
                                rosenbrock=(0.5, 0.5, 0, 0))
    v = {c.key: c.verdict for c in optimizer.judge(flipped)}
    assert v["opt.adaptive_faster"] == "contradicted"
    assert v["surf.valley"] == v["surf.saddle"] == "contradicted" and v["surf.rosenbrock"] == "not_observed"


def test_epochs_to_target_counts_never_as_one_more():
    assert optimizer.epochs_to([0.1, 0.5, 0.9], 0.8, 3) == 3
    assert optimizer.epochs_to([0.1, 0.2, 0.3], 0.8, 3) == 4
    assert optimizer.epochs_to([0.1], None, 3) is None


def test_optimizer_settings_validate_names_and_grids():
    with pytest.raises(ConfigError, match="did you mean 'adam'"):
        optimizer.settings("tiny", optimizers=("adamm",))
    with pytest.raises(ConfigError, match="grids="):
        optimizer.settings("tiny", optimizers=("sgd",), grids={"adam": (0.1,)})
    with pytest.raises(ConfigError, match="lr=-1"):
        optimizer.settings("tiny", optimizers=("sgd",), grids={"sgd": (-1,)})


# ---- 2-D surfaces (torch.optim on a 2-element parameter) ------------------------------------

def test_surface_paths_are_real_optimizer_steps():
    valley = SURFACES["valley"]
    sgd = descend(valley, "sgd", 0.1, 50)
    momentum = descend(valley, "momentum", 0.1, 50)
    assert len(sgd.points) == 51 and sgd.points[0] == valley.start
    # plain gradient descent on x^2/50 + y^2: x shrinks by (1 - 0.1 * 2/50) each step
    assert sgd.points[-1][0] == pytest.approx(valley.start[0] * (1 - 0.1 * 2 / 50) ** 50, rel=1e-9)
    assert momentum.distance_to(valley.minimum) < sgd.distance_to(valley.minimum)
    blown = descend(valley, "sgd", 5.0, 200)  # lr far above 2 / curvature: diverges, recorded with its step
    assert blown.diverged_step is not None and blown.final_value is None
    assert descend(SURFACES["saddle"], "adam", 0.1, 30).escape_step() is not None


def test_judging_does_not_mutate_measurements():
    m = _batch_measurements()
    before = copy.deepcopy(m)
    batch_size.judge(m)
    assert m == before


def test_batch_noise_counts_the_smaller_of_the_absolute_and_relative_ratios():
    """A small batch trained to a far lower loss has a huge noise relative to its level and a small one
    in loss units: the level, not the batch, made the first ratio, so the claim is not confirmed."""
    m = _batch_measurements()
    small, large = m["rows"]
    small.update(noise_relative=0.5, noise_absolute=0.0015, noise_mean_loss=0.003)
    large.update(noise_relative=0.001, noise_absolute=0.001, noise_mean_loss=1.0)
    claim = next(c for c in batch_size.judge(m) if c.key == "batch.noise")
    assert claim.values["ratio_relative"] == 500 and claim.values["ratio_absolute"] == 1.5
    assert claim.values["ratio"] == 1.5 and claim.verdict != "confirmed"
    large.update(noise_absolute=0.0001)  # noisier in loss units too: confirmed
    assert next(c for c in batch_size.judge(m) if c.key == "batch.noise").verdict == "confirmed"
