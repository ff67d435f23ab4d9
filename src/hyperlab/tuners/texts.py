"""English and Korean text of the tuners (registered into ``hyperlab.i18n``), one table per tool."""

from hyperlab.i18n import register

# lr_find
register({
    "lrf.title": {"en": "LR range test", "ko": "학습률 범위 테스트"},
    "lrf.steepest": {"en": "steepest descent", "ko": "가장 가파른 하강"},
    "lrf.valley": {"en": "valley (longest decrease)", "ko": "골짜기(가장 긴 하강 구간)"},
    "lrf.min_div_10": {"en": "minimum / 10", "ko": "최소점 / 10"},
    "lrf.raw": {"en": "loss per step", "ko": "스텝별 손실"},
    "lrf.smoothed": {"en": "smoothed loss", "ko": "평활화한 손실"},
    "lrf.recommended": {"en": "recommended", "ko": "추천"},
    "lrf.stop.exploded": {"en": "the smoothed loss passed {factor:g}x its lowest value",
                          "ko": "평활화한 손실이 최저값의 {factor:g}배를 넘었기 때문"},
    "lrf.stop.diverged": {"en": "the loss became non-finite", "ko": "손실이 유한하지 않게(NaN/inf) 되었기 때문"},
    "lrf.stop.finished": {"en": "it reached the maximum learning rate", "ko": "최대 학습률에 도달했기 때문"},
    "lrf.stop.budget": {"en": "the time budget ran out", "ko": "시간 예산이 다 되었기 때문"},
    "lrf.ran": {
        "en": "The learning rate grew exponentially from {min_lr:.2g} to {max_lr:.2g} over {steps} planned steps "
              "(optimizer {optimizer}, batch size {batch}; one pass over the {n} training samples is {spe} {spe:step|steps}). "
              "The test stopped after {done} {done:step|steps} at lr {stop_lr:.2g} because {reason}: {done} "
              "{done:step|steps} = {passes:.2g} {passes:pass|passes} over {n} samples. The loss is smoothed with a "
              "bias-corrected moving average (beta {beta:g}).",
        "ko": "학습률을 {min_lr:.2g}에서 {max_lr:.2g}까지 계획된 {steps} 스텝 동안 지수적으로 키웠습니다(옵티마이저 "
              "{optimizer}, 배치 크기 {batch}; 훈련 샘플 {n}개를 한 번 훑는 데 {spe} 스텝). {done} 스텝 후 학습률 "
              "{stop_lr:.2g}에서 멈췄습니다: {reason}. {done} 스텝 = 샘플 {n}개를 {passes:.2g}번 훑은 양입니다. "
              "손실은 편향 보정 이동평균(beta {beta:g})으로 평활화했습니다."},
    "lrf.rule.steepest": {
        "en": "Steepest descent: the smoothed loss fell fastest, {slope:.3f} per tenfold increase of lr, "
              "at lr {lr:.2g} "
              "(slope measured against log10(lr), not raw lr).",
        "ko": "가장 가파른 하강: 평활화한 손실이 학습률 10배당 {slope:.3f}씩 가장 빠르게 줄어든 곳은 "
              "학습률 {lr:.2g}입니다"
              "(기울기는 학습률 자체가 아니라 log10(학습률)에 대해 잰 값)."},
    "lrf.rule.valley": {
        "en": "Valley: the longest decreasing stretch of the smoothed loss ({n} points) runs from lr {lo:.2g} to "
              "{hi:.2g}; its middle is lr {lr:.2g}.",
        "ko": "골짜기: 평활화한 손실이 가장 길게 줄어든 구간({n}개 점)은 학습률 {lo:.2g}부터 {hi:.2g}까지이고, "
              "그 가운데가 학습률 {lr:.2g}입니다."},
    "lrf.rule.min_div_10": {
        "en": "Minimum / 10: the lowest smoothed loss, {loss:.4f}, was reached at lr {at:.2g}; "
              "a tenth of that is {lr:.2g}.",
        "ko": "최소점 / 10: 가장 낮은 평활화 손실 {loss:.4f}은(는) 학습률 {at:.2g}에서 나왔고, "
              "그 10분의 1은 {lr:.2g}입니다."},
    "lrf.rule.none": {"en": "{rule}: not defined on this curve ({why}).",
                      "ko": "{rule}: 이 곡선에서는 정할 수 없습니다({why})."},
    "lrf.why.no_fall": {"en": "the loss never fell below its early level", "ko": "손실이 초반 수준보다 줄어든 적이 없음"},
    "lrf.why.few_points": {"en": "too few points before the minimum", "ko": "최소점 전의 점이 너무 적음"},
    "lrf.edge": {"en": "The loss was still falling at the last lr tried ({lr:.2g}): the minimum may lie beyond it, "
                        "so raise max_lr to see where the loss turns up.",
                 "ko": "마지막으로 시험한 학습률({lr:.2g})에서도 손실이 여전히 줄고 있었습니다: "
                       "최소점이 그 너머에 있을 수 있으니 max_lr을 올려 손실이 다시 오르는 곳을 확인하세요."},
    "lrf.verdict": {"en": "Recommended: {rule} = {lr:.3g}.", "ko": "추천: {rule} = {lr:.3g}."},
    "lrf.spread": {
        "en": "Over {k} {k:seed|seeds} the {rule} suggestion ranged from {lo:.2g} to {hi:.2g} (a factor of {ratio:.1f}); "
              "the reported value is their median on a log scale. {trust}",
        "ko": "시드 {k}개에서 {rule} 제안값은 {lo:.2g}부터 {hi:.2g}까지였습니다({ratio:.1f}배 차이). 보고한 값은 로그 "
              "척도의 중앙값입니다. {trust}"},
    "lrf.first_of": {
        "en": "The curve read below is the first test's (seed {seed}) of {k}; each value in the table and the "
              "recommendation is the median over all {k} (seeds {seed} to {last}): {medians}.",
        "ko": "아래에서 읽는 곡선은 {k}번의 테스트 중 첫 번째(시드 {seed})의 것입니다. 표의 값과 추천값은 {k}번 모두"
              "(시드 {seed}~{last})의 중앙값입니다: {medians}."},
    "lrf.trust.high": {"en": "That is consistent: trust it to within a factor of 2.",
                       "ko": "일관적입니다: 2배 이내로 믿을 만합니다."},
    "lrf.trust.mid": {"en": "That is moderately noisy: try a factor of {ratio:.0f} either side.",
                      "ko": "다소 흔들립니다: 양쪽으로 {ratio:.0f}배 범위를 시도해 보세요."},
    "lrf.trust.low": {"en": "That is noisy: treat it as an order of magnitude only (more steps or a larger batch "
                              "make the curve steadier).",
                      "ko": "흔들림이 큽니다: 자릿수 정도로만 받아들이세요(스텝을 늘리거나 배치를 키우면 곡선이 "
                              "안정됩니다)."},
})

