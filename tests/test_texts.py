"""Text for people lives in each package's ``texts.py``, apart from the logic (one convention for
every package): only texts modules register texts, every key the code looks up exists in English
and Korean, and a module that looks up a package's keys imports that package's texts module."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import hyperlab
from hyperlab.i18n import TEXT

SRC = Path(hyperlab.__file__).parent
MODULES = sorted(SRC.rglob("*.py"))
TEXTS_MODULES = [p for p in MODULES if p.name == "texts.py"]
LOGIC = [p for p in MODULES if p.name != "texts.py" and p != SRC / "i18n.py"]
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)*$")

for _path in TEXTS_MODULES:  # every table, so lookups below see all of them
    importlib.import_module(".".join(("hyperlab", *_path.relative_to(SRC).with_suffix("").parts)))


def rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def calls_to(path: Path, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree(path))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name]


def text_access(path: Path) -> list[str]:
    """Ways a module could add texts itself: importing ``register``/``TEXT`` from hyperlab.i18n, or
    ``i18n.register``/``i18n.TEXT`` through the module."""
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module == "hyperlab.i18n":
            found += [f"import {a.name}" for a in node.names if a.name in ("register", "TEXT")]
        elif isinstance(node, ast.Attribute) and node.attr in ("register", "TEXT") and \
                ast.unparse(node.value).endswith("i18n"):
            found.append(ast.unparse(node))
    return found


def looked_up(path: Path) -> tuple[set[str], set[str]]:
    """The keys a module looks up by name (``t("key")``; claims ``Claim("key", ...)`` read
    ``key.claim``/``.evidence``/``.rule``), and the fixed prefixes of keys it builds (``t(f"lr.kind.{k}")``)."""
    keys, prefixes = set(), set()
    for call in calls_to(path, "t"):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            keys.add(first.value)
        elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
            prefixes.add(first.values[0].value)
    for name in ("Claim", "not_measured"):
        for call in calls_to(path, name):
            first = call.args[0] if call.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            evidence = [kw.value.value for kw in call.keywords
                        if kw.arg == "evidence_key" and isinstance(kw.value, ast.Constant)]
            own_evidence = name == "Claim" and not any(kw.arg == "evidence_key" for kw in call.keywords)
            keys |= {f"{first.value}.claim", f"{first.value}.rule", *evidence}
            keys |= {f"{first.value}.evidence"} if own_evidence else set()
            if name == "not_measured" and len(call.args) > 1 and isinstance(call.args[1], ast.Constant):
                keys.add(f"reason.{call.args[1].value}")
    return keys, prefixes


def registered_keys(path: Path) -> set[str]:
    """The literal keys of the tables a texts module registers."""
    return {key.value for call in calls_to(path, "register") for arg in call.args if isinstance(arg, ast.Dict)
            for key in arg.keys if isinstance(key, ast.Constant)}


def imports_module(path: Path, dotted: str) -> bool:
    package, _, name = dotted.rpartition(".")
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module == package and any(a.name == name for a in node.names):
            return True
        if isinstance(node, ast.Import) and any(a.name == dotted for a in node.names):
            return True
    return False


def test_every_package_with_texts_keeps_them_in_one_module():
    assert {rel(p) for p in TEXTS_MODULES} >= {"cli/texts.py", "lessons/texts.py", "sweeps/texts.py",
                                                "tuners/texts.py", "views/texts.py"}
    assert all(calls_to(p, "register") for p in TEXTS_MODULES)


@pytest.mark.parametrize("path", LOGIC, ids=rel)
def test_no_logic_module_registers_texts(path: Path):
    assert text_access(path) == []
    assert calls_to(path, "register") == []


@pytest.mark.slow  # a fresh process imports every module (~10 s)
def test_only_texts_modules_register_when_everything_is_imported():
    """Every module of the package imported in a fresh process, with i18n.register recording its callers."""
    script = (
        "import importlib, json, pkgutil, sys\n"
        "import hyperlab, hyperlab.i18n as i18n\n"
        "callers, original = set(), i18n.register\n"
        "def register(entries):\n"
        "    callers.add(sys._getframe(1).f_code.co_filename)\n"
        "    original(entries)\n"
        "i18n.register = register\n"
        "for m in pkgutil.walk_packages(hyperlab.__path__, 'hyperlab.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        try:\n"
        "            importlib.import_module(m.name)\n"
        "        except ImportError:\n"
        "            pass\n"
        "print(json.dumps(sorted(callers)))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    callers = {Path(p).resolve() for p in json.loads(out.splitlines()[-1])}
    assert callers == {p.resolve() for p in TEXTS_MODULES}


def test_every_key_looked_up_exists_in_both_languages():
    keys, prefixes = set(), set()
    for path in LOGIC:
        found, starts = looked_up(path)
        keys |= {k for k in found if KEY.match(k)}
        prefixes |= {p for p in starts if p}
    assert len(keys) > 150
    assert sorted(k for k in keys if k not in TEXT) == []
    assert [k for k in sorted(keys) if not (TEXT[k]["en"] and TEXT[k]["ko"])] == []
    assert [p for p in sorted(prefixes) if not any(k.startswith(p) for k in TEXT)] == []


@pytest.mark.parametrize("path", LOGIC, ids=rel)
def test_a_module_imports_the_texts_module_whose_keys_it_looks_up(path: Path):
    """Registration happens at import, so a module that looks a package's key up imports that
    package's texts module itself (not through whichever module happened to be imported first)."""
    keys = looked_up(path)[0]
    for texts in TEXTS_MODULES:
        dotted = ".".join(("hyperlab", *texts.relative_to(SRC).with_suffix("").parts))
        used = sorted(keys & registered_keys(texts))
        if used:
            assert imports_module(path, dotted), f"{rel(path)} looks up {used[:3]} but does not import {dotted}"


def test_register_refuses_a_key_with_other_words_and_accepts_the_same_again():
    from hyperlab.i18n import register

    key = "test_only.conflict"
    register({key: {"en": "one", "ko": "하나"}})
    try:
        register({key: {"en": "one", "ko": "하나"}})  # a module imported twice: harmless
        with pytest.raises(ValueError, match="test_only.conflict.*already registered"):
            register({key: {"en": "two", "ko": "둘"}})
        assert TEXT[key]["en"] == "one"  # the refused table changed nothing
    finally:
        del TEXT[key]


def test_no_two_texts_tables_give_one_key_different_words():
    """Every table imported in one fresh process (register refuses conflicts, so this fails on a clash)."""
    modules = [".".join(("hyperlab", *p.relative_to(SRC).with_suffix("").parts)) for p in TEXTS_MODULES]
    code = "import importlib\nfor m in %r: importlib.import_module(m)\n" % modules
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
