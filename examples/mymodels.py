"""Models of your own for hyperlab: ``--model examples.mymodels:make_net``, and
``make_token_net`` for ``examples/tokens.csv`` read with ``--features ids``.

A factory may take any of ``n_features``, ``n_outputs``, ``input_shape`` and ``task``; hyperlab
passes the ones it asks for, read from the data.
"""

from torch import nn


def make_net(n_features: int, n_outputs: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, n_outputs))


VOCAB = 20  # examples/tokens.csv holds token ids 0-19


def make_token_net(n_features: int, n_outputs: int) -> nn.Module:
    """Each of the ``n_features`` token ids looked up in an embedding, then one linear layer."""
    return nn.Sequential(nn.Embedding(VOCAB, 8), nn.Flatten(), nn.Linear(8 * n_features, n_outputs))