# advise
register({
    "adv.title": {"en": "Advice: batch size, learning rate, optimizer, epochs",
                  "ko": "추천: 배치 크기, 학습률, 옵티마이저, 에폭"},
    "adv.intro": {"en": "{model} on {data} ({n} training samples, {task}); measured in {seconds:.1f} s of a "
                        "{budget:g} s budget.",
                  "ko": "{data}의 {model}({n}개 훈련 샘플, {task}); {budget:g}초 예산 중 {seconds:.1f}초 동안 측정."},
    "adv.knob": {"en": "setting", "ko": "항목"},
    "adv.value": {"en": "value", "ko": "값"},
    "adv.evidence": {"en": "evidence", "ko": "근거"},
    "adv.plot": {"en": "plot", "ko": "그림"},
    "adv.ev.batch": {
        "en": "smallest of: fits memory up to {fits}, throughput plateau at {plateau}, critical batch size "
              "{critical}; rounded down to a power of two",
        "ko": "다음 중 가장 작은 값: 메모리에 {fits}까지 들어감, 처리량 정체 {plateau}, "
              "임계 배치 크기 {critical}; 2의 거듭제곱으로 내림"},
    "adv.ev.lr": {"en": "range test ({rule}) for {optimizer} at batch size {batch}: {lr:.3g}; rules gave {rules}",
                  "ko": "배치 크기 {batch}에서 {optimizer}의 범위 테스트({rule}): {lr:.3g}; 규칙별 값 {rules}"},
    "adv.ev.lr_sweep": {"en": "sweep of {k} constant rates for {optimizer} at batch size {batch}, {epochs} {epochs:epoch|epochs} "
                              "each: {lr:.3g} (lowest validation loss counting its worst neighbour)",
                        "ko": "배치 크기 {batch}에서 {optimizer}의 고정 학습률 {k}개를 각각 {epochs} 에폭 스윕: "
                              "{lr:.3g}(가장 나쁜 이웃까지 본 검증 손실이 가장 낮음)"},
    "oc.tie_loss": {"en": "loss {loss:.3g}", "ko": "손실 {loss:.3g}"},
    "adv.ev.optimizer": {"en": "best validation {metric} after {epochs} {epochs:epoch|epochs} at each one's own lr: {scores}",
                         "ko": "각자의 학습률로 {epochs} 에폭 후 검증 {metric} 최고: {scores}"},
    "adv.ev.optimizer_seeds": {
        "en": "mean best validation {metric} over {seeds} seeds after {epochs} {epochs:epoch|epochs} at each one's "
              "own lr: {scores}",
        "ko": "각자의 학습률로 {epochs} 에폭 후 검증 {metric} 최고값의 시드 {seeds}개 평균: {scores}"},
    "adv.ev.seeds_apart": {"en": "; {first} ahead of {second} on every seed",
                           "ko": "; 모든 시드에서 {first}이(가) {second}보다 앞섬"},
    "adv.ev.seeds_overlap": {"en": "; the seeds of {first} and {second} overlap: either will do",
                             "ko": "; {first}과(와) {second}의 시드 범위가 겹침: 어느 쪽이든 괜찮음"},
    "adv.ev.epochs": {"en": "validation {metric} best at epoch {best} of {max_epochs} ({value:.4f}); {verdict}",
                      "ko": "검증 {metric}이(가) {max_epochs} 에폭 중 {best}에서 최고({value:.4f}); {verdict}"},
    "adv.ev.epochs_cut": {
        "en": "validation {metric} best at epoch {best} of the {run} the time budget allowed ({max_epochs} planned) "
              "({value:.4f}); {verdict}",
        "ko": "검증 {metric}이(가) 시간 예산이 허락한 {run} 에폭({max_epochs} 에폭 계획) 중 {best}에서 최고({value:.4f}); "
              "{verdict}"},
    "adv.verdict_cut.ok": {"en": "it had stopped improving before the cut", "ko": "중단 전에 이미 개선이 멈춤"},
    "adv.verdict_cut.too_long": {"en": "it had stopped improving early", "ko": "일찍 개선이 멈춤"},
    "adv.verdict_cut.train_longer": {"en": "still improving when cut: a lower bound, train longer",
                                     "ko": "중단될 때도 개선 중: 최솟값일 뿐이니 더 길게 훈련"},
    "adv.verdict.ok": {"en": "budget fits", "ko": "예산 적절"},
    "adv.verdict.too_long": {"en": "budget far too long", "ko": "예산이 너무 김"},
    "adv.verdict.train_longer": {"en": "still improving: train longer", "ko": "아직 개선 중: 더 길게 훈련"},
    "adv.note.few_val_rows": {
        "en": "Validation has only {n} rows (one row is {share:.0%} of its accuracy): the stages' choices rest on "
              "few samples, so take them as a first guess and check them on more data.",
        "ko": "검증 세트가 {n}행뿐입니다(한 행이 정확도의 {share:.0%}): 각 단계의 선택이 적은 표본에 기대므로, 첫 "
              "추정으로 보고 더 많은 데이터로 확인하세요."},
    "adv.note.few_val_rows_r2": {
        "en": "Validation has only {n} rows: the stages' choices rest on few samples, so take them as a first guess "
              "and check them on more data.",
        "ko": "검증 세트가 {n}행뿐입니다: 각 단계의 선택이 적은 표본에 기대므로, 첫 추정으로 보고 더 많은 데이터로 "
              "확인하세요."},
    "adv.note.start_batch": {
        "en": "The starting batch size {b} was lowered to the training set size, {to}.",
        "ko": "시작 배치 크기 {b}을(를) 훈련 세트 크기인 {to}(으)로 낮췄습니다."},
    "adv.note.cut": {"en": "The time budget cut the {stage} stage short; its evidence is partial (raise "
                           "--budget-seconds).",
                     "ko": "시간 예산 때문에 {stage} 단계가 일찍 끝났습니다; 근거가 부분적입니다(--budget-seconds를 "
                           "늘리세요)."},
    "adv.ev.lr_over": {"en": "; over {epochs} {epochs:epoch|epochs}: {lr:.3g}", "ko": "; {epochs} 에폭 기준: {lr:.3g}"},
    "adv.ev.lr_seeds": {"en": ", confirmed on {seeds} seeds", "ko": ", 시드 {seeds}개로 확인"},
    "adv.note.confirmed": {
        "en": "The winner's learning rate was confirmed on {seeds} seeds: {lr:.3g} (on one seed: {before:.3g}).",
        "ko": "이긴 옵티마이저의 학습률을 시드 {seeds}개로 확인했습니다: {lr:.3g}(시드 하나: {before:.3g})."},
    "adv.note.rechecked": {
        "en": "The learning rate was swept again over {epochs} {epochs:epoch|epochs}, the length the epoch stage "
              "recommends: {lr:.3g} (over {swept} {swept:epoch|epochs}: {before:.3g}).",
        "ko": "에폭 단계가 권하는 길이인 {epochs} 에폭으로 학습률을 다시 스윕했습니다: {lr:.3g}({swept} 에폭 기준: "
              "{before:.3g})."},
    "adv.note.measured_at": {"en": "The epoch count itself was measured at {before:.3g}.",
                             "ko": "에폭 수 자체는 {before:.3g}에서 측정했습니다."},
    "adv.note.cut_improving": {
        "en": "The time budget ended the epoch stage at epoch {run} while validation was still improving, so "
              "{best} {best:epoch|epochs} is a lower bound, not a measured best: train up to {next} epochs with "
              "early stopping (--early-stopping), or raise --budget-seconds.",
        "ko": "검증 성능이 아직 좋아지는 중에 시간 예산 때문에 에폭 단계가 {run} 에폭에서 끝났으므로 {best} 에폭은 측정된 "
              "최적값이 아니라 최솟값입니다: 조기 종료(--early-stopping)로 최대 {next} 에폭까지 "
              "훈련하거나 --budget-seconds를 늘리세요."},
    "adv.note.skipped": {"en": "The time budget ran out before these optimizers could be checked: {names}.",
                         "ko": "시간 예산이 다 되어 다음 옵티마이저는 비교하지 못했습니다: {names}."},
    "adv.note.horizon": {
        "en": "The learning rate was chosen for runs of {swept} {swept:epoch|epochs}, but the epoch stage suggests {epochs}: the "
              "best constant rate depends on the run's length (longer runs usually favour a lower one), so check it "
              "with lr-find --method sweep --epochs {epochs}.",
        "ko": "학습률은 {swept} 에폭 학습을 기준으로 골랐지만 에폭 단계는 {epochs} 에폭을 제안합니다: 가장 좋은 고정 "
              "학습률은 학습 길이에 따라 달라지므로(긴 학습은 보통 더 낮은 학습률을 선호) lr-find --method sweep "
              "--epochs {epochs}(으)로 확인하세요."},
    "adv.notes": {"en": "Notes", "ko": "참고"},
    "adv.section.scaling": {"en": "If you change the batch size", "ko": "배치 크기를 바꾼다면"},
    "adv.section.compute": {"en": "Compute spent", "ko": "사용한 계산량"},
    "adv.stage": {"en": "stage", "ko": "단계"},
    "adv.steps": {"en": "steps", "ko": "스텝"},
    "adv.samples": {"en": "samples", "ko": "샘플"},
    "adv.total": {"en": "total", "ko": "합계"},
    "adv.timing": {"en": "timing probe", "ko": "시간 측정"},
    "adv.report": {"en": "Report: {path}", "ko": "보고서: {path}"},
    "adv.compute_note": {
        "en": "Steps count optimizer steps plus gradient evaluations of the noise-scale measurement; samples "
              "count every sample passed forward and backward.",
        "ko": "스텝은 옵티마이저 스텝과 노이즈 스케일 측정의 그래디언트 계산 횟수를, 샘플은 순전파·역전파한 모든 "
              "샘플 수를 셉니다."},
})

