"""Figures are made without pyplot (``hyperlab.views.plots.subplots``/``save``): no module imports
it, and a process that trains and runs every tuner with an output directory writes its PNGs without
pyplot ever being imported (no global figure registry to leak into, no GUI backend, ~1 s less)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hyperlab

SRC = Path(hyperlab.__file__).parent

SCRIPT = """
import json, sys
import torch
import hyperlab
from hyperlab import tuners

torch.set_num_threads(1)
out = sys.argv[1]
hyperlab.train("mlp", "wine", {"epochs": 2, "batch_size": 32, "seed": 0}, out=out + "/train")
tuners.lr_find("mlp", "wine", {"batch_size": 16, "seed": 0}, steps=20, out=out)
tuners.batch_find("mlp", "wine", {"seed": 0}, max_batch=32, probe_steps=2, noise=False, out=out)
tuners.noise_scale("mlp", "wine", {"seed": 0}, pairs=4, out=out)
tuners.scale_lr(0.1, 16, 64, n_train=100, epochs=5, out=out)
tuners.epoch_find("mlp", "wine", {"seed": 0, "lr": 0.05}, max_epochs=3, out=out)
tuners.optimizer_check("mlp", "wine", {"seed": 0}, optimizers=("sgd", "adam"), epochs=1,
                       lrs={"sgd": 0.1, "adam": 0.001}, out=out)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("matplotlib."))))
"""


def pyplot_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("matplotlib.pyplot")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("matplotlib.pyplot"):
                found.append(node.module)
            elif node.module == "matplotlib":
                found += [f"matplotlib.{a.name}" for a in node.names if a.name == "pyplot"]
    return found


def test_no_module_imports_pyplot():
    found = {p.relative_to(SRC).as_posix(): pyplot_imports(p) for p in sorted(SRC.rglob("*.py"))}
    assert len(found) > 50
    assert {name: imports for name, imports in found.items() if imports} == {}


@pytest.mark.slow  # a fresh process trains and runs six tuners (~8 s)
def test_training_and_every_tuner_write_their_plots_without_pyplot(tmp_path: Path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, check=True)
    modules = json.loads(done.stdout.splitlines()[-1])
    assert "matplotlib.figure" in modules  # figures were made in this process
    assert "matplotlib.pyplot" not in modules
    pngs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.png"))
    assert pngs == ["batch_find.png", "epochs.png", "lr_find.png", "lr_scaling.png", "noise_scale.png",
                    "optimizers.png", "train/curves.png"]
    assert all((tmp_path / p).stat().st_size > 5000 for p in pngs)
