"""Text for people lives in ``tuners/texts.py``, apart from the logic: no tuner module registers
texts itself, and every key a tuner looks up exists there in English and Korean."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hyperlab.tuners
from hyperlab.i18n import TEXT

PACKAGE = Path(hyperlab.tuners.__file__).parent


def calls_to(path: Path, name: str) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == name]


def test_only_the_texts_module_registers_texts():
    logic = [p for p in PACKAGE.glob("*.py") if p.name != "texts.py"]
    assert len(logic) >= 8
    assert {p.name: len(calls_to(p, "register")) for p in logic} == {p.name: 0 for p in logic}
    assert calls_to(PACKAGE / "texts.py", "register")


def test_every_key_a_tuner_looks_up_exists_in_both_languages():
    keys = set()
    for path in PACKAGE.glob("*.py"):
        for call in calls_to(path, "t"):
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.add(first.value)
            elif isinstance(first, ast.JoinedStr):  # f"lrf.stop.{reason}": check the fixed prefix has keys
                prefix = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
                prefix = re.split(r"\{", prefix)[0]
                assert any(k.startswith(prefix) for k in TEXT), prefix
    assert len(keys) > 40
    missing = sorted(k for k in keys if k not in TEXT)
    assert missing == []
    assert all(TEXT[k]["en"] and TEXT[k]["ko"] for k in keys)
