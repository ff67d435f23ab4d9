"""Runs trained together: one run directory per member, named by its settings, plus the
comparison (``comparison.json``) and one plot of every member's curves (``curves.png``).

A comparison written where an earlier one was replaces it: the folder ends up holding exactly
the members its ``comparison.json`` lists (an earlier member that is not in the new comparison
is removed; nothing that the earlier ``comparison.json`` did not list is touched)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.records.run_store import commit_run, discard, remove_run, save_run, staging, write_json

if TYPE_CHECKING:
    from hyperlab.engine.trainer import RunResult
    from hyperlab.hparams import HParams

NAMED = ("optimizer", "batch_size", "lr", "epochs", "seed")  # the settings a member's name may show


def member_names(hparams: Sequence[HParams]) -> list[str]:
    """Directory names from each member's settings: optimizer, batch size and lr always, epochs and
    seed when they differ between members (``adam-b32-lr0.01``, ``sgd-b32-lr0.1-s2``); a number
    is appended where the rest is equal."""
    varying = _varying(hparams)
    names = [_name(hp, varying) for hp in hparams]
    seen: dict[str, int] = {}
    numbered = []
    for name in names:
        if names.count(name) > 1:  # every one of the equal names gets its number: -1, -2, ...
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}-{seen[name]}"
        numbered.append(name)
    return numbered


def seed_groups(hparams: Sequence[HParams]) -> list[str] | None:
    """Each member's name without its seed (``sgd-b32-lr0.1``), when members differ in seed and some
    settings were trained on more than one seed; else None. Plots draw a group as one line."""
    varying = _varying(hparams)
    if "seed" not in varying:
        return None
    groups = [_name(hp, varying - {"seed"}) for hp in hparams]
    return groups if len(set(groups)) < len(groups) else None


def _varying(hparams: Sequence[HParams]) -> set[str]:
    return {k for k in NAMED if len({getattr(hp, k) for hp in hparams}) > 1}


def _name(hp: HParams, varying: set[str]) -> str:
    parts = [hp.optimizer, f"b{hp.batch_size}", f"lr{hp.lr:g}"]
    if "epochs" in varying:
        parts.append(f"e{hp.epochs}")
    if "seed" in varying:
        parts.append(f"s{hp.seed}")
    return "-".join(parts)


def comparison_members(out: str | Path) -> list[str]:
    """The member names listed in ``out/comparison.json`` (none when it is missing or unreadable;
    a name that is not a plain folder name is never returned)."""
    try:
        listed = json.loads((Path(out) / "comparison.json").read_text(encoding="utf-8"))
        names = [entry["name"] for entry in listed]
    except (OSError, ValueError, TypeError, KeyError):
        return []
    return [n for n in names if isinstance(n, str) and n not in ("", ".", "..") and Path(n).name == n
            and "\\" not in n]


def save_members(results: Sequence[RunResult | None], out: str | Path, *, setup: dict[str, Any] | None = None,
                 lang: str = "en", hparams: Sequence[HParams] | None = None) -> dict[str, Path]:
    """Write ``out/<name>/`` for every member (as ``save_run``), ``out/comparison.json`` and the
    overlaid ``out/curves.png``; return {name: run directory}. A member without a result (training
    was interrupted before it started) is left out; ``hparams`` (every member's) keeps the others'
    names what they would have been. Everything is written into a staging folder first and then
    moved into ``out``, where the members of an earlier comparison not in this one are removed."""
    from hyperlab.views.plots import plot_overlaid_curves

    out = Path(out)
    names = member_names(list(hparams) if hparams is not None else [r.hparams for r in results if r is not None])
    done = [(name, r) for name, r in zip(names, results, strict=True) if r is not None]
    stage = staging(out)
    try:
        for name, result in done:
            save_run(result, stage / name, setup=setup, lang=lang)
        write_json(stage / "comparison.json", [{"name": name, "hparams": r.hparams.to_dict(), "summary": r.summary()}
                                               for name, r in done])
        plot_overlaid_curves({name: r.history for name, r in done}, stage / "curves.png", lang=lang,
                             groups=seed_groups([r.hparams for _, r in done]))
        earlier = comparison_members(out)
        out.mkdir(parents=True, exist_ok=True)
        dirs = {}
        for name, result in done:
            dirs[name] = result.run_dir = commit_run(stage / name, out / name)
        for name in earlier:
            if name not in dirs and (out / name).is_dir() and not (out / name).is_symlink():
                remove_run(out / name)
        for name in ("curves.png", "comparison.json"):  # the listing last: it names what is there
            os.replace(stage / name, out / name)
    finally:
        discard(stage)
    return dirs