# batch_find
register({
    "bf.title": {"en": "Batch-size finder", "ko": "배치 크기 찾기"},
    "bf.throughput": {"en": "samples per second", "ko": "초당 샘플 수"},
    "bf.memory": {"en": "peak memory (MiB)", "ko": "최대 메모리 (MiB)"},
    "bf.limit": {"en": "memory budget", "ko": "메모리 예산"},
    "bf.fits": {"en": "largest that fits", "ko": "들어가는 최대"},
    "bf.plateau": {"en": "throughput plateau", "ko": "처리량 정체점"},
    "bf.critical": {"en": "critical batch size", "ko": "임계 배치 크기"},
    "bf.recommended": {"en": "recommended", "ko": "추천"},
    "bf.method.dispatch": {"en": "live tensor bytes in the first step, seen through a dispatch mode",
                           "ko": "첫 스텝에서 살아 있는 텐서 바이트, 디스패치 모드로 측정"},
    "bf.method.cuda": {"en": "the CUDA allocator's peak", "ko": "CUDA 할당자의 최대값"},
    "bf.measured": {
        "en": "Probed {n} batch sizes from {lo} to {hi} with {k} timed steps each: throughput rose from {tp_lo:,.0f} "
              "to a best of {tp_best:,.0f} samples/s (at batch size {best_b}); measured peak memory grew from "
              "{mem_lo} to {mem_hi} ({method}).",
        "ko": "배치 크기 {n}개({lo}~{hi})를 각각 {k} 스텝씩 시간을 재며 시험했습니다: 처리량은 초당 {tp_lo:,.0f}에서 "
              "최고 {tp_best:,.0f} 샘플(배치 크기 {best_b})까지 올랐고, 측정한 최대 메모리는 {mem_lo}에서 {mem_hi}(으)로 "
              "늘었습니다({method})."},
    "bf.fit_limit": {
        "en": "Memory budget {limit} with a {margin:.0%} safety margin leaves {usable}: the largest batch within it "
              "is {b} (peak {peak}).{beyond}",
        "ko": "메모리 예산 {limit}에서 안전 여유 {margin:.0%}을(를) 빼면 {usable}입니다: 그 안에 드는 가장 큰 배치는 "
              "{b}입니다(최대 {peak}).{beyond}"},
    "bf.beyond": {"en": " Batch size {b} needed {peak}.", "ko": " 배치 크기 {b}은(는) {peak}이(가) 필요했습니다."},
    "bf.oom": {"en": " Batch size {b} ran out of memory.", "ko": " 배치 크기 {b}은(는) 메모리가 부족했습니다."},
    "bf.no_limit": {
        "en": "No memory budget was given (CPU; use --memory-limit), so every batch up to {b} counts as fitting.",
        "ko": "메모리 예산이 주어지지 않아(CPU; --memory-limit 사용) {b}까지의 모든 배치를 들어가는 것으로 봅니다."},
    "bf.plateau_at": {
        "en": "Throughput stops rising at batch size {b}: it reaches {share:.0%} of the best throughput measured "
              "among batches that fit (within {tol:.0%}), so larger batches buy little speed per sample.",
        "ko": "처리량은 배치 크기 {b}에서 더 오르지 않습니다: 메모리에 들어가는 배치 중 측정한 최고 처리량의 "
              "{share:.0%}에 이르러(차이 {tol:.0%} 이내) 더 큰 배치는 샘플당 속도를 거의 높이지 못합니다."},
    "bf.critical_at": {"en": "The gradient noise scale puts the critical batch size at {b:.1f}.",
                       "ko": "그래디언트 노이즈 스케일로 본 임계 배치 크기는 {b:.1f}입니다."},
    "bf.critical_none": {"en": "The gradient noise scale set no limit (signal not measurable above the noise).",
                         "ko": "그래디언트 노이즈 스케일은 한계를 주지 않았습니다(신호가 노이즈에 묻힘)."},
    "bf.verdict": {
        "en": "Recommended batch size {b}: the smallest of the three limits ({binding} = {value}), rounded down "
              "to a power of two.",
        "ko": "추천 배치 크기 {b}: 세 한계 중 가장 작은 값({binding} = {value})을 2의 거듭제곱으로 내림한 값."},
    "bf.target": {"en": "target batch", "ko": "목표 배치"},
    "bf.reach.source.target": {"en": "--target-batch", "ko": "--target-batch"},
    "bf.reach.source.critical": {"en": "the critical batch size {crit:.1f}, rounded down to a power of two",
                                 "ko": "임계 배치 크기 {crit:.1f}을(를) 2의 거듭제곱으로 내림한 값"},
    "bf.reach.fits": {
        "en": "Target {target} ({source}) fits on one device (largest that fits {fits}): use --batch-size {target}, "
              "no accumulation needed.",
        "ko": "목표 {target}({source})은(는) 장치 하나에 들어갑니다(들어가는 최대 {fits}): --batch-size {target}을(를) 쓰면 되고 "
              "누적은 필요 없습니다."},
    "bf.reach.accumulate": {
        "en": "Target {target} ({source}) > largest that fits {fits}: use --batch-size {b} --accumulate {a}"
              "{alternatives} (effective batch = batch size x accumulate x processes).",
        "ko": "목표 {target}({source})이 들어가는 최대 {fits}보다 큽니다: --batch-size {b} --accumulate {a}"
              "{alternatives}을(를) 쓰세요(유효 배치 = 배치 크기 x 누적 x 프로세스 수)."},
    "bf.reach.or": {"en": ", or {option}", "ko": " 또는 {option}"},
    "bf.reach.process": {"en": "{p} processes x --accumulate {a}", "ko": "프로세스 {p}개 x --accumulate {a}"},
    "bf.reach.process_only": {"en": "{p} processes", "ko": "프로세스 {p}개"},
    "bf.reach.lr": {
        "en": "With it goes lr {lr:.3g} ({rule} rule for {optimizer}, from lr {lr0:.3g} at batch {b0}){warmup}.",
        "ko": "함께 쓸 학습률은 {lr:.3g}입니다({optimizer}에 맞는 {rule} 규칙, 배치 {b0}에서의 학습률 {lr0:.3g} 기준)"
              "{warmup}."},
    "bf.reach.above_critical": {
        "en": " Note: {target} is above the critical batch size {crit:.1f}, where a larger batch stops cutting the "
              "steps needed (the scaling rules hold only up to about there).",
        "ko": " 참고: {target}은(는) 임계 배치 크기 {crit:.1f}보다 큽니다. 그 이상에서는 배치를 키워도 필요한 스텝이 거의 "
              "줄지 않습니다(스케일링 규칙도 대략 그 지점까지만 맞습니다)."},
    "bf.reach.rule.linear": {"en": "linear", "ko": "선형"},
    "bf.reach.rule.sqrt": {"en": "square-root", "ko": "제곱근"},
    "bf.reach.warmup": {"en": ", with a linear warmup over {epochs:g} epochs",
                        "ko": "; {epochs:g} 에폭 동안 선형 워밍업을 하세요"},
})

