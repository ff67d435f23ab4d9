"""English and Korean text of the lessons (registered into ``hyperlab.i18n``): shared words, then each lesson's."""

from hyperlab.i18n import TEXT, register

# shared by every lesson (lessons/base.py)
register({
    "verdict.confirmed": {"en": "confirmed", "ko": "확인됨"},
    "verdict.not_observed": {"en": "not observed in this run", "ko": "이번 실행에서는 관찰되지 않음"},
    "verdict.contradicted": {"en": "contradicted", "ko": "반박됨"},
    "lesson.claim": {"en": "claim", "ko": "주장"},
    "lesson.verdict": {"en": "verdict", "ko": "판정"},
    "lesson.evidence": {"en": "measured evidence", "ko": "측정 근거"},
    "lesson.rule": {"en": "rule", "ko": "판정 기준"},
    "lesson.findings": {"en": "Findings", "ko": "결과"},
    "lesson.setup": {"en": "Set-up", "ko": "실험 설정"},
    "reason.few_steps": {"en": "fewer than 3 steps to measure the noise on", "ko": "노이즈를 잴 스텝이 3개 미만"},
    "reason.no_epoch": {"en": "no completed epoch to time", "ko": "시간을 잴 완료된 에폭이 없음"},
    "reason.no_memory": {"en": "peak memory was not measured", "ko": "최대 메모리가 측정되지 않음"},
    "reason.incomplete": {"en": "a run did not complete (see its status)", "ko": "끝나지 않은 실행이 있음(상태 참고)"},
    "reason.before_budget": {"en": "a run stopped before the step budget", "ko": "스텝 예산 전에 멈춘 실행이 있음"},
    "reason.none_completed": {"en": "no rate completed", "ko": "끝까지 학습한 학습률이 없음"},
    "reason.no_divergence": {"en": "no rate diverged in this range", "ko": "이 범위에서 발산한 학습률이 없음"},
    "reason.all_diverged": {"en": "even the smallest rate diverged", "ko": "가장 작은 학습률도 발산함"},
    "reason.no_validation": {"en": "no validation numbers", "ko": "검증 수치가 없음"},
    "reason.no_train_eval": {"en": "the training split was not evaluated", "ko": "훈련 데이터가 평가되지 않음"},
    "reason.few_optimizers": {"en": "fewer than two optimizers completed", "ko": "끝까지 학습한 옵티마이저가 2개 미만"},
    "reason.needs_pair": {"en": "needs {slow} and {fast}, each with a completed run",
                          "ko": "{slow}와(과) {fast}의 완료된 실행이 필요함"},
    "reason.path_diverged": {"en": "a path diverged at every rate of its grid",
                             "ko": "어떤 경로가 그리드의 모든 학습률에서 발산함"},
    "lesson.not_measured": {"en": "not measured in this run: {reason}",
                            "ko": "이번 실행에서 측정되지 않음: {reason}"},
    "lesson.setup_text": {
        "en": "Data {dataset} ({task}, {n_train} training / {n_val} validation samples), model {model}, "
              "seed {seed}, budget {budget}; {runs} training runs through the one trainer, {seconds:.1f} s.",
        "ko": "데이터 {dataset} ({task}, 훈련 {n_train}개 / 검증 {n_val}개), 모델 {model}, 시드 {seed}, "
              "예산 {budget}; 하나의 트레이너로 {runs}번 학습, {seconds:.1f}초."},
    "lesson.claims_intro": {
        "en": "Each claim below is a textbook statement; the verdict is computed from this run's numbers "
              "with the rule shown, never written in advance.",
        "ko": "아래 각 주장은 교과서의 설명이며, 판정은 표시된 기준에 따라 이번 실행의 수치로 계산한 것입니다 "
              "(미리 정해 둔 결론이 아닙니다)."},
})

