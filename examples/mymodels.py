"""A model of your own for hyperlab: ``--model examples.mymodels:make_net``.

A factory may take any of ``n_features``, ``n_outputs``, ``input_shape`` and ``task``; hyperlab
passes the ones it asks for, read from the data.
"""

from torch import nn


def make_net(n_features: int, n_outputs: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, n_outputs))
