"""Human-facing text in English and Korean. Numbers are formatted into both from the same values.

    >>> t("batch_size", "ko")
    '배치 크기'
"""

from __future__ import annotations

import re
import string
from typing import Any

from hyperlab.errors import check_choice

LANGS = ("en", "ko")

TEXT: dict[str, dict[str, str]] = {
    # the four knobs
    "batch_size": {"en": "batch size", "ko": "배치 크기"},
    "lr": {"en": "learning rate", "ko": "학습률"},
    "lr_recheck": {"en": "learning rate, re-checked", "ko": "학습률 재확인"},
    "lr_confirm": {"en": "learning rate, confirmed on more seeds", "ko": "학습률, 시드를 늘려 확인"},
    "epochs": {"en": "epochs", "ko": "에폭"},
    "epoch": {"en": "epoch", "ko": "에폭"},
    "optimizer": {"en": "optimizer", "ko": "옵티마이저"},
    # measurements
    "step": {"en": "step", "ko": "스텝"},
    "loss": {"en": "loss", "ko": "손실"},
    "train": {"en": "train", "ko": "훈련"},
    "val": {"en": "validation", "ko": "검증"},
    "accuracy": {"en": "accuracy", "ko": "정확도"},
    "r2": {"en": "R²", "ko": "결정계수 R²"},
    "status": {"en": "status", "ko": "상태"},
    "completed": {"en": "completed", "ko": "완료"},
    "diverged": {"en": "diverged", "ko": "발산"},
    "stopped_early": {"en": "stopped early", "ko": "조기 종료"},
    "interrupted": {"en": "interrupted", "ko": "중단됨"},
    "pruned": {"en": "pruned", "ko": "가지치기됨"},
    "paused": {"en": "paused", "ko": "일시 정지됨"},
    "failed": {"en": "failed", "ko": "실패"},
    "steps_per_epoch": {"en": "steps per epoch", "ko": "에폭당 스텝"},
    "peak_memory": {"en": "peak memory", "ko": "최대 메모리"},
    "seconds": {"en": "seconds", "ko": "초"},
    "best_epoch": {"en": "best epoch", "ko": "최고 에폭"},
    "final": {"en": "final", "ko": "최종"},
    "best": {"en": "best", "ko": "최고"},
    "learning_curves": {"en": "Learning curves", "ko": "학습 곡선"},
    "results_in": {"en": "Results in {path}", "ko": "결과 위치: {path}"},
    "steps_arith": {"en": "{n} samples / batch size {b} = {s} {s:step|steps} per epoch",
                    "ko": "샘플 {n}개 / 배치 크기 {b} = 에폭당 {s} 스텝"},
    "steps_arith_effective": {
        "en": "{n} samples / ({b} x {a} micro-batch{a_plural} x {w} process{w_plural}) = {s} {s:step|steps} per epoch",
        "ko": "샘플 {n}개 / (배치 {b} x 마이크로배치 {a}개 x 프로세스 {w}개) = 에폭당 {s} 스텝"},
    "diverged_at": {"en": "diverged at step {step} (epoch {epoch}): loss {reason}",
                    "ko": "스텝 {step}(에폭 {epoch})에서 발산: 손실 {reason}"},
    "early_stopped_at": {"en": "stopped early after epoch {epoch}; best epoch {best}",
                         "ko": "에폭 {epoch} 후 조기 종료; 최고 에폭 {best}"},
    "restored": {"en": "weights restored from epoch {epoch}", "ko": "에폭 {epoch}의 가중치로 복원"},
    "non-finite": {"en": "became non-finite", "ko": "값이 유한하지 않음(NaN/inf)"},
    "exploded": {"en": "exploded far above its start", "ko": "시작값보다 훨씬 크게 폭증"},
}


def steps_arithmetic(n_train: int, batch_size: int, steps: int, lang: str = "en", *, accumulate: int = 1,
                     world_size: int = 1) -> str:
    """The seed's arithmetic: "2000 samples / batch size 100 = 20 steps per epoch", or with the
    effective batch "2000 samples / (25 x 4 micro-batches x 1 process) = 20 steps per epoch"."""
    n = n_train
    if accumulate == 1 and world_size == 1:
        return t("steps_arith", lang, n=n, b=batch_size, s=steps)
    return t("steps_arith_effective", lang, n=n, b=batch_size, a=accumulate, w=world_size, s=steps,
             a_plural="es" if accumulate != 1 else "", w_plural="es" if world_size != 1 else "")


