"""Data-parallel training with PyTorch's own engine: torch.distributed, DistributedDataParallel
and torchrun's launcher. Nothing here is home-made; these are the few decisions around them.

- **Processes.** ``torchrun --nproc-per-node N -m hyperlab train ...`` starts N ranks that join
  the group described by RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT
  (``process_group``); ``launch`` starts them from Python through the same elastic launcher
  (``hyperlab train --nproc N``). Backend gloo on CPU, nccl on CUDA (one GPU per local rank).
- **Samples.** Every rank builds the same model from the same seed and takes its own contiguous
  share of each optimizer step's samples (``batching.step_batches``); DistributedDataParallel
  averages the gradients, so N processes x batch B train exactly like 1 process x batch N*B.
- **Losses.** A rank's step loss is its part of the step's mean; the loop sums the parts over
  ranks in one ``all_reduce`` per read-back of the buffered losses, never per step. Gradient norms
  need no exchange: after DDP's all-reduce every rank holds the same gradients.
- **Validation** runs on rank 0 alone and its numbers are broadcast: they are then exactly the
  single-process numbers (same summation order), and early stopping decides from one source, so
  ranks cannot disagree about stopping (a rank that stopped alone would leave the others waiting).
  The validation sets here are small; sharding a large one would cut its time by N.
- **Every rank takes every step.** A short last step is shared as ceil(L / N) samples per rank,
  so with few samples left a rank can get none; DDP would then wait for a gradient that never
  comes. ``check_shares`` refuses such settings up front (use drop_last or another batch size).
- **Records.** Rank 0 alone writes the run directory, history, plots and checkpoints
  (``is_main``); every rank reads the checkpoint on ``--resume``, each getting back its own RNG
  state (rank r seeds its dropout masks with seed + r; the model is the same on all ranks).
- **Failures.** Collectives time out (``timeout``, default 600 s), so a rank that stalls ends the
  run with an error instead of a hang; a rank that dies closes its connections, its peers fail at
  their next collective, and the launcher stops the rest and names the first rank that failed.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

from hyperlab.errors import ConfigError, HyperlabError

if TYPE_CHECKING:
    from hyperlab.hparams import HParams

DEFAULT_TIMEOUT = 600.0  # seconds a collective waits for the other ranks (NCCL's default)
ENV_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


class DistributedError(HyperlabError):
    """A data-parallel run ended because a process failed, stalled or could not join."""


# ---- who am I ------------------------------------------------------------------------------

def is_active() -> bool:
    """True inside a process group of more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank (0 outside a process group)."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def world_size() -> int:
    """The number of processes training together (1 outside a process group)."""
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def is_main() -> bool:
    """Rank 0: the one process that writes records and talks to the user."""
    return rank() == 0


def env_world_size() -> int:
    """WORLD_SIZE as torchrun set it for this process (1 when not started by torchrun)."""
    value = os.environ.get("WORLD_SIZE", "1")
    try:
        return int(value)
    except ValueError:
        raise ConfigError("WORLD_SIZE", value, "must be an integer (torchrun sets it)") from None


def default_device() -> torch.device:
    """cuda:LOCAL_RANK when CUDA is there (one GPU per process), else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")) if is_active() else torch.cuda.current_device())
    return torch.device("cpu")


def resolve_device(device: torch.device | str | None) -> torch.device:
    """The device to train on: ``device`` checked against what this machine has, or
    ``default_device()`` when None (a device torch cannot use here is refused naming it)."""
    if device is None:
        return default_device()
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ConfigError("device", device, "must be a torch device such as 'cpu', 'cuda' or 'cuda:1'") from None
    if resolved.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError("device", device, "is not available: this torch sees no CUDA device "
                                                "(torch.cuda.is_available() is False); use 'cpu'")
        if resolved.index is not None and resolved.index >= count:
            raise ConfigError("device", device, f"is not available: this machine has {count} CUDA "
                                                f"device{'s' if count > 1 else ''} (cuda:0 .. cuda:{count - 1})")
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("device", device, "is not available: this torch has no MPS device; use 'cpu'")
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise ConfigError("device", device, "must be 'cpu', 'cuda' (or 'cuda:N') or 'mps'")
    return resolved


# ---- joining and leaving -------------------------------------------------------------------

@contextlib.contextmanager
def process_group(timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Join the process group that torchrun (or ``launch``) described in the environment; leave it
    on exit. A failure inside becomes a DistributedError that names this rank."""
    missing = [name for name in ENV_VARS if name not in os.environ]
    if missing:
        raise DistributedError(f"cannot join a process group: {', '.join(missing)} not set "
                               "(start the processes with torchrun or `hyperlab train --nproc N`)")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    try:
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout))
    except Exception as exc:  # noqa: BLE001 - a store or rendezvous failure, explained once
        raise DistributedError(f"rank {os.environ['RANK']} could not join the process group at "
                               f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}: {exc}") from exc
    me, world = dist.get_rank(), dist.get_world_size()
    try:
        yield
    except (HyperlabError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised with the rank and what to look at
        raise DistributedError(describe_failure(me, world, exc, timeout)) from exc
    finally:
        dist.destroy_process_group()


def describe_failure(me: int, world: int, exc: BaseException, timeout: float) -> str:
    """One line on why rank ``me`` stopped: its own error, or the loss of a peer."""
    text = f"{type(exc).__name__}: {exc}"
    if "Timed out" in text or "timed out" in text:
        return (f"rank {me} of {world} waited {timeout:g} s for the other processes and gave up ({text}); "
                "another process stalled or failed")
    if "Connection closed by peer" in text or "Connection reset" in text:
        return f"rank {me} of {world} lost contact with another process, which failed or was killed ({text})"
    return f"rank {me} of {world} failed: {text}"


def launch(nproc: int, fn: Callable[..., Any], *args: Any, timeout: float = DEFAULT_TIMEOUT,
           threads: int | None = None) -> Any:
    """Run ``fn(*args)`` on ``nproc`` local processes in one process group, through
    torch.distributed's elastic launcher (what ``torchrun --standalone`` does); return rank 0's
    result. If a rank fails the launcher stops the others and this raises DistributedError with
    the first failure; Ctrl-C (SIGINT/SIGTERM to this process) raises KeyboardInterrupt. Each rank uses ``threads`` torch threads (default 1, as torchrun does)."""
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=nproc, run_id=str(uuid.uuid4()),
                          rdzv_backend="c10d", rdzv_endpoint="localhost:0", max_restarts=0,
                          start_method="spawn")
    with _quiet_launcher():
        try:
            results = elastic_launch(config, _run_rank)(fn, args, timeout, threads or 1)
        except ChildFailedError as exc:
            raise DistributedError(first_failure(exc)) from None
        except SignalException:  # Ctrl-C: the launcher passed it on to the ranks and stopped them
            raise KeyboardInterrupt from None
    return results[0]


