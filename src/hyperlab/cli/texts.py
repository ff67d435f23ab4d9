"""English and Korean text of the command line (registered into ``hyperlab.i18n``), one table per command module."""

from hyperlab.i18n import register

# cli/lessons.py
register({
    "cli.report_at": {"en": "Report: {path}", "ko": "보고서: {path}"},
    "cli.tour_report_at": {"en": "Tour report (all four lessons): {path}",
                           "ko": "투어 보고서 (네 수업 모두): {path}"},
    "cli.lesson_interrupted": {"en": "interrupted; no lesson report was written (earlier reports are untouched)",
                               "ko": "중단됨; 수업 보고서를 쓰지 않았습니다(이전 보고서는 그대로입니다)"},
})

# cli/train.py
register({
    "cli.replaced_run": {"en": "replaced the earlier run in {path}", "ko": "{path}에 있던 이전 실행을 이번 실행으로 바꿨습니다"},
    "cli.replaced_comparison": {"en": "replaced the earlier comparison in {path}",
                                "ko": "{path}에 있던 이전 비교를 이번 비교로 바꿨습니다"},
    "cli.removed_members": {"en": "; removed its members not in this one: {names}",
                            "ko": "; 이번 비교에 없는 이전 멤버를 지웠습니다: {names}"},
})

# cli/tuners.py
register({
    "cli.plot": {"en": "Plot: {path}", "ko": "그림: {path}"},
    "cli.suggestion": {"en": "suggestion", "ko": "제안"},
    "cli.stage": {"en": "stage {i}/4: {name}", "ko": "단계 {i}/4: {name}"},
    "cli.cost": {"en": "cost", "ko": "비용"},
    "cli.cost_value": {"en": "{steps} steps, {epochs:.3g} epochs, {samples:,} samples",
                       "ko": "{steps} 스텝, {epochs:.3g} 에폭, 샘플 {samples:,}개"},
})