class _Formatter(string.Formatter):
    """``str.format`` plus one spec for English plurals: ``{n:step|steps}`` is "step" when n == 1,
    else "steps", so "1 step" and "2 steps" come from one text."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if "|" in format_spec:
            one, _, many = format_spec.partition("|")
            return one if value == 1 else many
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def t(key: str, lang: str = "en", **values: Any) -> str:
    """The text for ``key`` in ``lang`` with ``values`` filled in (English if no translation);
    ``{n:step|steps}`` picks the word for the count n, and in Korean a particle written as a pair
    after a value (``{b}은(는)``) is chosen for the value (`korean_particles`).

        >>> t("steps_arith", n=1078, b=1078, s=1)
        '1078 samples / batch size 1078 = 1 step per epoch'
    """
    entry = TEXT.get(key)
    text = key if entry is None else entry.get(lang) or entry["en"]
    if not values:
        return text
    text = _FORMATTER.format(text, **values) if "|" in text else text.format(**values)
    return korean_particles(text) if lang == "ko" else text


# Korean particles written as pairs in the texts: (after a final consonant, after a vowel). "(으)로"
# takes 로 after ㄹ too; "(이)었" is the past copula (0.44이었습니다 / 0.45였습니다).
_PARTICLES = {"은(는)": ("은", "는"), "이(가)": ("이", "가"), "을(를)": ("을", "를"),
              "과(와)": ("과", "와"), "(으)로": ("으로", "로"), "(이)었": ("이었", "였")}
_PAIR = re.compile("|".join(re.escape(pair) for pair in _PARTICLES))
# the final sound of a number read in Korean: its last digit (영 일 이 삼 사 오 육 칠 팔 구), or for
# an integer ending in zeros, the unit (십 백 천 만 ... 억): None = a vowel, else the final consonant
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": None, "3": "ㅁ", "4": None, "5": None, "6": "ㄱ", "7": "ㄹ", "8": "ㄹ",
                "9": None}
_UNIT_FINAL = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ", 4: "ㄴ", 5: "ㄴ", 6: "ㄴ", 7: "ㄴ", 8: "ㄱ"}
_NUMBER_END = re.compile(r"[\d,.]*\d$")
_JONGSEONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def _final_sound(before: str) -> str | None | bool:
    """The final consonant of what ``before`` ends with as read aloud, None for a vowel, False
    when it cannot be told (Latin letters, symbols): the pair is then left as written."""
    if before.endswith(")") and "(" in before:  # "256(목표)은": the particle follows the word before
        before = before[:before.rindex("(")]
    if not before:
        return False
    last = before[-1]
    if "가" <= last <= "힣":
        return _JONGSEONG[(ord(last) - ord("가")) % 28].strip() or None
    if last == "²":  # R² (알 제곱)
        return "ㅂ"
    if last in "0123456789":  # str.isdigit also takes ² and other digits the pattern below does not read
        number = _NUMBER_END.search(before).group().replace(",", "")  # type: ignore[union-attr]
        whole = number.split(".")[0] if "." not in number else ""
        zeros = len(whole) - len(whole.rstrip("0"))
        if whole and zeros and int(whole) != 0:
            return _UNIT_FINAL.get(zeros, "ㄱ")
        return _DIGIT_FINAL[last]
    if last == "%" or before.endswith(("iB", " B")):  # 퍼센트, 바이트 (the memory sizes)
        return None
    return False


def korean_particles(text: str) -> str:
    """Choose each particle written as a pair (``은(는)``, ``이(가)``, ``을(를)``, ``과(와)``,
    ``(으)로``, ``(이)었``) for the word or number before it, as one reads it aloud; where that cannot
    be told (an English word), the pair stays, which is how Korean software writes it."""
    def choose(match: re.Match[str]) -> str:
        final = _final_sound(text[:match.start()])
        if final is False:
            return match.group()
        after_consonant, after_vowel = _PARTICLES[match.group()]
        if match.group() == "(으)로" and final == "ㄹ":
            return after_vowel
        return after_vowel if final is None else after_consonant
    return _PAIR.sub(choose, text)


def has_text(key: str) -> bool:
    """Whether ``key`` has registered words (``t`` gives the key itself back when it has none)."""
    return key in TEXT


def texts_for_page() -> dict[str, dict[str, str]]:
    """Every registered text in every language (English where a translation is missing), for a
    page that switches language without asking the server (the web lab)."""
    return {key: {lang: entry.get(lang) or entry["en"] for lang in LANGS} for key, entry in TEXT.items()}


def check_lang(lang: str) -> str:
    """Validate a --lang value."""
    return check_choice("lang", lang, LANGS)


def register(entries: dict[str, dict[str, str]]) -> None:
    """Add texts from another module (lessons, tuners) so one table serves every view.

    A key already registered with different words is refused: a later table silently replacing an
    earlier one's text (a plot title shown where another was meant) is a bug, not an override.
    Registering the same words again (a module imported twice) is harmless."""
    for key, entry in entries.items():
        if "en" not in entry or "ko" not in entry:
            raise ValueError(f"text {key!r} needs both 'en' and 'ko'")
        if key in TEXT and TEXT[key] != entry:
            raise ValueError(f"text {key!r} is already registered with other words: "
                             f"{TEXT[key]['en']!r} vs {entry['en']!r}; give one of them another key")
    TEXT.update(entries)
