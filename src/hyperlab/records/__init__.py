"""Records: run directories on disk, one per member for runs trained together (Optuna's storage keeps studies)."""

from hyperlab.records.members import comparison_members, member_names, save_members
from hyperlab.records.run_store import RUN_FILES, holds_run, load_run, save_run, write_json

__all__ = ["RUN_FILES", "comparison_members", "holds_run", "load_run", "member_names", "save_members", "save_run", "write_json"]
