"""How arrays and files read X: standardised (default), floats as given, or integer ids for an
nn.Embedding model."""

import numpy as np
import pytest
import torch
from torch import nn

import hyperlab
from hyperlab.errors import ConfigError, DataError, HyperlabError


def _ids(n: int = 240, vocab: int = 30, length: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, vocab, (n, length))
    return X, (X[:, 0] >= vocab // 2).astype(int)  # the class is read from the first token


def _rows(data: hyperlab.Data) -> list[tuple]:
    return [tuple(r) for r in data.train.tensors[0].tolist()]  # type: ignore[attr-defined]


def test_ids_are_kept_as_int64_rows_of_the_input():
    X, y = _ids()
    data = hyperlab.as_data((X, y), features="ids")
    train = data.train.tensors[0]  # type: ignore[attr-defined]
    assert train.dtype == torch.int64
    originals = {tuple(r) for r in X.tolist()}
    assert set(_rows(data)) <= originals and len(train) == data.n_train
    assert data.n_features == X.shape[1]


def test_default_standardises_and_raw_keeps_the_values():
    X, y = _ids()
    standard = hyperlab.as_data((X, y)).train.tensors[0]  # type: ignore[attr-defined]
    assert standard.dtype == torch.float32
    assert standard.mean(0).abs().max() < 1e-5 and (standard.std(0, unbiased=False) - 1).abs().max() < 1e-4
    raw = hyperlab.as_data((X, y), features="raw")
    assert raw.train.tensors[0].dtype == torch.float32  # type: ignore[attr-defined]
    assert set(_rows(raw)) <= {tuple(float(v) for v in r) for r in X.tolist()}


@pytest.mark.parametrize("change, shown, where", [
    (lambda X: X + 0.5, "15.5", "row 0, column 0"),
    (lambda X: -X, "-15", "row 0, column 0"),
    (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "nan", "row 1, column 2"),
])
def test_ids_refuse_values_that_are_no_index(change, shown, where):
    X, y = _ids()
    X = X.astype(float)
    X[0, 0] = 15
    with pytest.raises(DataError) as info:
        hyperlab.as_data((change(X), y), features="ids")
    assert shown in str(info.value) and where in str(info.value) and "whole number >= 0" in str(info.value)


def test_features_is_validated_and_refused_where_it_cannot_apply():
    X, y = _ids()
    with pytest.raises(ConfigError, match=r"features='idz' is invalid: must be one of standardise, raw, ids "
                                          r"\(did you mean 'ids'\?\)"):
        hyperlab.as_data((X, y), features="idz")
    with pytest.raises(ConfigError, match="features='ids'.*built-in 'wine'"):
        hyperlab.as_data("wine", features="ids")
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    with pytest.raises(ConfigError, match="features='raw'.*TensorDataset's features are used as given"):
        hyperlab.as_data(dataset, features="raw")
    with pytest.raises(ConfigError, match="features='raw'.*Data's features"):
        hyperlab.as_data(hyperlab.as_data((X, y)), features="raw")


def test_a_csv_file_read_as_ids(tmp_path):
    X, y = _ids()
    path = tmp_path / "tokens.csv"
    rows = [",".join(f"t{i}" for i in range(X.shape[1])) + ",label"]
    rows += [",".join(map(str, r)) + f",{c}" for r, c in zip(X.tolist(), y.tolist(), strict=True)]
    path.write_text("\n".join(rows) + "\n")
    data = hyperlab.load_data(path, label="label", features="ids")
    assert data.train.tensors[0].dtype == torch.int64  # type: ignore[attr-defined]
    assert set(_rows(data)) <= {tuple(r) for r in X.tolist()}


def _embedding_net(vocab: int = 30, length: int = 5) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Embedding(vocab, 8), nn.Flatten(), nn.Linear(8 * length, 2))


def test_an_embedding_model_learns_from_ids_alone_and_in_a_population():
    X, y = _ids()
    data = hyperlab.as_data((X, y), features="ids")
    hp = hyperlab.HParams(lr=0.03, epochs=15, optimizer="adam", batch_size=32)
    result = hyperlab.fit(_embedding_net(), data, hp)
    assert result.summary()["final_val_metric"] >= 0.9  # the class is the first token's half: learnable
    members = hyperlab.fit_population(_embedding_net(), data, [hp, hp.replace(lr=0.003)])
    assert members[0].history.step_loss == pytest.approx(result.history.step_loss, rel=1e-5)


def test_ids_given_to_a_model_without_an_embedding_are_explained():
    X, y = _ids()
    data = hyperlab.as_data((X, y), features="ids")
    with pytest.raises(HyperlabError, match="integer ids.*must start with an nn.Embedding"):
        hyperlab.fit(nn.Sequential(nn.Linear(5, 2)), data, hyperlab.HParams(epochs=1))


def test_standardised_floats_given_to_an_embedding_model_are_explained():
    X, y = _ids()
    with pytest.raises(HyperlabError, match="reads integer ids.*features='ids'"):
        hyperlab.fit(_embedding_net(), hyperlab.as_data((X, y)), hyperlab.HParams(epochs=1))