# epochs
register({
    "ep.title": {"en": "Epochs with early stopping", "ko": "조기 종료로 정한 에폭 수"},
    "ep.ran": {
        "en": "Trained up to {max_epochs} {max_epochs:epoch|epochs} with early stopping (patience {patience}): {run} {run:epoch|epochs} ran "
              "({status}). Validation {metric} was best at epoch {best} ({value:.4f}); validation loss was lowest "
              "at epoch {best_loss} ({loss:.4f}).",
        "ko": "조기 종료(인내 {patience})로 최대 {max_epochs} 에폭까지 훈련했고 {run} 에폭을 돌았습니다"
              "({status}). 검증 "
              "{metric}은(는) 에폭 {best}에서 가장 좋았고({value:.4f}), 검증 손실은 에폭 {best_loss}에서 가장 낮았습니다"
              "({loss:.4f})."},
    "ep.too_long": {
        "en": "The best epoch, {best}, is in the first {early:.0%} of the {budget}-epoch budget ({share:.0%}): the "
              "budget is far too long; a budget of {next} epochs, twice the best epoch, is enough.",
        "ko": "최고 에폭 {best}은(는) {budget} 에폭 예산의 앞 {early:.0%} 안({share:.0%})에 있습니다: 예산이 너무 깁니다. "
              "최고 에폭의 두 배인 {next} 에폭 예산이면 충분합니다."},
    "ep.train_longer": {
        "en": "The best epoch, {best}, is in the last {late:.0%} of the {budget}-epoch budget ({share:.0%}): "
              "validation was still improving, so train longer (try {next} {next:epoch|epochs}).",
        "ko": "최고 에폭 {best}은(는) {budget} 에폭 예산의 마지막 {late:.0%} 안({share:.0%})에 있습니다: 검증 성능이 아직 "
              "나아지고 있었으니 더 길게 훈련하세요({next} 에폭 시도)."},
    "ep.ok": {
        "en": "The best epoch, {best}, is at {share:.0%} of the {budget}-epoch budget: between the first {early:.0%} "
              "and the last {late:.0%}, so the budget fits; train {best} {best:epoch|epochs}.",
        "ko": "최고 에폭 {best}은(는) {budget} 에폭 예산의 {share:.0%} 지점입니다: 앞 {early:.0%}과(와) 마지막 {late:.0%} "
              "사이이므로 예산이 알맞습니다. {best} 에폭 훈련하세요."},
    "ep.seeds": {
        "en": "On {seeds} seeds, trained together and each stopped on its own, the best epochs were {bests}: the "
              "suggestion is their median, {best}, and the lines above describe that seed's run.",
        "ko": "함께 학습하고 각자 멈춘 시드 {seeds}개의 최고 에폭은 {bests}(이)었습니다: 제안은 그 중앙값인 "
              "{best} 에폭이고, 위 문장들은 그 시드의 실행을 설명합니다."},
    "ep.gap": {"en": "At the best epoch the train/validation gap in {metric} was {gap:+.4f}.",
               "ko": "최고 에폭에서 {metric}의 훈련/검증 차이는 {gap:+.4f}(이)었습니다."},
    "ep.metric_still_rising": {
        "en": "Validation {metric} was still at its best in the last epoch ({epoch}) when early stopping, which "
              "watches validation loss (lowest at epoch {loss_epoch}), ended the run: a patience above {patience} "
              "may find a later best epoch.",
        "ko": "조기 종료는 검증 손실(에폭 {loss_epoch}에서 최저)을 보고 멈췄지만, 검증 {metric}은(는) 마지막 에폭({epoch})"
              "에서도 최고였습니다: 인내를 {patience}보다 크게 하면 더 뒤의 최고 에폭을 찾을 수 있습니다."},
    "ep.zone_early": {"en": "first {share:.0%}: budget too long", "ko": "앞 {share:.0%}: 예산 과다"},
    "ep.zone_late": {"en": "last {share:.0%}: train longer", "ko": "마지막 {share:.0%}: 더 훈련"},
    "ep.budget_cut": {"en": "The time budget ended the run after epoch {run} of {max_epochs}.",
                      "ko": "시간 예산 때문에 {max_epochs} 에폭 중 {run} 에폭 후 멈췄습니다."},
    "ep.diverged": {"en": "Training diverged at step {step} (epoch {epoch}); lower the learning rate first.",
                    "ko": "훈련이 스텝 {step}(에폭 {epoch})에서 발산했습니다; 먼저 학습률을 낮추세요."},
})

