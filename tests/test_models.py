"""Models: built-in names, factories by module:function, clear errors."""

from __future__ import annotations

import sys

import pytest
import torch
from torch import nn

from hyperlab.errors import ConfigError
from hyperlab.models import build_model


@pytest.mark.parametrize("name", ["logistic", "mlp", "cnn"])
def test_builtin_models_fit_digits(name, digits):
    model = build_model(name, digits, seed=0)
    out = model(digits.train.tensors[0][:5])
    assert out.shape == (5, 10)


def test_seed_makes_initial_weights_reproducible(digits):
    a = build_model("mlp", digits, seed=1).state_dict()
    b = build_model("mlp", digits, seed=1).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_cnn_on_tabular_data_is_refused(diabetes):
    with pytest.raises(ConfigError, match="cnn.*needs image data"):
        build_model("cnn", diabetes)


def test_module_function_factory(tmp_path, monkeypatch, digits):
    (tmp_path / "mynets.py").write_text(
        "from torch import nn\n"
        "def make(n_features, n_outputs):\n    return nn.Linear(n_features, n_outputs)\n"
        "def not_a_model():\n    return 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert isinstance(build_model("mynets:make", digits), nn.Linear)
    with pytest.raises(ConfigError, match="must return an nn.Module"):
        build_model("mynets:not_a_model", digits)
    with pytest.raises(ConfigError, match="has no callable 'missing'"):
        build_model("mynets:missing", digits)
    with pytest.raises(ConfigError, match="could not be imported"):
        build_model("no_such_module_xyz:make", digits)
    sys.modules.pop("mynets", None)


def test_unknown_name_and_bad_width(digits):
    with pytest.raises(ConfigError, match=r"model='mpl' .*did you mean 'mlp'"):
        build_model("mpl", digits)
    with pytest.raises(ConfigError, match="width=0"):
        build_model("mlp", digits, width=0)


@pytest.mark.parametrize("sample_shape", [(1, 10, 10), (10, 10)])
def test_cnn_trains_on_a_dataset_of_images_as_on_flat_arrays(sample_shape):
    # a Dataset gives its images shaped (a grey one may have no channel axis); arrays come flat:
    # the built-in cnn takes both (it unflattened only, so a Dataset's images failed at the first step)
    import hyperlab

    images = torch.randn(240, 1, 10, 10, generator=torch.Generator().manual_seed(0))
    labels = (images[:, 0, :5].mean((1, 2)) > images[:, 0, 5:].mean((1, 2))).long()
    shaped = hyperlab.as_data(torch.utils.data.TensorDataset(images.reshape(240, *sample_shape), labels))
    flat = hyperlab.as_data(torch.utils.data.TensorDataset(images.reshape(240, 100), labels))
    flat.input_shape = (1, 10, 10)  # as arrays keep it
    hp = hyperlab.HParams(epochs=2, lr=0.01)
    ours, theirs = hyperlab.fit(build_model("cnn", shaped, seed=0), shaped, hp), \
        hyperlab.fit(build_model("cnn", flat, seed=0), flat, hp)
    assert ours.status == "completed"
    assert ours.history.step_loss == pytest.approx(theirs.history.step_loss, rel=1e-5)
