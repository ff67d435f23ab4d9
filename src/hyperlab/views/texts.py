"""Texts of the comparison views (the table and the overlaid curves of runs trained together)."""

from hyperlab.i18n import register

register({
    "cmp.title": {"en": "{n} runs trained together as one population", "ko": "한 번에(하나의 집단으로) 학습한 {n}개 실행"},
    "cmp.title_sequential": {"en": "{n} runs trained one after another", "ko": "차례로 학습한 {n}개 실행"},
    "cmp.run": {"en": "run", "ko": "실행"},
    "cmp.seed": {"en": "seed", "ko": "시드"},
    "cmp.best": {"en": "best: {name} (validation {metric} {value:.4f})",
                 "ko": "최고: {name} (검증 {metric} {value:.4f})"},
    "cmp.curves": {"en": "Validation curves of {n} runs", "ko": "{n}개 실행의 검증 곡선"},
    "cmp.diverged_mark": {"en": "x = diverged", "ko": "x = 발산"},
    "cmp.results_in": {"en": "One run directory per member in {path}; overlaid curves: {plot}",
                       "ko": "실행마다 디렉터리 하나: {path}; 겹친 곡선: {plot}"},
})
