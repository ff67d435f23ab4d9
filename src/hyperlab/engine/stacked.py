"""K copies of one architecture held as stacked tensors, and their forward pass.

Parameters live as the rows of one ``[K, N]`` matrix (row k = member k, in ``named_parameters``
order), so the optimizer and its state work on rows. Each parameter is a leaf view ``[K, *shape]``
of that matrix; backward leaves each one a fresh ``[K, *shape]`` gradient, which the optimizer
reads and drops (no gradient buffer to zero and add into: two passes over memory saved). Buffers (BatchNorm's running statistics) are stacked ``[K, *shape]`` so every
member keeps its own.

Two forward passes:

- ``matmul``: for an ``nn.Sequential`` of Linear layers, Flatten and elementwise layers
  (activations, Dropout), batched matrix products; the first layer's input, when every member
  has the same batch, is one matrix multiplied by all members' weights.
- ``vmap``: any other module, through ``torch.func.functional_call`` under ``torch.vmap``
  (randomness "different": every member draws its own dropout masks).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call

from hyperlab.engine.steps import classification_loss, loss_targets, output_mismatch

# elementwise layers the matmul forward applies as they are (any leading dimensions)
ELEMENTWISE = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.SiLU, nn.LeakyReLU, nn.ELU, nn.Softplus,
               nn.Identity, nn.Dropout, nn.Mish, nn.Hardtanh, nn.ReLU6, nn.Softsign, nn.Tanhshrink)


class Stack:
    """K members of one architecture: stacked parameters, gradients and buffers, and a forward."""

    def __init__(self, template: nn.Module, members: Sequence[nn.Module], forward: str = "auto") -> None:
        self.template = copy.deepcopy(template)
        plan = matmul_plan(self.template)  # the template's own layers, so train()/eval() reach them
        self.kind = "matmul" if forward in ("auto", "matmul") and plan is not None else "vmap"
        if forward == "matmul" and plan is None:
            raise ValueError("the matmul forward needs an nn.Sequential of Linear, Flatten and elementwise layers")
        self.plan = plan
        # the matmul forward keeps Linear weights as [in, out]: x @ W^T is then a plain batched
        # product (measured 1.5 ms vs 2.3 ms per [64 x 32x128x128] product with a transposed operand)
        self.transposed = ({item[0] for kind, item in plan if kind == "linear"}  # type: ignore[index]
                           if self.kind == "matmul" and plan else set())
        trainable = [(n, p) for n, p in template.named_parameters() if p.requires_grad]
        self.names = [n for n, _ in trainable]
        self.shapes = [p.t().shape if n in self.transposed else p.shape for n, p in trainable]
        self.sizes = [p.numel() for _, p in trainable]
        rows = []
        for module in members:
            named = dict(module.named_parameters())
            rows.append(torch.cat([(named[n].detach().t() if n in self.transposed else named[n].detach()).reshape(-1)
                                   for n in self.names]))
        self.flat = torch.stack(rows)
        self.fixed = {n: torch.stack([dict(m.named_parameters())[n].detach() for m in members])
                      for n, p in template.named_parameters() if not p.requires_grad}
        self.buffers = {n: torch.stack([dict(m.named_buffers())[n].detach() for m in members])
                        for n, _ in template.named_buffers()}
        self._bind()
        self._vmapped: Callable[..., Tensor] | None = None

    def _bind(self) -> None:
        """Leaf views of the parameter matrix: the optimizer's in-place updates of it are theirs."""
        self.params: dict[str, Tensor] = {}
        k, offset = len(self.flat), 0
        for name, shape, size in zip(self.names, self.shapes, self.sizes, strict=True):
            self.params[name] = self.flat[:, offset:offset + size].view(k, *shape).detach().requires_grad_(True)
            offset += size

    @property
    def members(self) -> int:
        return len(self.flat)

    def train(self, mode: bool = True) -> None:
        self.template.train(mode)

    def forward(self, x: Tensor, shared: bool) -> Tensor:
        """Outputs ``[K, B, ...]`` for a batch ``x`` (``[B, ...]`` if ``shared``, else ``[K, B, ...]``)."""
        if self.kind == "matmul":
            return matmul_forward(self.plan, self.params, x, shared, self.members)  # type: ignore[arg-type]
        if self._vmapped is None:
            def one(params: dict[str, Tensor], buffers: dict[str, Tensor], xb: Tensor) -> Tensor:
                return functional_call(self.template, (params, buffers), (xb,))
            self._vmapped = one
        fn = torch.vmap(self._vmapped, in_dims=(0, 0, None if shared else 0), randomness="different")
        return fn({**self.params, **self.fixed}, self.buffers, x)

    def backward(self, loss: Tensor) -> list[Tensor]:
        """Backpropagate ``loss``; return each parameter's gradient ``[K, *shape]`` (taken off the
        parameter, so the next backward starts fresh)."""
        loss.backward()
        grads = []
        for p in self.params.values():
            grads.append(p.grad if p.grad is not None else torch.zeros_like(p))
            p.grad = None
        return grads

    def keep(self, rows: Sequence[int]) -> None:
        """Keep only the members at ``rows`` (in that order)."""
        index = torch.tensor(list(rows), dtype=torch.long, device=self.flat.device)
        self.flat = self.flat.index_select(0, index)
        self.fixed = {n: t.index_select(0, index) for n, t in self.fixed.items()}
        self.buffers = {n: t.index_select(0, index) for n, t in self.buffers.items()}
        self._bind()

    def member_state(self, k: int) -> dict[str, Tensor]:
        """Member k's state dict (copies)."""
        state: dict[str, Tensor] = {}
        offset = 0
        for name, shape, size in zip(self.names, self.shapes, self.sizes, strict=True):
            value = self.flat[k, offset:offset + size].detach().view(shape)
            state[name] = (value.t() if name in self.transposed else value).clone()
            offset += size
        state.update({n: t[k].clone() for n, t in self.fixed.items()})
        state.update({n: t[k].clone() for n, t in self.buffers.items()})
        return state

    def member_module(self, k: int) -> nn.Module:
        """Member k as a normal module with its own weights (a copy of the template)."""
        module = copy.deepcopy(self.template)
        module.load_state_dict(self.member_state(k), strict=False)
        module.train(self.template.training)
        return module


