"""English and Korean text of the lessons (registered into ``hyperlab.i18n``): shared words, each lesson's, then the reports'."""

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
    "reason.zero_loss": {"en": "the validation loss reached 0 (a set this small can be fitted exactly), so no change "
                               "relative to it can be measured",
                         "ko": "검증 손실이 0에 이름(이만큼 작은 세트는 정확히 맞출 수 있음): 그에 대한 상대 변화를 잴 수 없음"},
    "reason.no_train_eval": {"en": "the training split was not evaluated", "ko": "훈련 데이터가 평가되지 않음"},
    "reason.few_optimizers": {"en": "fewer than two optimizers completed", "ko": "끝까지 학습한 옵티마이저가 2개 미만"},
    "reason.needs_pair": {"en": "needs {slow} and {fast}, each with a completed run",
                          "ko": "{slow}과(와) {fast}의 완료된 실행이 필요함"},
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
              "steps. Each size below ran {epochs} {epochs:epoch|epochs} at lr {lr:g} ({optimizer}), then {steps} {steps:step|steps} at the "
              "same lr{scaling}. Noise = std of the per-step loss around its 5-step moving average over the last "
              "epoch (at least 20 steps), relative to the loss level. Time and samples/s are medians over epochs.",
        "ko": "배치 크기 B는 옵티마이저 한 스텝에 쓰는 샘플 수입니다. N개 샘플의 한 에폭은 ceil(N / B) 스텝입니다. "
              "아래 각 크기로 학습률 {lr:g}({optimizer})에서 {epochs} 에폭, 그리고 같은 학습률로 {steps} 스텝을 "
              "학습했습니다{scaling}. 노이즈 = 마지막 에폭(최소 20 스텝) 동안 스텝별 손실이 5스텝 이동평균에서 "
              "벗어난 표준편차를 손실 수준으로 나눈 값. 시간과 초당 샘플 수는 에폭별 중앙값입니다."},
    "batch.scaling_note": {"en": ", and {epochs} {epochs:epoch|epochs} with lr scaled by B / {base}",
                           "ko": ", 그리고 학습률을 B / {base} 배로 조정해 {epochs} 에폭"},
    "batch.steps.claim": {"en": "An epoch of N samples at batch size B takes ceil(N / B) optimizer steps.",
                          "ko": "샘플 N개, 배치 크기 B일 때 한 에폭은 ceil(N / B) 스텝이다."},
    "batch.steps.item": {"en": "{n} samples / batch {b} = {s} {s:step|steps} (measured {measured})",
                         "ko": "샘플 {n}개 / 배치 {b} = {s} 스텝 (측정 {measured})"},
    "batch.steps.evidence": {"en": "{items}; mismatches: {mismatches}", "ko": "{items}; 불일치: {mismatches}"},
    "batch.steps.rule": {"en": "confirmed if every run's steps per epoch and recorded steps match the arithmetic",
                         "ko": "모든 실행의 에폭당 스텝과 기록된 스텝 수가 계산과 같으면 확인"},
    "batch.noise.claim": {"en": "Small batches give a noisier per-step loss than large ones.",
                          "ko": "작은 배치는 큰 배치보다 스텝별 손실의 노이즈가 크다."},
    "batch.noise.evidence": {
        "en": "noise at batch {small}: {abs_small:.4g} ({noise_small:.4f} of its loss level {loss_small:.4f}); "
              "at batch {large}: {abs_large:.4g} ({noise_large:.4f} of its loss level {loss_large:.4f}); "
              "ratio {ratio_absolute:.3g} in loss units, {ratio_relative:.3g} relative to the level; "
              "counted: {ratio:.3g}",
        "ko": "배치 {small}의 노이즈 {abs_small:.4g}(손실 수준 {loss_small:.4f}의 {noise_small:.4f}), 배치 {large}: "
              "{abs_large:.4g}(손실 수준 {loss_large:.4f}의 {noise_large:.4f}); 비율은 손실 단위로 "
              "{ratio_absolute:.3g}, 수준 대비 {ratio_relative:.3g}; 판정에 쓴 값: {ratio:.3g}"},
    "batch.noise.rule": {"en": "confirmed if the smallest batch's noise is >= {confirm}x the largest's, "
                               "contradicted if <= {contradict}x, both in loss units and relative to each one's loss "
                               "level (the smaller ratio counts: the small batch has usually trained to a lower loss, "
                               "which shrinks the first and inflates the second)",
                         "ko": "가장 작은 배치의 노이즈가 가장 큰 배치의 {confirm}배 이상이면 확인, "
                               "{contradict}배 이하면 반박. 손실 단위와 각자의 손실 수준 대비 "
                               "두 비율 중 작은 쪽으로 판정합니다(작은 배치는 보통 더 낮은 손실까지 "
                               "학습해서, 앞의 비율은 작아지고 뒤의 비율은 커집니다)"},
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
        "en": "after {epochs} {epochs:epoch|epochs}: batch {small} ({steps_small} {steps_small:step|steps}) val {metric} {m_small:.4f}, batch {large} "
              "({steps_large} {steps_large:step|steps}) {m_large:.4f}; difference {diff:+.4f}",
        "ko": "{epochs} 에폭 후: 배치 {small}({steps_small} 스텝) 검증 {metric} {m_small:.4f}, 배치 {large}"
              "({steps_large} 스텝) {m_large:.4f}; 차이 {diff:+.4f}"},
    "batch.equal_epochs.rule": {"en": "confirmed if small - large >= {margin}, contradicted if <= -{margin}",
                                "ko": "작은 배치 - 큰 배치 >= {margin}이면 확인, <= -{margin}이면 반박"},
    "batch.equal_steps.claim": {
        "en": "At an equal number of steps, large batches are at least as good: each step sees more data.",
        "ko": "같은 스텝 수에서는 큰 배치가 적어도 같거나 더 좋다: 한 스텝이 더 많은 데이터를 본다."},
    "batch.equal_steps.evidence": {
        "en": "after {steps} {steps:step|steps}: batch {large} ({seen_large} samples seen) val {metric} {m_large:.4f}, batch "
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
                               "ko": "배치 {large}은(는) 조정된 학습률 {lr_scaled:g}에서 스텝 {step}에 발산"},
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
    "col.val_epochs": {"en": "val {metric} @ {epochs} {epochs:epoch|epochs}", "ko": "{epochs} 에폭 후 검증 {metric}"},
    "col.val_steps": {"en": "val {metric} @ {steps} {steps:step|steps}", "ko": "{steps} 스텝 후 검증 {metric}"},
    "col.gap": {"en": "train - val gap", "ko": "훈련 - 검증 격차"},
    "col.scaled_lr": {"en": "scaled lr", "ko": "조정된 학습률"},
    "col.val_scaled": {"en": "val {metric}, scaled lr", "ko": "조정된 학습률의 검증 {metric}"},
    "col.gap_scaled": {"en": "gap, scaled lr", "ko": "조정된 학습률의 격차"},
    "step_budget": {"en": "step budget reached", "ko": "스텝 예산 도달"},
})

