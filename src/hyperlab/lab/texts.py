"""The lab page's own words in English and Korean, registered into the one ``hyperlab.i18n`` table
(the knob names, statuses and the seed's arithmetic come from there too, so the page and the CLI say
the same thing)."""

from __future__ import annotations

from hyperlab.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "lab.title": {"en": "hyperlab lab", "ko": "hyperlab 실험실"},
    "lab.subtitle": {"en": "Turn the four knobs and watch real PyTorch training live.",
                     "ko": "네 가지 손잡이를 돌리고 실제 PyTorch 학습을 실시간으로 보세요."},
    "lab.language": {"en": "Language", "ko": "언어"},
    # data and model
    "lab.data_model": {"en": "Data and model", "ko": "데이터와 모델"},
    "lab.dataset": {"en": "data set", "ko": "데이터셋"},
    "lab.upload": {"en": "upload a CSV (last column = label)", "ko": "CSV 올리기(마지막 열 = 레이블)"},
    "lab.upload_label": {"en": "label column (optional)", "ko": "레이블 열(선택)"},
    "lab.upload_task": {"en": "task", "ko": "과제"},
    "lab.task.auto": {"en": "from the labels", "ko": "레이블로 판단"},
    "lab.upload_features": {"en": "features", "ko": "특성"},
    "lab.features.standardise": {"en": "standardised", "ko": "표준화"},
    "lab.features.raw": {"en": "as given", "ko": "주어진 그대로"},
    "lab.features.raw_note": {"en": "features used as given: not standardised, so their scale reaches the "
                                    "learning rate", "ko": "특성을 주어진 그대로 사용: 표준화하지 않았으므로 그 크기가 "
                                                           "학습률에 영향을 줍니다"},
    "lab.task.classification": {"en": "classification", "ko": "분류"},
    "lab.task.regression": {"en": "regression", "ko": "회귀"},
    "lab.uploaded": {"en": "uploaded: {name} ({n_train} training samples, {task})",
                     "ko": "올림: {name} (훈련 샘플 {n_train}개, {task})"},
    "lab.model": {"en": "model", "ko": "모델"},
    "lab.model.logistic": {"en": "logistic (one linear layer)", "ko": "로지스틱(선형층 하나)"},
    "lab.model.mlp": {"en": "MLP (width x depth)", "ko": "MLP(너비 x 깊이)"},
    "lab.model.cnn": {"en": "CNN (for digits)", "ko": "CNN(숫자 이미지용)"},
    "lab.width": {"en": "width", "ko": "너비"},
    "lab.depth": {"en": "depth", "ko": "깊이"},
    "lab.seed": {"en": "seed", "ko": "시드"},
    # the four knobs
    "lab.knobs": {"en": "The four knobs", "ko": "네 가지 손잡이"},
    "lab.options": {"en": "optimizer options", "ko": "옵티마이저 옵션"},
    "lab.momentum": {"en": "momentum", "ko": "모멘텀"},
    "lab.alpha": {"en": "alpha (RMSprop)", "ko": "alpha(RMSprop)"},
    "lab.betas": {"en": "betas", "ko": "betas"},
    "lab.eps": {"en": "eps", "ko": "eps"},
    "lab.weight_decay": {"en": "weight decay", "ko": "가중치 감쇠"},
    "lab.default": {"en": "default", "ko": "기본값"},
    "lab.total_steps": {"en": "{epochs} epochs x {spe} steps = {total} steps in all",
                        "ko": "{epochs} 에폭 x {spe} 스텝 = 모두 {total} 스텝"},
    # actions
    "lab.train": {"en": "Train", "ko": "학습"},
    "lab.stop": {"en": "Stop", "ko": "멈춤"},
    "lab.try_lrs": {"en": "Try five learning rates", "ko": "학습률 다섯 개 시도"},
    "lab.try_optimizers": {"en": "Try sgd / momentum / adam", "ko": "sgd / momentum / adam 시도"},
    "lab.runs_set": {"en": "{n} runs", "ko": "실행 {n}개"},
    "lab.set_note": {"en": "The set trains together as one population (one run after another when the model cannot be "
                           "stacked); its step losses arrive once per epoch.",
                     "ko": "여러 실행을 하나의 집단(population)으로 함께 학습합니다(모델을 쌓을 수 없으면 하나씩 차례로). "
                           "스텝별 손실은 에폭마다 한 번에 도착합니다."},
    "lab.population": {"en": "trained together as one population", "ko": "하나의 집단으로 함께 학습"},
    # live view
    "lab.live": {"en": "Live training", "ko": "실시간 학습"},
    "lab.step_loss": {"en": "loss per step", "ko": "스텝별 손실"},
    "lab.epoch_loss": {"en": "loss per epoch (solid: validation, dashed: train)",
                       "ko": "에폭별 손실(실선: 검증, 점선: 훈련)"},
    "lab.epoch_metric": {"en": "{metric} per epoch (solid: validation, dashed: train)",
                         "ko": "에폭별 {metric}(실선: 검증, 점선: 훈련)"},
    "lab.boundary": {"en": "decision boundary (redrawn every epoch)", "ko": "결정 경계(에폭마다 다시 그림)"},
    "lab.counters": {"en": "step {step} of {total} · epoch {epoch} of {epochs} · {samples} samples seen",
                     "ko": "스텝 {step}/{total} · 에폭 {epoch}/{epochs} · 본 샘플 {samples}개"},
    "lab.state.queued": {"en": "queued ({ahead} ahead)", "ko": "대기 중(앞에 {ahead}개)"},
    "lab.state.running": {"en": "running", "ko": "실행 중"},
    "lab.state.done": {"en": "done", "ko": "끝남"},
    "lab.state.stopped": {"en": "stopped", "ko": "멈춤"},
    "lab.state.failed": {"en": "failed", "ko": "실패"},
    "stopped": {"en": "stopped", "ko": "멈춤"},
    "abandoned": {"en": "stopped (no page was watching)", "ko": "멈춤(보고 있는 페이지가 없음)"},
    "lab.no_runs": {"en": "No runs yet: set the knobs and press Train.",
                    "ko": "아직 실행이 없습니다: 손잡이를 정하고 학습을 누르세요."},
    # compare
    "lab.compare": {"en": "Compare runs", "ko": "실행 비교"},
    "lab.run": {"en": "run", "ko": "실행"},
    "lab.remove": {"en": "remove", "ko": "지우기"},
    "lab.final_val_metric": {"en": "val {metric}", "ko": "검증 {metric}"},
    "lab.final_val_loss": {"en": "val loss", "ko": "검증 손실"},
    "lab.show_boundary": {"en": "show", "ko": "보기"},
    # range test
    "lab.range_test": {"en": "LR range test", "ko": "학습률 범위 테스트"},
    "lab.range_run": {"en": "Run the range test", "ko": "범위 테스트 실행"},
    "lab.use_lr": {"en": "Use lr {lr}", "ko": "학습률 {lr} 쓰기"},
    # advise
    "lab.advise": {"en": "Advice for these data and model", "ko": "이 데이터와 모델을 위한 추천"},
    "lab.budget_seconds": {"en": "time budget (seconds)", "ko": "시간 예산(초)"},
    "lab.advise_run": {"en": "Advise", "ko": "추천 받기"},
    "lab.train_these": {"en": "Train with these", "ko": "이 값으로 학습"},
    "lab.stage": {"en": "measuring: {stage}", "ko": "측정 중: {stage}"},
    # optimizer paths
    "lab.paths": {"en": "Optimizer paths on 2-D surfaces", "ko": "2차원 곡면 위의 옵티마이저 경로"},
    "lab.surface": {"en": "surface", "ko": "곡면"},
    "lab.surface.valley": {"en": "elongated valley", "ko": "길쭉한 골짜기"},
    "lab.surface.saddle": {"en": "saddle", "ko": "안장점"},
    "lab.surface.rosenbrock": {"en": "Rosenbrock", "ko": "로젠브록"},
    "lab.steps": {"en": "steps", "ko": "스텝 수"},
    "lab.draw_paths": {"en": "Draw the paths", "ko": "경로 그리기"},
    "lab.path_end": {"en": "{optimizer} (lr {lr}): value {value} after {steps} steps",
                     "ko": "{optimizer}(학습률 {lr}): {steps} 스텝 후 값 {value}"},
    "lab.path_diverged": {"en": "{optimizer} (lr {lr}): diverged at step {step}",
                          "ko": "{optimizer}(학습률 {lr}): 스텝 {step}에서 발산"},
    # lessons
    "lab.lessons": {"en": "Lessons and the tour", "ko": "수업과 투어"},
    "lab.lesson": {"en": "lesson", "ko": "수업"},
    "lab.tour": {"en": "the tour (all four)", "ko": "투어(네 수업 모두)"},
    "lab.budget": {"en": "budget", "ko": "예산"},
    "lab.budget.tiny": {"en": "tiny (seconds)", "ko": "아주 작게(몇 초)"},
    "lab.budget.quick": {"en": "quick (about a minute per lesson)", "ko": "빠르게(수업당 약 1분)"},
    "lab.lesson_run": {"en": "Run", "ko": "실행"},
    "lab.open_report": {"en": "Open the report", "ko": "보고서 열기"},
    "lab.lesson_title.batch-size": {"en": "batch size", "ko": "배치 크기"},
    "lab.lesson_title.learning-rate": {"en": "learning rate", "ko": "학습률"},
    "lab.lesson_title.epochs": {"en": "epochs", "ko": "에폭"},
    "lab.lesson_title.optimizer": {"en": "optimizer", "ko": "옵티마이저"},
    # errors of the lab itself
    "lab.err.queue_full": {"en": "the queue is full ({limit} waiting); try again when a run has finished",
                           "ko": "대기열이 가득 찼습니다({limit}개 대기 중); 실행이 끝난 뒤 다시 시도하세요"},
    "lab.offline": {"en": "Everything on this page is served by the lab itself; nothing is fetched from the internet.",
                    "ko": "이 페이지의 모든 것은 실험실이 직접 제공합니다; 인터넷에서 가져오는 것은 없습니다."},
}

register(TEXTS)