def replaced_buffers(module: nn.Module, x: Tensor) -> list[str]:
    """Buffers that ``module``'s forward replaces (``self.b = ...``) rather than updating in place,
    found by running a copy once on ``x`` in training mode. The vmap forward runs the module through
    ``functional_call``, which puts the stacked buffers back afterwards: an in-place update reaches
    them, a replaced buffer would be lost (every member kept at its starting value)."""
    probe = copy.deepcopy(module).train()
    before = dict(probe.named_buffers())
    if not before:
        return []
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        probe(x)
    after = dict(probe.named_buffers())
    return [name for name, tensor in before.items() if after.get(name) is not tensor]


# ---- the matmul forward ----------------------------------------------------------------------

Plan = list[tuple[str, object]]


def matmul_plan(module: nn.Module) -> Plan | None:
    """Steps of an nn.Sequential the matmul forward supports, or None."""
    if type(module) is not nn.Sequential or any(True for _ in module.buffers()):
        return None
    plan: Plan = []
    for name, child in module.named_children():
        if type(child) is nn.Linear:
            if not child.weight.requires_grad or (child.bias is not None and not child.bias.requires_grad):
                return None
            plan.append(("linear", (f"{name}.weight", f"{name}.bias" if child.bias is not None else None)))
        elif type(child) is nn.Flatten and child.start_dim == 1 and child.end_dim == -1:
            plan.append(("flatten", None))
        elif type(child) in ELEMENTWISE:
            plan.append(("elementwise", child))
        else:
            return None
    return plan if any(kind == "linear" for kind, _ in plan) else None


def matmul_forward(plan: Plan, params: dict[str, Tensor], x: Tensor, shared: bool, members: int) -> Tensor:
    """Run the plan for all members: ``x`` is ``[B, F]`` when shared, else ``[K, B, F]``."""
    h = x
    fresh = False  # whether h is an intermediate of ours (an in-place activation is then safe)
    for kind, item in plan:
        if kind == "flatten":
            h = h.flatten(1) if shared else h.flatten(2)
        elif kind == "linear":
            weight_name, bias_name = item  # type: ignore[misc]
            weight = params[weight_name]  # [K, in, out]: stored transposed
            if shared:  # one input for all: [B, in] @ [K, in, out] broadcasts
                h = torch.matmul(h, weight)
                h = h + params[bias_name].unsqueeze(1) if bias_name else h
                shared = False
            elif bias_name:
                h = torch.baddbmm(params[bias_name].unsqueeze(1), h, weight)
            else:
                h = torch.bmm(h, weight)
            fresh = True
        else:
            module = item
            if shared and isinstance(module, nn.Dropout) and module.training and module.p > 0:
                h, shared = h.expand(members, *h.shape), False  # each member its own mask
            if fresh and type(module) is nn.ReLU:
                h = torch.relu_(h)  # the product's output is not needed by its backward: no new tensor
            else:
                h = module(h)  # type: ignore[operator]
                fresh = False
    if shared:  # a plan without parameters before the output cannot happen (needs a linear)
        h = h.expand(members, *h.shape)
    return h


# ---- per-member losses -----------------------------------------------------------------------

def member_losses(loss_fn: Callable[[Tensor, Tensor], Tensor], out: Tensor, y: Tensor, shared: bool) -> Tensor:
    """Each member's loss ``[K]`` for outputs ``[K, B, ...]`` and targets (``[B, ...]`` if shared).

    Cross-entropy (binary for a single logit) and MSE, the defaults, are computed on the flattened
    batch, others under vmap.
    Cross-entropy stays torch's own kernel: log-sum-exp less the target's logit was 0.6 ms faster
    per step at K = 64 but its last-bit differences from ``fit`` grew past 1e-5 in 8 of 16 bench
    members (against 2 of 16), so it is not used."""
    k = out.shape[0]
    y = loss_targets(out, y, lead=1)
    if loss_fn in (classification_loss, F.binary_cross_entropy_with_logits) and y.is_floating_point():
        target = y.expand_as(out) if shared else y
        return F.binary_cross_entropy_with_logits(out, target, reduction="none").reshape(k, -1).mean(1)
    if loss_fn in (classification_loss, F.cross_entropy) and out.dim() == 3:
        target = y.expand(k, *y.shape) if shared else y
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1), reduction="none").view(k, -1).mean(1)
    if loss_fn is F.mse_loss:
        if (y.shape if shared else y.shape[1:]) != out.shape[1:]:  # fit refuses to broadcast them too
            raise output_mismatch(out.shape[1:], y.shape if shared else y.shape[1:],
                                  "regression needs outputs of the targets' shape")
        target = y.expand_as(out) if shared else y
        return F.mse_loss(out, target, reduction="none").reshape(k, -1).mean(1)
    return torch.vmap(loss_fn, in_dims=(0, None if shared else 0))(out, y)