# the gap claim on the scaled-lr runs shares the texts of the gap claim
register({f"batch.gap_scaled.{part}": dict(TEXT[f"batch.gap.{part}"]) for part in ("evidence", "rule")})

# the epochs lesson: claims
register({
    "epochs.title": {"en": "Epochs", "ko": "에폭"},
    "epochs.intro": {
        "en": "An epoch is one full pass over the training set. To make overfitting visible, {train_size} training "
              "samples, a wide model and no regularisation were trained for {epochs} {epochs:epoch|epochs} ({optimizer}, lr "
              "{lr:g}, batch size {batch}), with train and validation loss measured after every epoch. Then the same "
              "run with early stopping (patience {patience}) restoring the best weights. Best epoch = lowest "
              "validation loss.",
        "ko": "에폭은 훈련 데이터 전체를 한 번 도는 것입니다. 과적합이 보이도록 훈련 샘플 {train_size}개, 넓은 모델, "
              "정규화 없이 {epochs} 에폭을 학습했습니다({optimizer}, 학습률 {lr:g}, 배치 크기 {batch}). 매 에폭 후 훈련/검증 "
              "손실을 측정했습니다. 그다음 같은 실행을 조기 종료(patience {patience})와 최고 가중치 복원으로 다시 "
              "했습니다. 최고 에폭 = 검증 손실이 가장 낮은 에폭."},
    "epochs.underfit.claim": {"en": "Too few epochs underfit: more passes improve the validation result at first.",
                              "ko": "에폭이 너무 적으면 과소적합이다: 처음에는 더 학습할수록 검증 성능이 좋아진다."},
    "epochs.underfit.evidence": {"en": "val {metric} after epoch 1: {first:.4f}; best: {best:.4f} (+{diff:.4f})",
                                 "ko": "에폭 1 후 검증 {metric}: {first:.4f}; 최고: {best:.4f} (+{diff:.4f})"},
    "epochs.underfit.rule": {"en": "confirmed if best - epoch 1 >= {margin}, contradicted if epoch 1 is already "
                                   "the best",
                             "ko": "최고 - 에폭 1 >= {margin}이면 확인, 에폭 1이 이미 최고면 반박"},
    "epochs.overfit.claim": {
        "en": "Too many epochs overfit: after the best epoch the validation loss rises while the training loss "
              "keeps falling.",
        "ko": "에폭이 너무 많으면 과적합이다: 최고 에폭 이후 훈련 손실은 계속 내려가는데 검증 손실은 올라간다."},
    "epochs.overfit.evidence": {
        "en": "validation loss lowest at epoch {best_epoch} ({min_val:.4f}), {final_val:.4f} after epoch {epochs} "
              "({rise:+.1%}); training loss {train_best:.4g} -> {train_final:.4g}",
        "ko": "검증 손실은 에폭 {best_epoch}에서 최저({min_val:.4f}), 에폭 {epochs} 후 {final_val:.4f}({rise:+.1%}); "
              "훈련 손실 {train_best:.4g} -> {train_final:.4g}"},
    "epochs.overfit.rule": {"en": "confirmed if the final val loss is >= {rise:.0%} above its minimum and the train "
                                  "loss fell meanwhile, contradicted if it is within {none:.0%}",
                            "ko": "최종 검증 손실이 최저보다 {rise:.0%} 이상 높고 그동안 훈련 손실이 내려갔으면 확인, "
                                  "{none:.0%} 이내면 반박"},
    "epochs.gap.claim": {"en": "The gap between training and validation grows with more epochs.",
                         "ko": "에폭이 늘수록 훈련과 검증의 격차가 커진다."},
    "epochs.gap.evidence": {
        "en": "val - train loss: {gap_best:.4f} at the best epoch {best_epoch}, {gap_final:.4f} at the end "
              "(growth {growth:.2f} x the lowest val loss); train - val metric {mgap_best:+.4f} -> {mgap_final:+.4f}",
        "ko": "검증 - 훈련 손실: 최고 에폭 {best_epoch}에서 {gap_best:.4f}, 마지막에 {gap_final:.4f}"
              "(증가량 = 최저 검증 손실의 {growth:.2f}배); 훈련 - 검증 지표 {mgap_best:+.4f} -> {mgap_final:+.4f}"},
    "epochs.gap.rule": {"en": "confirmed if the loss gap grew by >= {growth} x the lowest val loss, contradicted if "
                              "it did not grow",
                        "ko": "손실 격차가 최저 검증 손실의 {growth}배 이상 커지면 확인, 커지지 않으면 반박"},
    "epochs.early_stopping.claim": {
        "en": "Early stopping ends the run near the best epoch and, restoring the best weights, keeps the lowest "
              "validation loss with fewer epochs.",
        "ko": "조기 종료는 최고 에폭 근처에서 학습을 끝내고, 최고 가중치를 복원해 더 적은 에폭으로 가장 낮은 검증 손실을 "
              "지킨다."},
    "epochs.early_stopping.evidence": {
        "en": "stopped after epoch {stopped} of {epochs} ({saved} {saved:epoch|epochs} saved), best epoch {best}, weights restored "
              "from epoch {restored}: val loss {val_restored:.4f} vs {val_long:.4f} after all epochs (ratio "
              "{ratio:.3f}); val {metric} {m_restored:.4f} vs {m_long:.4f}; test {metric} {test_restored:.4f} vs "
              "{test_long:.4f}{against}",
        "ko": "{epochs} 에폭 중 {stopped} 에폭 후 종료({saved} 에폭 절약), 최고 에폭 {best}, 에폭 {restored}의 가중치 "
              "복원: 검증 손실 {val_restored:.4f}, 전체 학습 후 {val_long:.4f}(비율 {ratio:.3f}); 검증 {metric} "
              "{m_restored:.4f} 대 {m_long:.4f}; 테스트 {metric} {test_restored:.4f} 대 {test_long:.4f}{against}"},
    "epochs.early_stopping.no_test": {
        "en": "stopped after epoch {stopped} of {epochs} ({saved} {saved:epoch|epochs} saved), best epoch {best}, weights restored "
              "from epoch {restored}: val loss {val_restored:.4f} vs {val_long:.4f} after all epochs (ratio "
              "{ratio:.3f}); val {metric} {m_restored:.4f} vs {m_long:.4f}{against}",
        "ko": "{epochs} 에폭 중 {stopped} 에폭 후 종료({saved} 에폭 절약), 최고 에폭 {best}, 에폭 {restored}의 가중치 "
              "복원: 검증 손실 {val_restored:.4f}, 전체 학습 후 {val_long:.4f}(비율 {ratio:.3f}); 검증 {metric} "
              "{m_restored:.4f} 대 {m_long:.4f}{against}"},
    "epochs.early_stopping.ran_all": {
        "en": "early stopping did not trigger (status: {status}; patience {patience}): validation loss kept "
              "improving often enough",
        "ko": "조기 종료가 일어나지 않음(상태: {status}; patience {patience}): 검증 손실이 계속 충분히 자주 개선됨"},
    "epochs.early_stopping.against.lower_val": {
        "en": "; but val {metric} went the other way: lower with the restored weights",
        "ko": "; 그러나 검증 {metric}은(는) 반대로 움직임: 복원한 가중치에서 더 낮음"},
    "epochs.early_stopping.against.lower_test": {
        "en": "; but test {metric} went the other way: lower with the restored weights",
        "ko": "; 그러나 테스트 {metric}은(는) 반대로 움직임: 복원한 가중치에서 더 낮음"},
    "epochs.early_stopping.against.lower_both": {
        "en": "; but val and test {metric} went the other way: lower with the restored weights",
        "ko": "; 그러나 검증과 테스트 {metric}은(는) 반대로 움직임: 복원한 가중치에서 더 낮음"},
    "epochs.early_stopping.against.higher_val": {
        "en": "; but val {metric} went the other way: higher with the restored weights",
        "ko": "; 그러나 검증 {metric}은(는) 반대로 움직임: 복원한 가중치에서 더 높음"},
    "epochs.early_stopping.against.higher_test": {
        "en": "; but test {metric} went the other way: higher with the restored weights",
        "ko": "; 그러나 테스트 {metric}은(는) 반대로 움직임: 복원한 가중치에서 더 높음"},
    "epochs.early_stopping.against.higher_both": {
        "en": "; but val and test {metric} went the other way: higher with the restored weights",
        "ko": "; 그러나 검증과 테스트 {metric}은(는) 반대로 움직임: 복원한 가중치에서 더 높음"},
    "epochs.early_stopping.against.none": {"en": "", "ko": ""},
    "epochs.early_stopping.rule": {"en": "confirmed if it stopped early and the restored val loss <= the full run's "
                                         "final val loss, contradicted if > {tolerance}x it",
                                   "ko": "조기 종료되고 복원된 검증 손실이 전체 학습의 최종 검증 손실 이하이면 확인, "
                                         "{tolerance}배 초과면 반박"},
})

