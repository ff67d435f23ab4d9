"""What loading a file did to its features that a user should be told, in English and Korean:
text columns one-hot encoded. Shared by the command line's notes and the lab's upload message."""

from __future__ import annotations

from hyperlab.data.bundle import Data
from hyperlab.i18n import register, t

register({
    "data.one_hot": {
        "en": "text columns one-hot encoded (one 0/1 feature per value): {columns}; {n} features in all",
        "ko": "문자 열을 원-핫 인코딩함 (값마다 0/1 특성 하나): {columns}; 특성 모두 {n}개"},
    "data.one_hot.column": {"en": "{column!r}, {n} values ({values})", "ko": "{column!r}, 값 {n}개 ({values})"},
})


def one_hot_note(data: Data, lang: str, shown: int = 5) -> str | None:
    """Which text columns became one 0/1 feature per value, with their first ``shown`` values; None
    when the data had none."""
    if not data.encoded:
        return None
    columns = [t("data.one_hot.column", lang, column=column, n=len(values),
                 values=", ".join(values[:shown]) + (", ..." if len(values) > shown else ""))
               for column, values in data.encoded.items()]
    return t("data.one_hot", lang, columns="; ".join(columns), n=data.n_features)