# the batch-size lesson: claims
register({
    "batch.title": {"en": "Batch size", "ko": "배치 크기"},
    "batch.intro": {
        "en": "Batch size B is the number of samples per optimizer step: one epoch over N samples is ceil(N / B) "
              "steps. Each size below ran {epochs} epochs at lr {lr:g} ({optimizer}), then {steps} steps at the "
              "same lr{scaling}. Noise = std of the per-step loss around its 5-step moving average over the last "
              "epoch (at least 20 steps), relative to the loss level. Time and samples/s are medians over epochs.",
        "ko": "배치 크기 B는 옵티마이저 한 스텝에 쓰는 샘플 수입니다. N개 샘플의 한 에폭은 ceil(N / B) 스텝입니다. "
              "아래 각 크기로 학습률 {lr:g}({optimizer})에서 {epochs} 에폭, 그리고 같은 학습률로 {steps} 스텝을 "
              "학습했습니다{scaling}. 노이즈 = 마지막 에폭(최소 20 스텝) 동안 스텝별 손실이 5스텝 이동평균에서 "
              "벗어난 표준편차를 손실 수준으로 나눈 값. 시간과 초당 샘플 수는 에폭별 중앙값입니다."},
    "batch.scaling_note": {"en": ", and {epochs} epochs with lr scaled by B / {base}",
                           "ko": ", 그리고 학습률을 B / {base} 배로 조정해 {epochs} 에폭"},
    "batch.steps.claim": {"en": "An epoch of N samples at batch size B takes ceil(N / B) optimizer steps.",
                          "ko": "샘플 N개, 배치 크기 B일 때 한 에폭은 ceil(N / B) 스텝이다."},
    "batch.steps.item": {"en": "{n} samples / batch {b} = {s} steps (measured {measured})",
                         "ko": "샘플 {n}개 / 배치 {b} = {s} 스텝 (측정 {measured})"},
    "batch.steps.evidence": {"en": "{items}; mismatches: {mismatches}", "ko": "{items}; 불일치: {mismatches}"},
    "batch.steps.rule": {"en": "confirmed if every run's steps per epoch and recorded steps match the arithmetic",
                         "ko": "모든 실행의 에폭당 스텝과 기록된 스텝 수가 계산과 같으면 확인"},
    "batch.noise.claim": {"en": "Small batches give a noisier per-step loss than large ones.",
                          "ko": "작은 배치는 큰 배치보다 스텝별 손실의 노이즈가 크다."},
    "batch.noise.evidence": {
        "en": "relative noise at batch {small}: {noise_small:.4f} (loss level {loss_small:.4f}); at batch {large}: "
              "{noise_large:.4f} (loss level {loss_large:.4f}); ratio {ratio:.3g}",
        "ko": "배치 {small}의 상대 노이즈 {noise_small:.4f}(손실 수준 {loss_small:.4f}), 배치 {large}: "
              "{noise_large:.4f}(손실 수준 {loss_large:.4f}); 비율 {ratio:.3g}"},
    "batch.noise.rule": {"en": "confirmed if the smallest batch's relative noise is >= {confirm}x the largest's, "
                               "contradicted if <= {contradict}x",
                         "ko": "가장 작은 배치의 상대 노이즈가 가장 큰 배치의 {confirm}배 이상이면 확인, "
                               "{contradict}배 이하면 반박"},
    "batch.speed.claim": {"en": "Large batches process more samples per second (an epoch takes less time).",
                          "ko": "큰 배치는 초당 더 많은 샘플을 처리한다(에폭 시간이 짧다)."},
    "batch.speed.evidence": {
        "en": "batch {small}: {sps_small:.0f} samples/s, {sec_small:.4f} s per epoch; batch {large}: "
              "{sps_large:.0f} samples/s, {sec_large:.4f} s per epoch; ratio {ratio:.3g}",
        "ko": "배치 {small}: 초당 {sps_small:.0f} 샘플, 에폭당 {sec_small:.4f}초; 배치 {large}: 초당 "
              "{sps_large:.0f} 샘플, 에폭당 {sec_large:.4f}초; 비율 {ratio:.3g}"},
    "batch.speed.rule": {"en": "confirmed if samples/s of the largest batch >= {confirm}x the smallest's, "
                               "contradicted if <= {contradict}x",
                         "ko": "가장 큰 배치의 초당 샘플 수가 가장 작은 배치의 {confirm}배 이상이면 확인, "
                               "{contradict}배 이하면 반박"},
    "batch.memory.claim": {"en": "Large batches need more memory.", "ko": "큰 배치는 메모리를 더 많이 쓴다."},
    "batch.memory.evidence": {"en": "measured peak memory: batch {small} {kib_small} KiB, batch {large} "
                                    "{kib_large} KiB; ratio {ratio:.3g}",
                              "ko": "측정된 최대 메모리: 배치 {small} {kib_small} KiB, 배치 {large} {kib_large} KiB; "
                                    "비율 {ratio:.3g}"},
    "batch.memory.rule": {"en": "confirmed if the largest batch's peak memory >= {confirm}x the smallest's, "
                                "contradicted if <= {contradict}x",
                          "ko": "가장 큰 배치의 최대 메모리가 가장 작은 배치의 {confirm}배 이상이면 확인, "
                                "{contradict}배 이하면 반박"},
    "batch.equal_epochs.claim": {
        "en": "At an equal number of epochs (same lr), small batches reach a better validation result: they take "
              "more steps.",
        "ko": "같은 에폭 수(같은 학습률)에서는 작은 배치가 더 좋은 검증 성능에 도달한다: 스텝을 더 많이 밟기 때문이다."},
    "batch.equal_epochs.evidence": {
        "en": "after {epochs} epochs: batch {small} ({steps_small} steps) val {metric} {m_small:.4f}, batch {large} "
              "({steps_large} steps) {m_large:.4f}; difference {diff:+.4f}",
        "ko": "{epochs} 에폭 후: 배치 {small}({steps_small} 스텝) 검증 {metric} {m_small:.4f}, 배치 {large}"
              "({steps_large} 스텝) {m_large:.4f}; 차이 {diff:+.4f}"},
    "batch.equal_epochs.rule": {"en": "confirmed if small - large >= {margin}, contradicted if <= -{margin}",
                                "ko": "작은 배치 - 큰 배치 >= {margin}이면 확인, <= -{margin}이면 반박"},
    "batch.equal_steps.claim": {
        "en": "At an equal number of steps, large batches are at least as good: each step sees more data.",
        "ko": "같은 스텝 수에서는 큰 배치가 적어도 같거나 더 좋다: 한 스텝이 더 많은 데이터를 본다."},
    "batch.equal_steps.evidence": {
        "en": "after {steps} steps: batch {large} ({seen_large} samples seen) val {metric} {m_large:.4f}, batch "
              "{small} ({seen_small} samples seen) {m_small:.4f}; difference {diff:+.4f}",
        "ko": "{steps} 스텝 후: 배치 {large}(샘플 {seen_large}개 처리) 검증 {metric} {m_large:.4f}, 배치 {small}"
              "(샘플 {seen_small}개 처리) {m_small:.4f}; 차이 {diff:+.4f}"},
    "batch.equal_steps.rule": {"en": "confirmed if large - small >= {margin}, contradicted if <= -{margin}",
                               "ko": "큰 배치 - 작은 배치 >= {margin}이면 확인, <= -{margin}이면 반박"},
    "batch.gap.claim": {
        "en": "Large batches generalize worse: a larger train/validation gap (same lr, equal epochs).",
        "ko": "큰 배치는 일반화가 더 나쁘다: 훈련/검증 격차가 더 크다(같은 학습률, 같은 에폭)."},
    "batch.gap_scaled.claim": {
        "en": "Large batches generalize worse: a larger train/validation gap (lr scaled with the batch).",
        "ko": "큰 배치는 일반화가 더 나쁘다: 훈련/검증 격차가 더 크다(배치에 맞춰 조정한 학습률)."},
    "batch.gap.evidence": {
        "en": "train - val gap: batch {large} {gap_large:+.4f} (train {train_large:.4f}), batch {small} "
              "{gap_small:+.4f} (train {train_small:.4f}); difference {diff:+.4f}",
        "ko": "훈련 - 검증 격차: 배치 {large} {gap_large:+.4f}(훈련 {train_large:.4f}), 배치 {small} "
              "{gap_small:+.4f}(훈련 {train_small:.4f}); 차이 {diff:+.4f}"},
    "batch.gap.unfit": {
        "en": "not comparable: the two runs fit the training set differently (train metric {train_small:.4f} at "
              "batch {small} vs {train_large:.4f} at batch {large}, difference {fit_diff:.4f}); gaps "
              "{gap_small:+.4f} and {gap_large:+.4f}",
        "ko": "비교 불가: 두 실행이 훈련 데이터를 다르게 맞췄습니다(배치 {small} 훈련 지표 {train_small:.4f}, "
              "배치 {large} {train_large:.4f}, 차이 {fit_diff:.4f}); 격차 {gap_small:+.4f}, {gap_large:+.4f}"},
    "batch.gap.rule": {"en": "compared only if train metrics differ by <= {fit}; confirmed if gap(large) - "
                             "gap(small) >= {margin}, contradicted if <= -{margin}",
                       "ko": "훈련 지표 차이가 {fit} 이하일 때만 비교; 격차(큰 배치) - 격차(작은 배치) >= {margin}이면 "
                             "확인, <= -{margin}이면 반박"},
    "batch.scaling.claim": {
        "en": "Scaling the learning rate with the batch size (linear scaling rule) recovers the large batch's result.",
        "ko": "배치 크기에 비례해 학습률을 키우면(선형 스케일링 규칙) 큰 배치의 성능이 회복된다."},
    "batch.scaling.evidence": {
        "en": "batch {large}: val {m_scaled:.4f} at lr {lr_scaled:g} vs {m_base:.4f} at lr {lr_base:g}; "
              "difference {diff:+.4f}",
        "ko": "배치 {large}: 학습률 {lr_scaled:g}에서 검증 {m_scaled:.4f}, 학습률 {lr_base:g}에서 {m_base:.4f}; "
              "차이 {diff:+.4f}"},
    "batch.scaling.diverged": {"en": "batch {large} at the scaled lr {lr_scaled:g} diverged at step {step}",
                               "ko": "배치 {large}는 조정된 학습률 {lr_scaled:g}에서 스텝 {step}에 발산"},
    "batch.scaling.rule": {"en": "confirmed if scaled - unscaled >= {margin}, contradicted if <= -{margin} "
                                 "or if the scaled run diverged",
                           "ko": "조정 - 미조정 >= {margin}이면 확인, <= -{margin}이거나 조정한 실행이 발산하면 반박"},
})