# the epochs lesson: report table
register({
    "epochs.table": {"en": "All epochs vs early stopping", "ko": "전체 에폭 대 조기 종료"},
    "col.all_epochs": {"en": "all {epochs} {epochs:epoch|epochs}", "ko": "전체 {epochs} 에폭"},
    "col.early": {"en": "early stopping (best weights restored)", "ko": "조기 종료 (최고 가중치 복원)"},
    "col.model_epoch": {"en": "weights from epoch", "ko": "가중치의 에폭"},
    "col.test": {"en": "test", "ko": "테스트"},
    "col.gap_loss": {"en": "final val - train loss", "ko": "최종 검증 - 훈련 손실"},
})

# the learning-rate lesson: claims
register({
    "lr.title": {"en": "Learning rate", "ko": "학습률"},
    "lr.intro": {
        "en": "The learning rate is the step size of the update W_new = W_old - lr * update. {count} {count:rate|rates} from "
              "{low:g} to {high:g} were trained with everything else fixed ({optimizer}, batch size {batch}, "
              "{epochs} {epochs:epoch|epochs}), all from the same initial weights, whose loss over the training "
              "set is the starting loss. Each curve is classified by stated rules: diverged (the trainer stopped "
              "it: loss "
              "non-finite or 20x its start); oscillating (the loss smoothed over half an epoch rose back above its "
              "lowest value so far by at least {rise:.0%} of its start and by more standard errors of that average, "
              "from the step losses' own scatter, than mini-batch noise reaches ({c:g} x sqrt(2 ln m) for m "
              "half-epoch windows: 5.0 at 8 epochs); for a rate that fell "
              "less than {slow:.0%} of the largest fall among the rates, also by at least {swing:.0%} of that fall: "
              "the small ups and downs of a flat line are noise, not oscillation); too slow (it fell less than "
              "{slow:.0%} of the largest fall); good otherwise.",
        "ko": "학습률은 갱신식 W_new = W_old - lr * update의 보폭입니다. {low:g}부터 {high:g}까지 {count}개의 학습률을 "
              "나머지는 고정한 채({optimizer}, 배치 크기 {batch}, {epochs} 에폭) 모두 같은 초기 "
              "가중치에서 학습했고, 그 가중치의 훈련 세트 손실이 시작 손실입니다. 각 곡선은 정해진 규칙으로 "
              "분류합니다: 발산(손실이 유한하지 않거나 시작값의 20배가 되어 트레이너가 중단), 진동(반 에폭 이동평균 "
              "손실이 그때까지의 최저값보다 시작값의 {rise:.0%} 이상, 그리고 스텝 손실 자체의 흩어짐으로 잰 "
              "이동평균의 표준오차로 미니배치 잡음이 닿는 것보다 더 다시 올라감(반 에폭 창 m개에 {c:g} x sqrt(2 ln m)배: "
              "8 에폭에서 5.0); 가장 많이 내려간 학습률의 "
              "{slow:.0%}보다 적게 내려간 학습률은 그 감소의 {swing:.0%} 이상도 올라가야 함: 평평한 곡선의 작은 "
              "오르내림은 잡음이지 진동이 아님), 너무 느림(가장 많이 내려간 학습률의 {slow:.0%}보다 적게 내려감), "
              "그 밖에는 좋음."},
    "lr.kind.too_slow": {"en": "too slow", "ko": "너무 느림"},
    "lr.kind.good": {"en": "good", "ko": "좋음"},
    "lr.kind.oscillating": {"en": "oscillating", "ko": "진동"},
    "lr.kind.diverged": {"en": "diverged", "ko": "발산"},
    "lr.too_low.claim": {"en": "A too-low learning rate learns too slowly.",
                         "ko": "학습률이 너무 낮으면 학습이 너무 느리다."},
    "lr.too_low.evidence": {
        "en": "lr {lr:g} ({kind}): loss {first:.4f} -> {final:.4f} in {steps} {steps:step|steps}, {fraction:.1%} of the "
              "largest fall",
        "ko": "학습률 {lr:g}({kind}): {steps} 스텝 동안 손실 {first:.4f} -> {final:.4f}, 가장 큰 감소의 {fraction:.1%}"},
    "lr.too_low.rule": {"en": "confirmed if the smallest rate is classified too slow (fall < {slow:.0%} of the "
                              "largest, rebounds < {swing:.0%} of it), contradicted if it is good",
                        "ko": "가장 작은 학습률이 너무 느림(가장 큰 감소의 {slow:.0%} 미만, 반등은 그 {swing:.0%} 미만)으로 "
                              "분류되면 확인, 좋음이면 반박"},
    "lr.too_high.claim": {"en": "A too-high learning rate makes training diverge.",
                          "ko": "학습률이 너무 높으면 학습이 발산한다."},
    "lr.too_high.diverged": {"en": "lr {lr:g} diverged at step {step}: the loss {reason}",
                             "ko": "학습률 {lr:g}은(는) 스텝 {step}에서 발산: 손실 {reason}"},
    "lr.too_high.evidence": {"en": "lr {lr:g} ({kind}) did not diverge: loss {first:.4f} -> {final:.4f}",
                             "ko": "학습률 {lr:g}({kind})은(는) 발산하지 않음: 손실 {first:.4f} -> {final:.4f}"},
    "lr.too_high.rule": {"en": "confirmed if the largest rate diverged, contradicted if it is classified good",
                         "ko": "가장 큰 학습률이 발산하면 확인, 좋음으로 분류되면 반박"},
    "lr.best_inside.claim": {"en": "The best learning rate lies inside the range, between too slow and too high.",
                             "ko": "가장 좋은 학습률은 너무 느린 값과 너무 큰 값 사이, 범위 안쪽에 있다."},
    "lr.best_inside.evidence": {"en": "best lr {best:g} (val {metric} {value:.4f}) in the range {low:g} .. {high:g}",
                                "ko": "최적 학습률 {best:g}(검증 {metric} {value:.4f}), 범위 {low:g} .. {high:g}"},
    "lr.best_inside.rule": {"en": "confirmed if the best rate is neither the smallest nor the largest tried, "
                                  "contradicted if it is at either end",
                            "ko": "최적 학습률이 가장 작거나 가장 큰 값이 아니면 확인, 양 끝이면 반박"},
    "lr.edge.claim": {"en": "Just below the rate where training diverges, the loss oscillates.",
                      "ko": "발산하는 학습률 바로 아래에서는 손실이 진동한다."},
    "lr.edge.evidence": {
        "en": "lr {lr:g}, the rate below the first diverging {diverged_lr:g}, is {kind}: after falling by {progress:.4f} "
              "from the starting loss {first:.4f}, the smoothed loss rose back by up to {rebound:.4f}",
        "ko": "처음 발산한 {diverged_lr:g} 바로 아래의 학습률 {lr:g}은(는) {kind}: 시작 손실 {first:.4f}에서 {progress:.4f} "
              "내려간 뒤 이동평균 손실이 최대 {rebound:.4f}만큼 다시 올라감"},
    "lr.edge.evidence_rose": {
        "en": "lr {lr:g}, the rate below the first diverging {diverged_lr:g}, is {kind}: before its smoothed loss "
              "fell below the starting loss {first:.4f}, it rose by up to {rebound:.4f}",
        "ko": "처음 발산한 {diverged_lr:g} 바로 아래의 학습률 {lr:g}은(는) {kind}: 이동평균 손실이 시작 손실 {first:.4f} "
              "아래로 내려가기 전에 최대 {rebound:.4f}만큼 올라감"},
    "lr.edge.rule": {"en": "confirmed if that rate is oscillating (rebound >= {rise:.0%} of the starting loss and "
                           "more standard errors of the smoothed loss than noise reaches, {c:g} x sqrt(2 ln m) for "
                           "m windows), "
                           "contradicted if it is good",
                     "ko": "그 학습률이 진동(반등 >= 시작 손실의 {rise:.0%}, 그리고 이동평균 손실 표준오차의 {c:g} x sqrt(2 ln m)배 이상)이면 "
                           "확인, 좋음이면 반박"},
})

