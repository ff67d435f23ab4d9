"""English and Korean text of sweeps and their results (registered into ``hyperlab.i18n``)."""

from hyperlab.i18n import register

register({
    "sweep_complete": {"en": "complete", "ko": "완료"},
    "sweep_running": {"en": "running", "ko": "실행 중"},
    "sweep_waiting": {"en": "waiting", "ko": "대기"},
    "sweep_duplicate": {"en": "duplicate (skipped)", "ko": "중복(건너뜀)"},
    "trial": {"en": "trial", "ko": "시행"},
    "epochs_run": {"en": "epochs run", "ko": "실행한 에폭"},
    "momentum": {"en": "momentum", "ko": "모멘텀"},
    "weight_decay": {"en": "weight decay", "ko": "가중치 감쇠"},
    "alpha": {"en": "alpha (rmsprop)", "ko": "알파 (rmsprop)"},
    "eps": {"en": "eps", "ko": "엡실론"},
    "trials": {"en": "trials", "ko": "시행"},
    "value": {"en": "value", "ko": "값"},
    "steps": {"en": "steps", "ko": "스텝"},
    "diverged_step": {"en": "diverged at", "ko": "발산 지점"},
    "diverged_where": {"en": "step {step} (epoch {epoch})", "ko": "스텝 {step} (에폭 {epoch})"},
    # the terminal table's column: the step alone, so the cell fits (the epoch is in --format csv/json)
    "diverged_at_step": {"en": "diverged at step", "ko": "발산 스텝"},
    "columns_left_out": {"en": "not shown at this width: {columns} (a wider terminal or --format csv shows them)",
                         "ko": "이 너비에서 생략한 열: {columns} (더 넓은 터미널이나 --format csv에서 보입니다)"},
    "sweep_effective_batch": {
        "en": "effective batch {effective} = {batch} x {accumulate} micro-batch{a_plural} x {world} process{w_plural}",
        "ko": "유효 배치 {effective} = 배치 {batch} x 마이크로배치 {accumulate}개 x 프로세스 {world}개"},
    "retry_of": {"en": "retry of #{n}", "ko": "#{n} 재시도"},
    "worker": {"en": "worker", "ko": "워커"},
    "study": {"en": "study", "ko": "스터디"},
    "strategy": {"en": "strategy", "ko": "탐색 전략"},
    "pruner": {"en": "pruner", "ko": "가지치기"},
    "storage": {"en": "storage", "ko": "저장소"},
    "search_space": {"en": "search space", "ko": "탐색 공간"},
    "best_trial": {"en": "best trial", "ko": "최고 시행"},
    "sweep_counts": {"en": "{finished} of {target} {target:trial|trials} finished ({counts})",
                     "ko": "시행 {target}개 중 {finished}개 종료 ({counts})"},
    "sweep_best": {"en": "best: trial {n}, validation {metric} {value:.4f} with {params}",
                   "ko": "최고: 시행 {n}, 검증 {metric} {value:.4f}, 설정 {params}"},
    "sweep_interrupted_unread": {
        "en": "interrupted before the study could be read; its finished trials, if any, are kept in {storage} "
              "(run the same command again to continue)",
        "ko": "스터디를 읽기 전에 중단됨. 종료된 시행이 있다면 {storage}에 보관되어 있습니다 "
              "(같은 명령을 다시 실행하면 이어서 진행합니다)"},
    "sweep_no_best": {"en": "no trial has completed yet", "ko": "아직 완료된 시행이 없습니다"},
    "sweep_interrupted": {"en": "interrupted; {finished} finished {finished:trial is|trials are} kept in {storage} "
                                "(run the same command again to continue)",
                          "ko": "중단됨. 종료된 시행 {finished}개는 {storage}에 보관되어 있습니다 "
                                "(같은 명령을 다시 실행하면 이어서 진행합니다)"},
    "sweep_results_hint": {"en": "Results: hyperlab results {study} --storage {storage}",
                           "ko": "결과 보기: hyperlab results {study} --storage {storage}"},
    "sweep_resumed": {"en": "resuming study '{study}': {finished} {finished:trial|trials} already finished",
                      "ko": "스터디 '{study}' 이어서 진행: 이미 종료된 시행 {finished}개"},
    "sweep_created": {"en": "new study '{study}' in {storage}", "ko": "새 스터디 '{study}' ({storage})"},
    "sweep_default_batches": {
        "en": "default space fitted to the data: batch size {kept} ({dropped} dropped: more than the {n} training samples)",
        "ko": "기본 탐색 공간을 데이터에 맞춤: 배치 크기 {kept} ({dropped}은(는) 학습 샘플 {n}개보다 커서 뺌)"},
    "sweep_default_batches_accumulate": {
        "en": "default space fitted to the data: batch size {kept} ({dropped} dropped: x {a} micro-batches per step "
              "is more than the {n} training samples)",
        "ko": "기본 탐색 공간을 데이터에 맞춤: 배치 크기 {kept} ({dropped}은(는) 스텝당 마이크로배치 {a}개를 곱하면 학습 "
              "샘플 {n}개보다 커서 뺌)"},
    "sweep_linear_note": {
        "en": "note: {name} {range} is searched on a linear scale, so {share:.0%} of its draws fall above {top:g}; "
              "write {range}:log to spread them evenly over the decades",
        "ko": "참고: {name} {range}은(는) 선형 척도로 탐색하므로 뽑는 값의 {share:.0%}이(가) {top:g}보다 큽니다. "
              "디케이드마다 고르게 뽑으려면 {range}:log 형식으로 쓰세요"},
    "sweep_cmaes_note": {"en": "cmaes moves through the ranges; lists ({names}) are drawn at random",
                         "ko": "cmaes는 범위 값만 탐색하고, 목록({names})은 무작위로 뽑습니다"},
    "report_title": {"en": "Sweep '{study}'", "ko": "스윕 '{study}'"},
    "report_summary": {"en": "Summary", "ko": "요약"},
    "report_trials": {"en": "Trials, best first", "ko": "시행 목록 (좋은 순)"},
    "report_heatmap": {"en": "Learning rate x batch size", "ko": "학습률 x 배치 크기"},
    "report_heatmap_text": {
        "en": "Each cell: the best final validation {metric} of the completed trials whose learning rate "
              "and batch size fall in it (number of trials below it). A cell with no completed trial says how many "
              "trials there were pruned or diverged; an empty cell had none.",
        "ko": "각 칸: 학습률과 배치 크기가 그 칸에 드는 완료된 시행의 최고 최종 검증 {metric} (아래 숫자는 시행 수). "
              "완료된 시행이 없는 칸에는 가지치기되거나 발산한 시행 수를 적었고, 빈 칸에는 시행이 없었습니다."},
    "report_parallel": {"en": "Parallel coordinates", "ko": "평행 좌표"},
    "report_history": {"en": "Optimisation history", "ko": "최적화 기록"},
    "report_curves": {"en": "Learning curves of the best trials", "ko": "최고 시행들의 학습 곡선"},
    "report_curves_text": {
        "en": "Validation {metric} per epoch (the values reported to Optuna). Grey: pruned trials, "
              "stopped where the pruner ended them.",
        "ko": "에폭별 검증 {metric} (Optuna에 보고된 값). 회색: 가지치기된 시행, 가지치기된 지점에서 멈춤."},
    "report_importance": {"en": "Importance of each knob", "ko": "각 하이퍼파라미터의 중요도"},
    "report_importance_text": {
        "en": "fANOVA importance (Optuna) over the {n} completed trials: the share of the variance of the "
              "validation {metric} explained by each searched setting.",
        "ko": "완료된 시행 {n}개에 대한 fANOVA 중요도(Optuna): 검증 {metric}의 분산 중 각 설정이 설명하는 비율."},
    "report_not_enough": {"en": "Not enough completed trials for this plot ({n}; needs {need}).",
                          "ko": "이 그림을 그리기에 완료된 시행이 부족합니다 ({n}개; {need}개 필요)."},
    "report_not_searched": {"en": "Not drawn: {names} not searched in this study.",
                            "ko": "그리지 않음: 이 스터디에서 {names}을(를) 탐색하지 않았습니다."},
    "report_written": {"en": "Report: {path}", "ko": "보고서: {path}"},
    "report_compute": {"en": "{steps} training steps in all, {seconds:.1f} s of training",
                       "ko": "총 학습 스텝 {steps}, 학습 시간 {seconds:.1f}초"},
})