def first_failure(exc: Any) -> str:
    """The launcher's report of the first rank that failed, as one line."""
    failed_rank, failure = exc.get_first_failure()
    message = failure.message
    if isinstance(message, dict):
        message = message.get("message", "")
    message = message or f"exit code {failure.exitcode}"
    kind, _, rest = message.partition(": ")
    # a rank's own DistributedError already names the rank
    message = rest if kind.endswith(DistributedError.__name__) else f"rank {failed_rank} failed: {message}"
    return f"data-parallel run stopped; {message}"


def _run_rank(fn: Callable[..., Any], args: Sequence[Any], timeout: float, threads: int) -> Any:
    torch.set_num_threads(threads)
    with process_group(timeout):
        return fn(*args)


@contextlib.contextmanager
def _quiet_launcher() -> Iterator[None]:
    """The launcher logs each failure as a long traceback; the error we raise says it in one line."""
    loggers = [logging.getLogger(name) for name in ("torch.distributed.elastic", "torch.multiprocessing.spawn")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


# ---- what the loop needs -------------------------------------------------------------------

def check_shares(hparams: HParams, n_train: int, world: int) -> None:
    """Refuse settings whose last step of an epoch would leave a rank without samples.

    A step of L samples is shared as ceil(L / world) per rank, in rank order, so when few samples
    are left the last ranks may get none (2 ranks, 1 sample left: rank 1 gets nothing), and DDP
    would wait forever for that rank's gradient."""
    if world <= 1:
        return
    per_step = hparams.effective_batch(world)
    last = 0 if hparams.drop_last else n_train % per_step
    if last and (world - 1) * math.ceil(last / world) >= last:
        share = math.ceil(last / world)
        idle = world - math.ceil(last / share)
        raise ConfigError(
            "nproc", world,
            f"the last step of each epoch has {last} sample{'s' if last != 1 else ''} ({n_train} samples, steps of "
            f"{hparams.batch_size} x {hparams.accumulate} x {world} = {per_step}), shared as {share} per "
            f"process, which leaves {idle} process{'es' if idle != 1 else ''} without samples; use "
            "drop_last=true, fewer processes, or a batch size that leaves a longer last step")


def wrap(model: nn.Module, device: torch.device) -> nn.Module:
    """The model in DistributedDataParallel (which broadcasts rank 0's weights to all ranks)."""
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def sum_over_ranks(tensor: Tensor) -> Tensor:
    """The element-wise sum of ``tensor`` over all ranks (itself outside a process group)."""
    if not is_active():
        return tensor
    total = tensor.detach().clone()
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total


def from_rank0(values: Sequence[float | None], device: torch.device) -> list[float | None]:
    """Rank 0's ``values`` on every rank (None travels as NaN and comes back as None)."""
    if not is_active():
        return list(values)
    buffer = torch.tensor([math.nan if v is None else float(v) for v in values], dtype=torch.float64,
                          device=device)
    dist.broadcast(buffer, src=0)
    return [None if math.isnan(v) else v for v in buffer.tolist()]


def gather_objects(obj: Any) -> list[Any] | None:
    """Every rank's ``obj``, in rank order (None outside a process group)."""
    if not is_active():
        return None
    gathered: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, obj)
    return gathered