# the learning-rate lesson: report table
register({
    "lr.table": {"en": "Each rate and its class", "ko": "학습률별 분류"},
    "col.kind": {"en": "class", "ko": "분류"},
    "col.first_loss": {"en": "starting loss", "ko": "시작 손실"},
    "col.final_loss": {"en": "last-epoch loss", "ko": "마지막 에폭 손실"},
    "col.rebound": {"en": "largest rebound", "ko": "최대 반등"},
    "col.progress": {"en": "progress before it", "ko": "그 전까지의 감소"},
})

# the optimizer lesson: texts shared by several claims
_SPEED_EVIDENCE = {
    "en": "epochs to reach val {metric} {target:.4f}: {slow} (lr {lr_slow:g}) {e_slow}, {fast} (lr {lr_fast:g}) "
          "{e_fast} (of {epochs}; {epochs}+1 = never); ratio {ratio:.3g}",
    "ko": "검증 {metric} {target:.4f}에 도달한 에폭: {slow}(학습률 {lr_slow:g}) {e_slow}, {fast}(학습률 {lr_fast:g}) "
          "{e_fast}({epochs} 중; {epochs}+1 = 도달 못 함); 비율 {ratio:.3g}"}
_DISTANCE_EVIDENCE = {
    "en": "distance to the minimum after {steps} {steps:step|steps}: {slow} (lr {lr_slow:g}) {d_slow:.3g}, {fast} "
          "(lr {lr_fast:g}) {d_fast:.3g}; ratio {ratio:.3g}",
    "ko": "{steps} 스텝 후 최솟값까지 거리: {slow}(학습률 {lr_slow:g}) {d_slow:.3g}, {fast}(학습률 {lr_fast:g}) "
          "{d_fast:.3g}; 비율 {ratio:.3g}"}
