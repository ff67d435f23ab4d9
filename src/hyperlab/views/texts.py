"""English and Korean text of the views (registered into ``hyperlab.i18n``): the lessons' figures and
the comparison of runs trained together (table and overlaid curves), a run's summary rows."""

from hyperlab.i18n import register

# views/lesson_plots.py
register({
    "plot.batch_loss": {"en": "Training loss at every step (x: epochs)", "ko": "스텝마다의 훈련 손실 (x: 에폭)"},
    "plot.batch_measures": {"en": "What the batch size changes", "ko": "배치 크기가 바꾸는 것"},
    "plot.batch_val": {"en": "Validation {metric}: equal epochs, equal steps, scaled lr",
                       "ko": "검증 {metric}: 같은 에폭, 같은 스텝, 조정된 학습률"},
    "plot.equal_epochs": {"en": "{epochs} {epochs:epoch|epochs}, lr {lr:g}", "ko": "{epochs} 에폭, 학습률 {lr:g}"},
    "plot.equal_steps": {"en": "{steps} {steps:step|steps}, lr {lr:g}", "ko": "{steps} 스텝, 학습률 {lr:g}"},
    "plot.scaled": {"en": "{epochs} {epochs:epoch|epochs}, lr x B/{base}", "ko": "{epochs} 에폭, 학습률 x B/{base}"},
    "plot.lr_curves": {"en": "Training loss per learning rate (moving average)",
                       "ko": "학습률별 훈련 손실 (이동평균)"},
    "plot.lr_summary": {"en": "Final validation {metric} per learning rate", "ko": "학습률별 최종 검증 {metric}"},
    "plot.epochs_curves": {"en": "Train vs validation over epochs", "ko": "에폭에 따른 훈련 대 검증"},
    "plot.opt_curves": {"en": "Optimizers at their own best learning rate", "ko": "각자 최적 학습률에서의 옵티마이저"},
    "plot.opt_surfaces": {"en": "Paths on 2-D surfaces (torch.optim)", "ko": "2차원 곡면 위의 경로 (torch.optim)"},
    "plot.opt_values": {"en": "Distance above the minimum value per step", "ko": "스텝별 최솟값과의 차이"},
    "plot.stopped": {"en": "early stop", "ko": "조기 종료"},
    "plot.noise": {"en": "relative loss noise", "ko": "상대 손실 노이즈"},
    "plot.samples_s": {"en": "samples / s", "ko": "초당 샘플"},
    "plot.memory": {"en": "peak memory (KiB)", "ko": "최대 메모리 (KiB)"},
    "plot.seconds": {"en": "seconds (whole run)", "ko": "초 (전체 실행)"},
    # the comparison of runs trained together (cli/train.py, records)
    "cmp.title": {"en": "{n} {n:run|runs} trained together as one population", "ko": "한 번에(하나의 집단으로) 학습한 {n}개 실행"},
    "cmp.title_cohorts": {"en": "{n} runs trained as one population, in {k} cohorts by batch size ({sizes})",
                          "ko": "{n}개 실행을 하나의 집단으로 학습(배치 크기별 코호트 {k}개: {sizes})"},
    "cmp.settings_title": {"en": "{n} {n:setting|settings} over their seeds (final validation numbers)",
                           "ko": "시드를 묶은 설정 {n}개 (최종 검증 값)"},
    "cmp.setting": {"en": "setting", "ko": "설정"},
    "cmp.seeds": {"en": "seeds", "ko": "시드"},
    "cmp.mean": {"en": "mean", "ko": "평균"},
    "cmp.seed_range": {"en": "lowest – highest", "ko": "최저 – 최고"},
    "cmp.best_setting": {
        "en": "best setting on the mean of its {seeds} seeds: {name} (validation {metric} {value:.4f}, "
              "{lo:.4f} to {hi:.4f})",
        "ko": "시드 {seeds}개 평균으로 가장 좋은 설정: {name} (검증 {metric} {value:.4f}, {lo:.4f}~{hi:.4f})"},
    "cmp.title_chunks": {"en": "{n} runs trained as populations of at most {k}, to fit the memory limit",
                         "ko": "{n}개 실행을 메모리 한도에 맞춰 최대 {k}개씩 집단으로 학습"},
    "cmp.training": {"en": "training {n} {n:run|runs}", "ko": "{n}개 실행 학습 중"},
    "cmp.title_sequential": {"en": "{n} {n:run|runs} trained one after another", "ko": "차례로 학습한 {n}개 실행"},
    "cmp.run": {"en": "run", "ko": "실행"},
    "cmp.seconds_shared": {
        "en": "seconds: members trained together share one clock, so each shows the wall time of its whole "
              "cohort (the members with its batch size) up to the member's own end, not its own share",
        "ko": "초: 함께 학습한 멤버는 시계 하나를 나눠 쓰므로, 각 멤버의 초는 자기 몫이 아니라 그 멤버가 끝날 "
              "때까지 그 "
              "묶음(같은 배치 크기의 멤버들) 전체가 쓴 벽시계 시간입니다"},
    "cmp.seed": {"en": "seed", "ko": "시드"},
    "cmp.best": {"en": "best: {name} (validation {metric} {value:.4f})",
                 "ko": "최고: {name} (검증 {metric} {value:.4f})"},
    "cmp.curves": {"en": "Validation curves of {n} {n:run|runs}", "ko": "{n}개 실행의 검증 곡선"},
    "cmp.diverged_mark": {"en": "x = diverged", "ko": "x = 발산"},
    "cmp.columns_left_out": {"en": "not shown at this width: {columns} (a wider terminal or --json shows them)",
                             "ko": "이 너비에서 생략한 열: {columns} (더 넓은 터미널이나 --json에서 보입니다)"},
    "cmp.curves_grouped": {"en": "Validation curves of {n} runs as {m} settings (each line the mean over its seeds; "
                                 "band: lowest to highest)",
                           "ko": "{n}개 실행을 설정 {m}개로 묶은 검증 곡선 (선은 시드 평균, 띠는 최저~최고)"},
    "cmp.curves_best": {"en": "the {k} best of {m} lines by final validation {metric} are named; the others are grey",
                        "ko": "최종 검증 {metric} 기준 상위 {k}개 선만 이름을 붙였고(전체 {m}개), 나머지는 회색입니다"},
    "cmp.results_in": {"en": "One run directory per member in {path}; overlaid curves: {plot}",
                       "ko": "실행마다 디렉터리 하나: {path}; 겹친 곡선: {plot}"},
})

# views/display.py and the results' notebook displays
register({
    "view.value": {"en": "value", "ko": "값"},
    "view.run_title": {"en": "Training run: {optimizer}, batch size {batch}, lr {lr:g}",
                       "ko": "학습 실행: {optimizer}, 배치 크기 {batch}, 학습률 {lr:g}"},
    "view.summary": {"en": "Summary", "ko": "요약"},
    "view.curves": {"en": "Learning curves", "ko": "학습 곡선"},
    "view.suggestion": {"en": "Suggestion", "ko": "제안"},
})

# views/run_summary.py: the settings a run's summary shows when they are not the defaults
register({
    "sum.precision": {"en": "precision", "ko": "정밀도"},
    "sum.clip": {"en": "gradient clipping", "ko": "그래디언트 클리핑"},
    "sum.clip_value": {"en": "total norm <= {value}", "ko": "전체 노름 <= {value}"},
    "sum.accumulate": {"en": "gradient accumulation", "ko": "그래디언트 누적"},
    "sum.accumulate_value": {"en": "{n} micro-batches per step", "ko": "스텝당 마이크로배치 {n}개"},
    "sum.on": {"en": "on", "ko": "켜짐"},
})