# noise_scale
register({
    "ns.title": {"en": "Gradient noise scale", "ko": "그래디언트 노이즈 스케일"},
    "ns.chunked_batchnorm": {
        "en": "Each gradient was summed over forward/backward passes of at most {chunk} samples; BatchNorm "
              "normalises each pass by its own statistics, so this approximates the gradient of one batch of {big}.",
        "ko": "각 그래디언트는 한 번에 최대 {chunk}개 샘플의 순전파/역전파를 합산해 구했습니다. BatchNorm은 각 "
              "패스를 그 패스의 통계로 정규화하므로, 배치 {big} 한 번의 그래디언트에 대한 근사입니다."},
    "ns.chunked": {
        "en": "Each gradient was summed over forward/backward passes of at most {chunk} samples (the same gradient "
              "as one batch of {big}, in less memory).",
        "ko": "각 그래디언트는 한 번에 최대 {chunk}개 샘플의 순전파/역전파를 합산해 구했습니다(배치 {big} 한 번과 "
              "같은 그래디언트를 더 적은 메모리로)."},
    "ns.measured": {
        "en": "After {steps} training steps, the mean squared gradient norm was {small_sq:.4g} at batch size "
              "{small} and {big_sq:.4g} at batch size {big} ({pairs} gradients of each).",
        "ko": "훈련 {steps} 스텝 후, 그래디언트 노름 제곱의 평균은 배치 크기 {small}에서 {small_sq:.4g}, "
              "배치 크기 {big}에서 {big_sq:.4g}(이)었습니다(각각 {pairs}개 그래디언트)."},
    "ns.result": {
        "en": "That gives |G|^2 = {g2:.4g} (signal) and tr(Sigma) = {s:.4g} (noise per sample), so B_simple = "
              "{b:.1f} (80% bootstrap interval {lo} to {hi}). Batches well above about {b:.0f} samples stop "
              "paying off: doubling them no longer halves the steps needed.",
        "ko": "이로부터 |G|^2 = {g2:.4g}(신호), tr(Sigma) = {s:.4g}(샘플당 노이즈)이고, B_simple = {b:.1f}"
              "(80% 부트스트랩 구간 {lo}~{hi})입니다. 배치를 약 {b:.0f}개보다 훨씬 크게 키우면 이득이 "
              "사라집니다: 배치를 두 배로 해도 필요한 스텝이 절반으로 줄지 않습니다."},
    "ns.noise_only": {
        "en": "The gradient signal was not measurable above the noise (|G|^2 estimate {g2:.3g} <= 0): the "
              "critical batch size is larger than can be resolved with batch size {big}; batch size is not "
              "limited by noise here.",
        "ko": "그래디언트 신호가 노이즈보다 작아 측정되지 않았습니다(|G|^2 추정값 {g2:.3g} <= 0): 임계 배치 "
              "크기가 배치 크기 {big}(으)로 구별할 수 있는 것보다 큽니다. 여기서는 노이즈가 배치 크기를 제한하지 "
              "않습니다."},
    "ns.axis": {"en": "1 / batch size", "ko": "1 / 배치 크기"},
    "ns.sq_norm": {"en": "mean |G_B|^2", "ko": "|G_B|^2 평균"},
    "ns.fit": {"en": "|G|^2 + tr(Sigma) / B", "ko": "|G|^2 + tr(Sigma) / B"},
})