_DISTANCE_RULE = {"en": "confirmed if the distance ratio >= {ratio}, contradicted if <= 1/{ratio}",
                  "ko": "거리 비율 >= {ratio}이면 확인, <= 1/{ratio}이면 반박"}

# the optimizer lesson: claims
register({
    "opt.adaptive_faster.evidence": _SPEED_EVIDENCE, "opt.momentum_faster.evidence": _SPEED_EVIDENCE,
    "surf.valley.evidence": _DISTANCE_EVIDENCE, "surf.rosenbrock.evidence": _DISTANCE_EVIDENCE,
    "surf.valley.rule": _DISTANCE_RULE, "surf.rosenbrock.rule": _DISTANCE_RULE,
    "opt.title": {"en": "Optimizer", "ko": "옵티마이저"},
    "opt.intro": {
        "en": "The optimizer is the update rule. Each of {count} optimizers was trained for {epochs} {epochs:epoch|epochs} (batch "
              "size {batch}) at every rate of its own small grid, and is compared at its best rate (highest final "
              "validation {metric}), so no optimizer loses for a badly chosen lr. Epochs to target = first epoch "
              "reaching {target_fraction:.0%} of the best final {metric} ({target}). Then the same torch.optim "
              "optimizers walk 2-D surfaces for {steps} {steps:step|steps} from a fixed start, each at the rate (from "
              "{n_lrs} {n_lrs:rate|rates}) that ends lowest.{seeds_note}",
        "ko": "옵티마이저는 갱신 규칙입니다. {count}개의 옵티마이저를 각자의 작은 학습률 그리드의 모든 값으로 {epochs} 에폭"
              "(배치 크기 {batch}) 학습하고, 각자 가장 좋은 학습률(최종 검증 {metric} 최고)에서 비교했습니다. 그래서 "
              "학습률을 잘못 골라 지는 옵티마이저는 없습니다. 목표 도달 에폭 = 최고 최종 {metric}의 {target_fraction:.0%}"
              "({target})에 처음 도달한 에폭. 이어서 같은 torch.optim 옵티마이저로 2차원 곡면 위를 고정된 시작점에서 "
              "{steps} 스텝 이동했습니다(각자 {n_lrs}개 학습률 중 가장 낮게 끝난 값).{seeds_note}"},
    "opt.seeds_note": {
        "en": " Every rate was trained on {seeds} seeds (own initial weights and data order) and is judged by their "
              "mean; a rate counts as finished only when every seed finished.",
        "ko": " 모든 학습률을 시드 {seeds}개(각자의 초기 가중치와 데이터 순서)로 학습하고 그 평균으로 판단했습니다. "
              "모든 시드가 끝까지 학습했을 때만 끝난 학습률로 셉니다."},
    "opt.lr_matters.claim": {"en": "The learning rate matters more than the choice of optimizer.",
                             "ko": "옵티마이저 선택보다 학습률이 더 중요하다."},
    "opt.lr_matters.evidence": {
        "en": "spread of val {metric} across each optimizer's own lr grid (mean): {within:.4f}; spread across the "
              "tuned optimizers: {across:.4f}; difference {diff:+.4f}",
        "ko": "각 옵티마이저의 학습률 그리드 안에서 검증 {metric}의 폭(평균): {within:.4f}; 조정된 옵티마이저들 사이의 폭: "
              "{across:.4f}; 차이 {diff:+.4f}"},
    "opt.lr_matters.rule": {"en": "confirmed if within-grid spread - across-optimizer spread >= {margin}, "
                                  "contradicted if <= -{margin}",
                            "ko": "그리드 안 폭 - 옵티마이저 간 폭 >= {margin}이면 확인, <= -{margin}이면 반박"},
    "opt.close.claim": {"en": "Each at its own tuned learning rate, the optimizers end close together on this task.",
                        "ko": "각자 조정된 학습률에서는 옵티마이저들의 최종 성능이 이 과제에서 비슷하다."},
    "opt.close.evidence": {"en": "best {best} {best_value:.4f}, worst {worst} {worst_value:.4f} (val {metric}); "
                                 "spread {spread:.4f}",
                           "ko": "최고 {best} {best_value:.4f}, 최저 {worst} {worst_value:.4f}(검증 {metric}); "
                                 "폭 {spread:.4f}"},
    "opt.close.rule": {"en": "confirmed if the spread <= {close}, contradicted if >= {far}",
                       "ko": "폭 <= {close}이면 확인, >= {far}이면 반박"},
    "opt.adaptive_faster.claim": {"en": "Adam reaches a good result in fewer epochs than plain SGD.",
                                  "ko": "Adam은 일반 SGD보다 더 적은 에폭에 좋은 성능에 도달한다."},
    "opt.momentum_faster.claim": {"en": "Momentum makes SGD reach a good result in fewer epochs.",
                                  "ko": "모멘텀은 SGD가 더 적은 에폭에 좋은 성능에 도달하게 한다."},
    "opt.adaptive_faster.rule": {"en": "confirmed if {target:.0%}-target epochs of sgd / adam >= {ratio}, "
                                       "contradicted if <= 1/{ratio}",
                                 "ko": "{target:.0%} 목표 도달 에폭 sgd / adam >= {ratio}이면 확인, <= 1/{ratio}이면 반박"},
    "opt.momentum_faster.rule": {"en": "confirmed if {target:.0%}-target epochs of sgd / momentum >= {ratio}, "
                                       "contradicted if <= 1/{ratio}",
                                 "ko": "{target:.0%} 목표 도달 에폭 sgd / momentum >= {ratio}이면 확인, "
                                       "<= 1/{ratio}이면 반박"},
    "surf.valley.claim": {
        "en": "On an elongated valley, momentum gets much closer to the minimum than plain SGD in the same steps.",
        "ko": "길쭉한 골짜기에서는 같은 스텝 수에 모멘텀이 일반 SGD보다 최솟값에 훨씬 가까이 간다."},
    "surf.rosenbrock.claim": {
        "en": "On the curved Rosenbrock valley, Adam ends much closer to the minimum than plain SGD.",
        "ko": "휘어진 로젠브록 골짜기에서는 Adam이 일반 SGD보다 최솟값에 훨씬 가까이 간다."},
    "surf.saddle.claim": {"en": "Adaptive methods (Adam) leave a saddle point faster than plain SGD.",
                          "ko": "적응형 방법(Adam)은 일반 SGD보다 안장점을 더 빨리 벗어난다."},
    "surf.saddle.evidence": {
        "en": "steps until |y| >= 0.5 from the saddle: {slow} (lr {lr_slow:g}) {s_slow}, {fast} (lr {lr_fast:g}) "
              "{s_fast} ({steps}+1 = never); ratio {ratio:.3g}",
        "ko": "안장점에서 |y| >= 0.5가 될 때까지 스텝: {slow}(학습률 {lr_slow:g}) {s_slow}, {fast}(학습률 {lr_fast:g}) "
              "{s_fast}({steps}+1 = 벗어나지 못함); 비율 {ratio:.3g}"},
    "surf.saddle.rule": {"en": "confirmed if the step ratio >= {ratio}, contradicted if <= 1/{ratio}",
                         "ko": "스텝 비율 >= {ratio}이면 확인, <= 1/{ratio}이면 반박"},
})

