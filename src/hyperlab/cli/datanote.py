"""The lines a command prints about a user's data file: the task it was read as (or given by
--task), the classes and how their labels map to the model's outputs, the split sizes, and classes
validation lacks. Built from the loaded ``Data``, so the words say what the loader decided."""

from __future__ import annotations

import typer

from hyperlab.cli import texts  # noqa: F401 - registers the texts looked up here
from hyperlab.data import BUILTIN, Data
from hyperlab.data.arrays import max_classes
from hyperlab.data.notes import file_notes
from hyperlab.i18n import t


SHOWN_CLASSES = 10  # labels listed with their outputs; the rest counted
SHOWN_MISSING = 3  # classes without validation rows named one per line; more are counted in one


def data_notes(data: Data, source: str, lang: str, task: str | None = None,
               features: str | None = None) -> list[str]:
    """Nothing for a built-in set (`hyperlab datasets` describes those); for a file, one line on
    the task (``task``: the one --task gave, else it was inferred) and splits, one per class with
    no validation rows, and one on features read other than standardised (``features``)."""
    if source in BUILTIN:
        return []
    return _task_notes(data, source, lang, task) + _feature_notes(data, lang, features)


def _feature_notes(data: Data, lang: str, features: str | None) -> list[str]:
    lines = file_notes(data, lang)
    if features == "raw":
        lines.append(t("cli.data.features.raw", lang))
    if features == "ids":
        X = data.train.tensors[0]  # type: ignore[attr-defined]  # arrays and files are TensorDatasets
        lines.append(t("cli.data.features.ids", lang, n=data.n_features, low=int(X.min()), high=int(X.max())))
    return lines


def _task_notes(data: Data, source: str, lang: str, task: str | None) -> list[str]:
    column = t("cli.data.column", lang, label=data.label) if data.label else t("cli.data.y", lang)
    sizes = {k: v for k, v in data.describe().items() if k in ("n_train", "n_val", "n_test")}
    if data.task == "regression":
        if task is not None:
            return [t("cli.data.regression_given", lang, name=source, column=column, **sizes)]
        return [t("cli.data.regression", lang, name=source, column=column, **sizes,
                  max_classes=max_classes(sum(sizes.values())))]
    labels = data.classes or [str(i) for i in range(data.n_outputs)]
    identity = labels == [str(i) for i in range(len(labels))]
    shown = labels[:SHOWN_CLASSES]  # a label column of quantities read as classes has hundreds
    more = t("cli.data.more", lang, n=len(labels)) if len(labels) > len(shown) else ""
    mapping = "" if identity else t("cli.data.mapping", lang, labels=", ".join(shown) + more,
                                    outputs=", ".join(map(str, range(len(shown)))) + more)
    given = t("cli.data.given", lang) if task is not None else ""
    lines = [t("cli.data.classification", lang, name=source, given=given, k=data.n_outputs, column=column,
               mapping=mapping, **sizes)]
    rows = sum(sizes.values())
    if len(labels) > rows / 2:
        lines.append(t("cli.data.one_row_classes", lang, k=len(labels), rows=rows, column=column))
    val = data.class_counts("val")
    if val:
        total = [a + b + c for a, b, c in zip(data.class_counts("train"), val,
                                              data.class_counts("test") or [0] * len(val))]
        missing = [k for k, count in enumerate(val) if count == 0 and total[k] > 0]
        if len(missing) > SHOWN_MISSING:
            lines.append(t("cli.data.missing_many", lang, n=len(missing),
                           labels=", ".join(repr(labels[k]) for k in missing[:SHOWN_MISSING])))
        else:
            lines += [t("cli.data.missing", lang, label=labels[k], n=total[k]) for k in missing]
    return lines


def print_data_notes(data: Data, source: str, lang: str, quiet: bool, task: str | None = None,
                     features: str | None = None) -> None:
    """``data_notes`` as ``note:`` lines on stderr (stdout stays clean for --json), unless quiet."""
    if not quiet:
        for line in data_notes(data, source, lang, task, features):
            print_note(line)


def print_note(text: str) -> None:
    """One ``note:`` line on stderr (as hyperlab's warnings print)."""
    typer.echo(f"note: {text}", err=True)
