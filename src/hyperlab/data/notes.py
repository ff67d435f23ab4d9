"""What loading a file did to its features that a user should be told, in English and Korean:
text columns one-hot encoded. Shared by the command line's notes and the lab's upload message."""

from __future__ import annotations

from hyperlab.data import texts  # noqa: F401 - registers the texts looked up here
from hyperlab.data.bundle import Data
from hyperlab.i18n import t


def one_hot_note(data: Data, lang: str, shown: int = 5) -> str | None:
    """Which text columns became one 0/1 feature per value, with their first ``shown`` values; None
    when the data had none."""
    if not data.encoded:
        return None
    columns = [t("data.one_hot.column", lang, column=column, n=len(values),
                 values=", ".join(values[:shown]) + (", ..." if len(values) > shown else ""))
               for column, values in data.encoded.items()]
    return t("data.one_hot", lang, columns="; ".join(columns), n=data.n_features)