# the optimizer lesson: report tables
register({
    "opt.table": {"en": "Each optimizer at its best learning rate (* = best rate at the edge of its grid)",
                  "ko": "최적 학습률에서의 각 옵티마이저 (* = 최적 학습률이 그리드 끝에 있음)"},
    "opt.surface_table": {"en": "2-D surfaces after {steps} {steps:step|steps}", "ko": "{steps} 스텝 후 2차원 곡면"},
    "col.best_lr": {"en": "best lr", "ko": "최적 학습률"},
    "col.seed_range": {"en": "{n} seeds: lowest – highest", "ko": "시드 {n}개: 최저 – 최고"},
    "col.grid": {"en": "lr grid", "ko": "학습률 그리드"},
    "col.epochs_to_target": {"en": "epochs to target", "ko": "목표 도달 에폭"},
    "col.escape": {"en": "steps to escape", "ko": "탈출 스텝"},
    "col.distance": {"en": "distance to minimum", "ko": "최솟값까지 거리"},
    "surface.rosenbrock": {"en": "Rosenbrock", "ko": "로젠브록"},
    "surface.saddle": {"en": "saddle", "ko": "안장점"},
    "surface.valley": {"en": "elongated valley", "ko": "길쭉한 골짜기"},
})

# the lesson and tour reports (lessons/report.py)
register({
    "lesson.report_title": {"en": "hyperlab lesson: {title}", "ko": "hyperlab 수업: {title}"},
    "lesson.tour_title": {"en": "hyperlab tour: batch size, learning rate, epochs, optimizer",
                          "ko": "hyperlab 투어: 배치 크기, 학습률, 에폭, 옵티마이저"},
    "lesson.tour_intro": {
        "en": "Four lessons on {dataset} with model {model} (seed {seed}, budget {budget}), {seconds:.1f} s in all. "
              "Verdicts: {confirmed} confirmed, {not_observed} not observed, {contradicted} contradicted.",
        "ko": "{dataset} 데이터, 모델 {model}(시드 {seed}, 예산 {budget})(으)로 네 수업, 총 {seconds:.1f}초. "
              "판정: 확인 {confirmed}, 관찰되지 않음 {not_observed}, 반박 {contradicted}."},
    "lesson.summary": {"en": "All claims", "ko": "모든 주장"},
    "task.classification": {"en": "classification", "ko": "분류"},
    "task.regression": {"en": "regression", "ko": "회귀"},
    "lesson.plots": {"en": "Plots", "ko": "그래프"},
    "lesson.lesson": {"en": "lesson", "ko": "수업"},
    "lesson.own_report": {"en": "This lesson's own report: {path}", "ko": "이 수업만의 보고서: {path}"},
})