# optimizer_check
register({
    "oc.title": {"en": "Optimizer check", "ko": "옵티마이저 비교"},
    "oc.row": {"en": "{optimizer}: lr {lr:.3g} ({source}) -> best validation {metric} {value:.4f} at epoch {epoch} "
                     "of {epochs}{note}.",
               "ko": "{optimizer}: 학습률 {lr:.3g}({source}) -> 검증 {metric} 최고 {value:.4f}"
                     "(에폭 {epoch}/{epochs}){note}."},
    "oc.row_seeds": {
        "en": "{optimizer}: lr {lr:.3g} ({source}) -> mean best validation {metric} {value:.4f} over {seeds} seeds "
              "({lo:.4f} to {hi:.4f}) within {epochs} {epochs:epoch|epochs}{note}.",
        "ko": "{optimizer}: 학습률 {lr:.3g}({source}) -> 검증 {metric} 최고값의 시드 {seeds}개 평균 {value:.4f}"
              "({lo:.4f}~{hi:.4f}, {epochs} 에폭 안){note}."},
    "oc.seeds_missing": {"en": ", no score on {k} {k:seed|seeds}", "ko": ", 시드 {k}개는 점수 없음"},
    "oc.seeds_apart": {
        "en": "On every seed {first} did better than {second} did on any ({what}: {first}'s worst {worst} against "
              "{second}'s best {best}): the gap is larger than seed noise.",
        "ko": "모든 시드에서 {first}이(가) {second}의 어느 시드보다도 나았습니다({what}: {first}의 가장 나쁜 값 "
              "{worst} 대 {second}의 가장 좋은 값 {best}): 차이가 시드 잡음보다 큽니다."},
    "oc.seeds_overlap": {
        "en": "Their seeds overlap ({what}: {first} {lo1} to {hi1}, {second} {lo2} to {hi2}): the gap is within "
              "seed noise, so either will do here.",
        "ko": "두 시드 범위가 겹칩니다({what}: {first} {lo1}~{hi1}, {second} {lo2}~{hi2}): 차이가 시드 잡음 "
              "안에 있으니 여기서는 어느 쪽이든 괜찮습니다."},
    "oc.given": {"en": "given", "ko": "주어진 값"},
    "oc.swept": {"en": "sweep over {epochs} {epochs:epoch|epochs}", "ko": "{epochs} 에폭 스윕"},
    "oc.failed": {"en": "{optimizer}: no result ({why}).", "ko": "{optimizer}: 결과 없음({why})."},
    "oc.skipped": {"en": "time budget used up", "ko": "시간 예산 소진"},
    "oc.cut": {"en": ", cut by the time budget", "ko": ", 시간 예산으로 중단"},
    "oc.diverged": {"en": ", diverged", "ko": ", 발산"},
    "oc.verdict": {
        "en": "Best: {optimizer} ({value:.4f}), ahead of {second} by {gap:.4f} after the same {epochs} {epochs:epoch|epochs}.",
        "ko": "최고: {optimizer}({value:.4f}), 같은 {epochs} 에폭 후 {second}보다 {gap:.4f} 앞섬."},
    "oc.verdict_tie": {
        "en": "Best: {optimizer} ({value:.4f}), tied with {second} on validation {metric} after the same {epochs} "
              "{epochs:epoch|epochs}; its validation loss was lower ({loss:.3g} against {other:.3g}).",
        "ko": "최고: {optimizer}({value:.4f}), 같은 {epochs} 에폭 후 검증 {metric}은(는) {second}과(와) 같고, 검증 손실이 "
              "더 낮았습니다({loss:.3g} 대 {other:.3g})."},
    "oc.verdict_same": {
        "en": "{optimizer} and {second} tied on validation {metric} ({value:.4f}) and loss ({loss:.3g}) after the "
              "same {epochs} {epochs:epoch|epochs}: this data cannot tell them apart; {optimizer} is kept as the "
              "one listed first.",
        "ko": "같은 {epochs} 에폭 후 {optimizer}과(와) {second}의 검증 {metric}({value:.4f})과(와) 손실({loss:.3g})이 "
              "같습니다: 이 데이터로는 둘을 가를 수 없어, 먼저 나열된 {optimizer}을(를) 둡니다."},
    "oc.alone": {"en": "Only {optimizer} produced a result.", "ko": "{optimizer}만 결과를 냈습니다."},
})

