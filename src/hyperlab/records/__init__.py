"""Records: run directories on disk (Optuna's storage keeps studies)."""

from hyperlab.records.run_store import load_run, save_run, write_json

__all__ = ["load_run", "save_run", "write_json"]
