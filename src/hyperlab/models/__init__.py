"""Models: built-in ``logistic``, ``mlp``, ``cnn``; any nn.Module or factory; ``module:function`` on the CLI.

    >>> from hyperlab.data import load_data
    >>> build_model("mlp", load_data("digits"), width=32, depth=1)
    Sequential(...)
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import sys
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from hyperlab.data import Data
from hyperlab.errors import ConfigError, check_int, did_you_mean

ModelSpec = str | nn.Module | Callable[..., nn.Module]


def logistic(n_features: int, n_outputs: int) -> nn.Module:
    """One linear layer: logistic (softmax) regression, or linear regression."""
    return nn.Sequential(nn.Flatten(), nn.Linear(n_features, n_outputs))


def mlp(n_features: int, n_outputs: int, width: int = 128, depth: int = 2) -> nn.Module:
    """``depth`` hidden layers of ``width`` ReLU units."""
    layers: list[nn.Module] = [nn.Flatten()]
    size = n_features
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.ReLU()]
        size = width
    layers.append(nn.Linear(size, n_outputs))
    return nn.Sequential(*layers)


class AsImage(nn.Module):
    """Samples as images of ``shape`` (channels, height, width), whether they come flat, as arrays
    and files give them, or already shaped, as a Dataset of images does."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def cnn(input_shape: tuple[int, ...], n_outputs: int, width: int = 16) -> nn.Module:
    """Two 3x3 conv layers and a linear head, for small images such as 8x8 digits (channels, height,
    width; a grey image of height x width is one channel)."""
    if len(input_shape) == 2:
        input_shape = (1, *input_shape)
    if len(input_shape) != 3:
        raise ConfigError("model", "cnn", f"needs image data (channels, height, width); this data has shape "
                          f"{input_shape}: use mlp or logistic")
    channels, height, width_px = input_shape
    return nn.Sequential(
        AsImage(input_shape),
        nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * math.prod((height // 2, width_px // 2)), n_outputs),
    )


MODELS: dict[str, str] = {
    "logistic": "one linear layer (logistic / linear regression)",
    "mlp": "multi-layer perceptron: --width units x --depth hidden layers, ReLU",
    "cnn": "small conv net (two 3x3 conv layers) for image data such as digits",
}


def model_size(spec: ModelSpec, width: int | None = None, depth: int | None = None) -> dict[str, int]:
    """The width and depth a built-in model is built with, defaults filled in (``mlp``: width 128,
    depth 2; ``cnn``: width 16 channels); {} for a model they do not apply to.

        >>> model_size("mlp", depth=1)
        {'width': 128, 'depth': 1}
    """
    if spec == "mlp":
        return {"width": width or 128, "depth": 2 if depth is None else depth}
    if spec == "cnn":
        return {"width": width or 16}
    return {}


def build_model(spec: ModelSpec, data: Data, *, width: int | None = None, depth: int | None = None,
                seed: int | None = None) -> nn.Module:
    """A fresh model for ``data`` from a built-in name, ``module:function``, factory or module.

    A factory is called with whichever of ``n_features``, ``n_outputs``, ``input_shape`` and
    ``task`` it accepts. With ``seed`` the initial weights are reproducible.
    """
    width = None if width is None else check_int("width", width, 1)
    depth = None if depth is None else check_int("depth", depth, 0)
    if seed is not None:
        torch.manual_seed(seed)
    if isinstance(spec, nn.Module):
        return spec
    if isinstance(spec, str):
        if spec == "logistic":
            return logistic(data.n_features, data.n_outputs)
        if spec == "mlp":
            return mlp(data.n_features, data.n_outputs, **model_size(spec, width, depth))
        if spec == "cnn":
            return cnn(data.input_shape, data.n_outputs, **model_size(spec, width, depth))
        spec = _import_factory(spec)
    if not callable(spec):
        raise ConfigError("model", spec, "must be a model name, 'module:function', an nn.Module or a factory")
    return _call_factory(spec, data)


def _import_factory(text: str) -> Callable[..., nn.Module]:
    if ":" not in text:
        raise ConfigError("model", text, f"must be one of {', '.join(MODELS)} or 'module:function'"
                          + did_you_mean(text, MODELS))
    module_name, _, attr = text.partition(":")
    if os.getcwd() not in sys.path:  # like `python -m`: a module in the working directory is found
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError("model", text, f"module {module_name!r} could not be imported ({exc})") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ConfigError("model", text, f"{module_name!r} has no callable {attr!r}")
    return factory


def _call_factory(factory: Callable[..., Any], data: Data) -> nn.Module:
    offered = {"n_features": data.n_features, "n_outputs": data.n_outputs,
               "input_shape": data.input_shape, "task": data.task}
    try:
        params = inspect.signature(factory).parameters
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            kwargs = offered
        else:
            kwargs = {k: v for k, v in offered.items() if k in params}
    except (TypeError, ValueError):
        kwargs = {}
    model = factory(**kwargs)
    if not isinstance(model, nn.Module):
        raise ConfigError("model", getattr(factory, "__name__", factory),
                          f"factory must return an nn.Module, got {type(model).__name__}")
    return model
