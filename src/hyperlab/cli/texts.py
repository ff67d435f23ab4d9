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

# cli/tuners.py: the tuners' table rows, in words (the --json key is shown beside them)
register({
    "cli.row.largest_fitting": {"en": "largest batch that fits", "ko": "메모리에 들어가는 가장 큰 배치"},
    "cli.row.throughput_plateau": {"en": "throughput plateau", "ko": "처리량이 포화되는 배치"},
    "cli.row.critical_batch_size": {"en": "critical batch size", "ko": "임계 배치 크기"},
    "cli.row.target_batch": {"en": "target batch", "ko": "목표 배치"},
    "cli.row.batch_size x accumulate": {"en": "micro-batch x accumulation", "ko": "마이크로배치 x 누적"},
    "cli.row.lr": {"en": "learning rate", "ko": "학습률"},
    "cli.row.linear_lr": {"en": "linear rule", "ko": "선형 규칙"},
    "cli.row.sqrt_lr": {"en": "square-root rule", "ko": "제곱근 규칙"},
    "cli.row.warmup_epochs": {"en": "warmup epochs", "ko": "워밍업 에폭"},
    "cli.row.warmup_steps": {"en": "warmup steps", "ko": "워밍업 스텝"},
    "cli.row.verdict": {"en": "verdict", "ko": "판정"},
    "cli.row.next_budget": {"en": "next epoch budget", "ko": "다음 에폭 예산"},
    "cli.row.|G|^2": {"en": "gradient signal", "ko": "그래디언트 신호"},
    "cli.row.tr(Sigma)": {"en": "gradient noise", "ko": "그래디언트 잡음"},
})

register({
    "cli.plot": {"en": "Plot: {path}", "ko": "그림: {path}"},
    "cli.suggestion": {"en": "suggestion", "ko": "제안"},
    "cli.stage": {"en": "stage {i}/4: {name}", "ko": "단계 {i}/4: {name}"},
    "cli.stage_more": {"en": "then: {name}", "ko": "이어서: {name}"},
    "cli.cost": {"en": "cost", "ko": "비용"},
    "cli.cost_value": {"en": "{steps} {steps:step|steps}, {epochs:.3g} epochs, {samples:,} samples",
                       "ko": "{steps} 스텝, {epochs:.3g} 에폭, 샘플 {samples:,}개"},
})

# cli/catalog.py: what `hyperlab datasets`, `models` and `optimizers` describe (English from the modules that own them)
_CATALOG_KO = {
    "dataset.digits": "8x8 손글씨 숫자 이미지 1,797장, 10개 클래스 (UCI, scikit-learn 제공)",
    "dataset.breast-cancer": "종양 569개, 특성 30개, 이진 분류 (UCI, scikit-learn 제공)",
    "dataset.wine": "와인 178개, 특성 13개, 3개 클래스 (UCI, scikit-learn 제공)",
    "dataset.moons": "점 1,000개, 서로 맞물린 반달 두 개, 2차원 합성 데이터",
    "dataset.spirals": "점 1,000개, 나선 두 개, 2차원 합성 데이터",
    "dataset.diabetes": "환자 442명, 특성 10개, 질병 진행도 (Efron 외 2004, scikit-learn 제공)",
    "model.logistic": "선형층 하나 (로지스틱 / 선형 회귀)",
    "model.mlp": "다층 퍼셉트론: --width 유닛 x --depth 은닉층, ReLU",
    "model.cnn": "숫자 이미지 같은 이미지 데이터용 작은 합성곱 신경망 (3x3 합성곱층 두 개)",
    "optimizer.sgd": "기본 SGD: W <- W - lr * grad",
    "optimizer.momentum": "모멘텀 SGD (따로 정하지 않으면 0.9): 지난 기울기를 평균한 속도",
    "optimizer.nesterov": "네스테로프 모멘텀 SGD: 속도 방향으로 앞을 내다봄",
    "optimizer.rmsprop": "각 스텝을 기울기의 이동 RMS로 나눔",
    "optimizer.adagrad": "파라미터별 스텝이 기울기 제곱의 누적합에 따라 줄어듦",
    "optimizer.adam": "모멘텀 + RMS 스케일링, 편향 보정 포함 (betas, eps)",
    "optimizer.adamw": "가중치 감쇠를 분리한 Adam",
}