# lr_scaling
register({
    "lrs.title": {"en": "Learning rate when the batch size changes", "ko": "배치 크기를 바꿀 때의 학습률"},
    "lrs.linear": {"en": "linear", "ko": "선형"},
    "lrs.sqrt": {"en": "square root", "ko": "제곱근"},
    "lrs.scaled": {
        "en": "Batch size {b0} -> {b1} is a factor k = {k:g}. Linear scaling gives lr {lin:.3g} ({lr:.3g} x {k:g}); "
              "square-root scaling gives {sq:.3g} ({lr:.3g} x {root:.3g}).",
        "ko": "배치 크기 {b0} -> {b1}은(는) k = {k:g}배입니다. 선형 규칙은 학습률 {lin:.3g}({lr:.3g} x {k:g}), 제곱근 "
              "규칙은 {sq:.3g}({lr:.3g} x {root:.3g})입니다."},
    "lrs.why.linear": {"en": "For {optimizer} (SGD family) use the linear rule: {lr:.3g}.",
                       "ko": "{optimizer}(SGD 계열)에는 선형 규칙을 쓰세요: {lr:.3g}."},
    "lrs.why.sqrt": {"en": "For {optimizer} (adaptive) use the square-root rule: {lr:.3g}.",
                     "ko": "{optimizer}(적응형)에는 제곱근 규칙을 쓰세요: {lr:.3g}."},
    "lrs.warmup": {
        "en": "Warm up linearly over {epochs:g} {epochs:epoch|epochs}{steps}: the lr grows {k:g}x, and full-size steps on "
              "fresh weights are the unstable part.",
        "ko": "{epochs:g} 에폭{steps} 동안 선형 워밍업을 하세요: 학습률이 {k:g}배 커지고, 초기 가중치에서 큰 "
              "스텝이 가장 불안정합니다."},
    "lrs.warmup_steps": {"en": " ({steps} {steps:step|steps} at {spe} {spe:step|steps} per epoch)", "ko": "({steps} 스텝, 에폭당 {spe} 스텝)"},
    "lrs.no_warmup": {"en": "No warmup is needed: the learning rate does not grow.",
                      "ko": "학습률이 커지지 않으므로 워밍업은 필요 없습니다."},
    "lrs.critical": {
        "en": "Batch size {b1} is above the critical batch size {crit:.1f}: the scaling rules overestimate there, "
              "so expect less speed-up than k and check the lr with a range test.",
        "ko": "배치 크기 {b1}은(는) 임계 배치 크기 {crit:.1f}보다 큽니다: 여기서는 규칙이 학습률을 과대평가하므로 "
              "k배만큼의 속도 향상을 기대하지 말고 범위 테스트로 확인하세요."},
})

