"""``LiveCurves`` and the progress bar in a real Jupyter kernel (nbclient + ipykernel): one output
redrawn in place, no flood."""

from __future__ import annotations

import base64
import os

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from nbclient import NotebookClient

from hyperlab.notebook import LiveCurves

SETUP = """
import hyperlab
from hyperlab.notebook import LiveCurves
data = hyperlab.load_data("digits").subsample_train(200)
"""


def run_cells(*sources: str, timeout: int = 120) -> list:
    """Execute the cells in a fresh kernel (this checkout's sources first on its path); return the
    notebook's cells. A cell that shows a widget now and then stalls nbclient until its timeout
    (jupyter/nbclient#312; seen here once in a few full runs, for five minutes, in a cell that takes
    five seconds), so a cell waits at most 120 s, not 300, and a cell timeout reruns the cells once in
    a new kernel."""
    from nbclient.exceptions import CellTimeoutError

    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for attempt in (1, 2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": "."}})
        client.km = client.create_kernel_manager()
        client.start_new_kernel(env=env)  # type: ignore[call-arg]
        try:
            client.start_new_kernel_client()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            return nb.cells
        except CellTimeoutError:
            if attempt == 2:
                raise
        finally:
            client._cleanup_kernel()  # type: ignore[attr-defined]
    raise AssertionError("unreachable")


@pytest.mark.slow
def test_live_curves_update_one_output_in_place():
    cells = run_cells(SETUP, """
live = LiveCurves(min_interval=0)
result = hyperlab.train("mlp", data, {"epochs": 4}, width=16, callbacks=[live])
print(live.redraws)
""", """
live2 = LiveCurves(min_interval=0)
runs = hyperlab.fit_population("mlp", data, [{"lr": lr, "epochs": 3} for lr in (1e-3, 1e-2)], width=16,
                               callbacks=[live2])
print(live2.redraws)
""")
    for cell, redraws in ((cells[1], 4 + 1), (cells[2], 2 * 3 + 2)):
        displays = [o for o in cell.outputs if o.output_type == "display_data"]
        texts = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert len(displays) == 1, cell.outputs  # one figure, updated in place
        assert base64.b64decode(displays[0].data["image/png"]).startswith(b"\x89PNG")
        assert int(texts.split()[-1]) == redraws  # every epoch end and the end of each run redrew it


@pytest.mark.slow
def test_rich_progress_bar_does_not_flood_a_notebook():
    cells = run_cells(SETUP, """
from rich.console import Console
from hyperlab.cli.progress import ProgressBar, make_progress
with make_progress(Console()) as progress:
    result = hyperlab.train("mlp", data, {"epochs": 5, "batch_size": 8}, width=16,
                            callbacks=[ProgressBar(progress, "en")])
""")
    pytest.importorskip("ipywidgets")  # rich's Jupyter display draws into a widget
    outputs = cells[1].outputs
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 1 and len(outputs) <= 2, outputs  # one live display updated in place
    assert not [o for o in outputs if o.output_type == "stream"], outputs  # no line per update


def test_live_curves_outside_a_notebook_draws_nothing_but_keeps_the_curves(small_digits):
    import hyperlab

    live = LiveCurves(lang="ko")
    hyperlab.fit_population("mlp", small_digits, [{"lr": lr, "epochs": 2} for lr in (1e-3, 1e-2)], width=16,
                            callbacks=[live])
    assert live.handle is None and live.redraws == 0
    fig = live.figure()
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 2]
    assert fig.axes[1].get_ylabel() == "검증 정확도"
