"""What loading a file did that a user should be told, in English and Korean: a file read as
Korean cp949, text columns one-hot encoded. Shared by the command line's notes and the lab's
upload message."""

from __future__ import annotations

from hyperlab.data import texts  # noqa: F401 - registers the texts looked up here
from hyperlab.data.bundle import Data
from hyperlab.textfiles import KOREAN_LEGACY
from hyperlab.i18n import t


def file_notes(data: Data, lang: str) -> list[str]:
    """Every note on how a file was read: its encoding when not UTF-8, then its one-hot columns."""
    notes = [t("data.cp949", lang)] if data.text_encoding == KOREAN_LEGACY else []
    return notes + ([note] if (note := one_hot_note(data, lang)) else [])


def one_hot_note(data: Data, lang: str, shown: int = 5) -> str | None:
    """Which text columns became one 0/1 feature per value, with their first ``shown`` values; None
    when the data had none."""
    if not data.encoded:
        return None
    columns = [t("data.one_hot.column", lang, column=column, n=len(values),
                 values=", ".join(values[:shown]) + (", ..." if len(values) > shown else ""))
               for column, values in data.encoded.items()]
    return t("data.one_hot", lang, columns="; ".join(columns), n=data.n_features)