# lr_sweep
register({
    "lsw.title": {"en": "Learning-rate sweep", "ko": "학습률 스윕"},
    "lrs.val_loss": {"en": "final validation loss", "ko": "최종 검증 손실"},
    "lrs.train_loss": {"en": "final training loss", "ko": "최종 훈련 손실"},
    "lrs.ran": {
        "en": "{k} constant learning rates from {lo:.2g} to {hi:.2g} (log-spaced) were each trained for {epochs} "
              "{epochs:epoch|epochs} = {steps} {steps:step|steps} (optimizer {optimizer}; {arithmetic}), {how}.",
        "ko": "{lo:.2g}부터 {hi:.2g}까지 로그 간격의 고정 학습률 {k}개를 각각 {epochs} 에폭 = {steps} 스텝씩 "
              "(옵티마이저 {optimizer}; {arithmetic}) {how} 학습했습니다."},
    "lrs.together": {"en": "all at once as one population", "ko": "하나의 집단으로 한꺼번에"},
    "lrs.one_by_one": {"en": "one after another (these settings cannot be trained as one population)",
                       "ko": "하나씩 차례로(이 설정은 하나의 집단으로 학습할 수 없어)"},
    "lrs.diverged": {"en": "{count} {count:rate|rates} diverged, the lowest of them {lowest:.2g}.",
                     "ko": "{count}개 학습률이 발산했고, 그중 가장 낮은 값은 {lowest:.2g}입니다."},
    "lrs.cost": {
        "en": "Cost: {steps} {steps:step|steps}, {epochs:.3g} epochs, {samples:,} samples over all rates (a default range test "
              "here: {r_steps} {r_steps:step|steps} = {r_passes:.2g} epochs = {r_samples:,} samples).",
        "ko": "비용: 모든 학습률 합쳐 {steps} 스텝, {epochs:.3g} 에폭, 샘플 {samples:,}개 (여기서 기본 범위 테스트는 "
              "{r_steps} 스텝 = {r_passes:.2g} 에폭 = 샘플 {r_samples:,}개)."},
    "lrs.verdict.val_loss": {"en": "Chosen: lr {lr:.3g}, the lowest final validation loss ({loss:.4f}).",
                             "ko": "선택: 학습률 {lr:.3g}, 최종 검증 손실이 가장 낮음({loss:.4f})."},
    "lrs.verdict.train_loss": {"en": "Chosen: lr {lr:.3g}, the lowest final training loss ({loss:.4f}; the data have "
                                     "no validation split).",
                               "ko": "선택: 학습률 {lr:.3g}, 최종 훈련 손실이 가장 낮음({loss:.4f}; 검증 분할이 없는 "
                                     "데이터)."},
    "lrs.verdict.judged": {
        "en": "Chosen: lr {lr:.3g}, the lowest {what} counting its neighbours a quarter decade either side (the "
              "worst of the three, {judged:.4f}; its own {loss:.4f}): one seed's losses are noisy from rate to rate, "
              "and a rate beside a steep rise or a diverged run often does badly on the next seed.",
        "ko": "선택: 학습률 {lr:.3g}, 양쪽 4분의 1 디케이드 이웃까지 보았을 때 {what}이(가) 가장 낮음(셋 중 가장 "
              "나쁜 값 {judged:.4f}; 자체 값 {loss:.4f}): 시드 하나의 손실은 학습률마다 잡음이 있고, 손실이 급격히 "
              "오르거나 발산하는 학습률 바로 옆은 다음 시드에서 자주 나빠집니다."},
    "lrs.not_lowest": {
        "en": "The single lowest was lr {lr:.3g} ({loss:.4f}), but a neighbour did worse: a lucky point or the edge "
              "of a cliff, not the safe middle of the good range.",
        "ko": "단독으로 가장 낮은 값은 학습률 {lr:.3g}({loss:.4f})(이)었지만 이웃 하나가 더 나빴습니다: 좋은 구간의 "
              "안전한 가운데가 아니라 운 좋은 한 점이거나 절벽 가장자리입니다."},
    "lrs.not_lowest_diverged": {
        "en": "The single lowest was lr {lr:.3g} ({loss:.4f}), but its neighbour lr {other:.3g} diverged: the edge of "
              "a cliff, not the safe middle of the good range.",
        "ko": "단독으로 가장 낮은 값은 학습률 {lr:.3g}({loss:.4f})(이)었지만 이웃 학습률 {other:.3g}이(가) "
              "발산했습니다: 좋은 구간의 안전한 가운데가 아니라 절벽 가장자리입니다."},
    "lrs.not_lowest_edge": {
        "en": "The single lowest was lr {lr:.3g} ({loss:.4f}), at the edge of the narrowed window: its neighbour lr "
              "{other:.3g} stopped after epoch {rung}, so what lies beyond it is unknown, and an edge does not win.",
        "ko": "단독으로 가장 낮은 값은 학습률 {lr:.3g}({loss:.4f})(이)었지만 좁힌 창의 가장자리였습니다: 이웃 학습률 "
              "{other:.3g}은(는) {rung} 에폭 뒤에 멈춰서 그 너머는 알 수 없고, 가장자리는 선택되지 않습니다."},
    "lrs.narrowed": {
        "en": "After {rung} of {epochs} {epochs:epoch|epochs} only the {k} {k:rate|rates} from {lo:.2g} to {hi:.2g} ({below:g} decades below "
              "to {above:g} above the best so far) trained on; the {stopped} others stopped there (long runs favour "
              "lower rates than short ones, so the window reaches further down).",
        "ko": "{epochs} 에폭 중 {rung} 에폭 뒤에는 {lo:.2g}부터 {hi:.2g}까지의 학습률 {k}개(지금까지의 최선보다 "
              "{below:g} 디케이드 아래부터 {above:g} 디케이드 위까지)만 계속 학습했고, 나머지 {stopped}개는 거기서 "
              "멈췄습니다(긴 학습은 짧은 학습보다 낮은 학습률을 선호하므로 창이 아래로 더 넓습니다)."},
    "lrs.confirmed": {
        "en": "The best rate of that pass, {first:.3g}, and its neighbours ({lrs}) were then trained on {more} more "
              "{more:seed|seeds}, and each is judged by its mean over {seeds} seeds: one seed's losses are noisy from "
              "rate to rate.",
        "ko": "그 결과 가장 좋은 학습률 {first:.3g}과(와) 이웃({lrs})을(를) 시드 {more}개로 더 학습했고, 각각 시드 {seeds}개의 "
              "평균으로 판단합니다: 시드 하나의 손실은 학습률마다 잡음이 있습니다."},
    "lrs.moved": {"en": "That moved the choice from {first:.3g} to {lr:.3g}.",
                  "ko": "그래서 선택이 {first:.3g}에서 {lr:.3g}(으)로 바뀌었습니다."},
    "lrs.stopped_at": {"en": "stopped after {rung} {rung:epoch|epochs} (loss then)", "ko": "{rung} 에폭 뒤 멈춤(그때의 손실)"},
    "lrs.judged": {"en": "worst with its neighbours", "ko": "이웃 포함 가장 나쁜 값"},
    "lrs.no_gain": {
        "en": "No rate ended more than {margin:.0%} below the untrained model's validation loss ({loss:.4f}; the "
              "best {best:.4f}): over {epochs} {epochs:epoch|epochs} training barely helped here, so the choice says "
              "little. The data may carry nothing this model can learn, or the validation set is too small to show "
              "it.",
        "ko": "어떤 학습률도 학습 전 모델의 검증 손실({loss:.4f})보다 {margin:.0%} 넘게 낮게 끝나지 않았습니다(가장 낮은 "
              "값 {best:.4f}): {epochs} 에폭 동안 학습이 거의 도움이 되지 않았으므로 이 선택은 의미가 적습니다. 데이터에 "
              "이 모델이 배울 것이 없거나, 검증 세트가 너무 작아 드러나지 않았을 수 있습니다."},
    "lrs.edge": {"en": "The chosen rate {lr:.2g} is at the edge of the range: widen it (--min-lr / --max-lr) to see "
                       "whether a rate beyond does better.",
                 "ko": "선택한 학습률 {lr:.2g}이(가) 범위의 끝에 있습니다: 범위(--min-lr / --max-lr)를 넓혀 그 너머가 더 "
                       "나은지 확인하세요."},
})
