"""Records: run directories on disk, one per member for runs trained together (Optuna's storage keeps studies)."""

from hyperlab.records.members import member_names, save_members
from hyperlab.records.run_store import load_run, save_run, write_json

__all__ = ["load_run", "member_names", "save_members", "save_run", "write_json"]