# the batch-size lesson: report table
register({
    "batch.table": {"en": "Measured per batch size", "ko": "배치 크기별 측정값"},
    "col.noise": {"en": "relative loss noise", "ko": "상대 손실 노이즈"},
    "col.sec_epoch": {"en": "s / epoch", "ko": "초 / 에폭"},
    "col.samples_s": {"en": "samples / s", "ko": "초당 샘플"},
    "col.memory_kib": {"en": "peak memory (KiB)", "ko": "최대 메모리 (KiB)"},
    "col.val_epochs": {"en": "val {metric} @ {epochs} epochs", "ko": "{epochs} 에폭 후 검증 {metric}"},
    "col.val_steps": {"en": "val {metric} @ {steps} steps", "ko": "{steps} 스텝 후 검증 {metric}"},
    "col.gap": {"en": "train - val gap", "ko": "훈련 - 검증 격차"},
    "col.scaled_lr": {"en": "scaled lr", "ko": "조정된 학습률"},
    "col.val_scaled": {"en": "val {metric}, scaled lr", "ko": "조정된 학습률의 검증 {metric}"},
    "col.gap_scaled": {"en": "gap, scaled lr", "ko": "조정된 학습률의 격차"},
    "step_budget": {"en": "step budget reached", "ko": "스텝 예산 도달"},
})

# the gap claim on the scaled-lr runs shares the texts of the gap claim
register({f"batch.gap_scaled.{part}": dict(TEXT[f"batch.gap.{part}"]) for part in ("evidence", "rule")})
