"""examples/four-knobs.ipynb runs top to bottom in a real Jupyter kernel, and every cell that should
show a result shows one (HTML or a PNG)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "four-knobs.ipynb"


def shown(cell) -> bool:
    """Whether the cell displayed a rich result (HTML or an image), not only text."""
    return any(o.output_type in ("display_data", "execute_result")
               and ({"text/html", "image/png"} & set(o.get("data", {}))) for o in cell.outputs)


@pytest.mark.slow
def test_example_notebook_runs_and_shows_every_result(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.km = client.create_kernel_manager()
    client.start_new_kernel(env=env)  # type: ignore[call-arg]
    try:
        client.start_new_kernel_client()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError on any error
    finally:
        client._cleanup_kernel()  # type: ignore[attr-defined]
    code = [c for c in nb.cells if c.cell_type == "code"]
    meant = [c for c in code if "displays" in c.metadata.get("tags", [])]
    assert len(meant) >= 9
    missing = [c.source.splitlines()[0] for c in meant if not shown(c)]
    assert not missing, missing
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert "학습 곡선" in "".join(o.data.get("text/html", "") for o in meant[-2].outputs if "data" in o)
    assert list(tmp_path.iterdir()) == []  # the notebook writes no files (in-memory sweep, no out=)