def _catalog_english() -> dict[str, str]:
    from hyperlab.data import describe_builtin
    from hyperlab.models import MODELS
    from hyperlab.optim import DESCRIPTIONS

    return {**{f"dataset.{row['name']}": row["description"] for row in describe_builtin()},
            **{f"model.{k}": v for k, v in MODELS.items()}, **{f"optimizer.{k}": v for k, v in DESCRIPTIONS.items()}}


register({f"catalog.{key}": {"en": english, "ko": _CATALOG_KO.get(key, english)}
          for key, english in _catalog_english().items()})
register({
    "catalog.name": {"en": "name", "ko": "이름"},
    "catalog.task": {"en": "task", "ko": "과제"},
    "catalog.description": {"en": "description", "ko": "설명"},
})

# cli/datanote.py: what was read from a user's file
register({
    "cli.data.classification": {
        "en": "data {name}: classification{given}, {k} classes in {column}{mapping}; {n_train} train / {n_val} "
              "validation / {n_test} test rows",
        "ko": "데이터 {name}: 분류{given}, {column}의 클래스 {k}개{mapping}; 학습 {n_train} / 검증 {n_val} / "
              "시험 {n_test}행"},
    "cli.data.given": {"en": " (given by --task)", "ko": " (--task로 지정)"},
    "cli.data.regression_given": {
        "en": "data {name}: regression of {column} (given by --task; R² reported); {n_train} train / {n_val} "
              "validation / {n_test} test rows",
        "ko": "데이터 {name}: {column}의 회귀 (--task로 지정; R² 보고); 학습 {n_train} / 검증 {n_val} / 시험 {n_test}행"},
    "cli.data.whole_batch": {
        "en": "no batch size given, and the default {default} is more than the {n} training rows: each step "
              "takes the whole training set (batch size {b})",
        "ko": "배치 크기를 지정하지 않았고 기본값 {default}은(는) 학습 행 {n}개보다 큽니다: 매 스텝이 학습 세트 전체를 "
              "씁니다 (배치 크기 {b})"},
    "cli.data.mapping": {"en": " (labels {labels} are outputs {outputs})",
                         "ko": " (레이블 {labels} → 출력 {outputs})"},
    "cli.data.regression": {
        "en": "data {name}: regression of {column} (labels are classes only when they are text or at most "
              "{max_classes} distinct whole numbers; R² reported); {n_train} train / {n_val} validation / "
              "{n_test} test rows",
        "ko": "데이터 {name}: {column}의 회귀 (레이블이 문자이거나 서로 다른 정수가 {max_classes}개 이하일 때만 "
              "클래스로 읽음; R² 보고); 학습 {n_train} / 검증 {n_val} / 시험 {n_test}행"},
    "cli.data.column": {"en": "column {label!r}", "ko": "열 {label!r}"},
    "cli.data.y": {"en": "y", "ko": "y"},
    "cli.data.more": {"en": ", ... ({n} in all)", "ko": ", ... (모두 {n}개)"},
    "cli.data.one_row_classes": {
        "en": "{k} classes in {rows} rows of {column}: most classes have a single row, which training cannot "
              "learn to predict; if the column is a quantity, use --task regression",
        "ko": "{column}의 {rows}행에 클래스가 {k}개입니다: 대부분의 클래스가 한 행뿐이라 학습으로 예측할 수 없습니다. "
              "이 열이 양(수치)이라면 --task regression을 쓰세요"},
    "cli.data.missing_many": {
        "en": "{n} classes have no rows in validation ({labels}, ...): their accuracy is not measured there",
        "ko": "클래스 {n}개는 검증 세트에 행이 없습니다 ({labels}, ...): 검증에서 그 정확도는 측정되지 않습니다"},
    "cli.data.missing": {
        "en": "class {label!r} has no rows in validation ({n} in all): its accuracy is not measured there",
        "ko": "클래스 {label!r}은(는) 검증 세트에 행이 없습니다 (전체 {n}행): 검증에서 그 정확도는 측정되지 않습니다"},
    "cli.data.features.raw": {
        "en": "features used as given (--features raw): not standardised, so their scale reaches the learning rate",
        "ko": "특성을 주어진 그대로 사용 (--features raw): 표준화하지 않았으므로 그 크기가 학습률에 영향을 줍니다"},
    "cli.data.features.ids": {
        "en": "features read as integer ids (--features ids): {n} per sample, {low} to {high}, for the model's "
              "nn.Embedding",
        "ko": "특성을 정수 id로 읽음 (--features ids): 샘플마다 {n}개, {low}부터 {high}까지, 모델의 nn.Embedding용"},
})
