"""Several processes of one job (launched by `accelerate launch` or `torchrun`): who is who,
which device and backend each uses, and the few collective steps our own code needs.

The Trainer-based jobs (sft, dpo, grpo) leave data sharding, gradient averaging and saving to
transformers/accelerate; the ppo job's own loop uses `sum_over_ranks`, `average_gradients` and
`gather_objects`. Every helper is a no-op in a single process, so the jobs call them freely.

On a machine without CUDA several processes train on the CPU with the gloo backend: the job
sets ACCELERATE_USE_CPU before the Trainer reads it (`use_cpu_processes`), because accelerate
would otherwise leave each process training alone on the whole data.
"""

from __future__ import annotations

import os
from typing import Any

import torch
import torch.distributed as dist


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def cpu_only() -> bool:
    """No CUDA, or the launch asked for CPU processes (`testtune train --processes`)."""
    return not torch.cuda.is_available() or os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true", "yes")


def use_cpu_processes() -> None:
    """Makes the Trainer (through accelerate) run several CPU processes with gloo rather than one copy each."""
    if world_size() > 1 and cpu_only():
        os.environ["ACCELERATE_USE_CPU"] = "true"


def device() -> torch.device:
    """This process's device: its own GPU (LOCAL_RANK) under a multi-GPU launch, else the only one, else the CPU."""
    if cpu_only():
        return torch.device("cpu")
    return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))


def init_process_group() -> None:
    """For jobs without a Trainer (ppo): joins the group the launcher set up (gloo on CPU, nccl on GPUs)."""
    if world_size() > 1 and not dist.is_initialized():
        backend = "gloo" if cpu_only() else "nccl"
        if backend == "nccl":
            torch.cuda.set_device(device())
        dist.init_process_group(backend=backend)


def _active() -> bool:
    return world_size() > 1 and dist.is_available() and dist.is_initialized()


def any_rank(flag: bool) -> bool:
    """True on every process when it is true on one: stop decisions must be taken together,
    or a process that stops early leaves the others waiting in their next collective."""
    if not _active():
        return flag
    value = torch.tensor([1 if flag else 0], device=_collective_device())
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def every_rank(flag: bool) -> bool:
    """True on every process when it is true on all of them."""
    return not any_rank(not flag)


def sum_over_ranks(value: torch.Tensor) -> torch.Tensor:
    """The sum of `value` over the processes (the value itself in one process)."""
    if not _active():
        return value
    total = value.detach().clone().to(_collective_device())
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total.to(value.device)


def average_gradients(parameters: list[torch.nn.Parameter]) -> None:
    """Replaces each gradient by its mean over the processes (a missing gradient counts as zeros),
    so that every process takes the same optimizer step and the weights stay identical."""
    if not _active():
        return
    size = world_size()
    for parameter in parameters:
        if parameter.grad is None:
            parameter.grad = torch.zeros_like(parameter)
        dist.all_reduce(parameter.grad, op=dist.ReduceOp.SUM)
        parameter.grad.div_(size)


def gather_objects(value: Any) -> list[Any]:
    """Every process's `value`, in rank order ([value] in one process)."""
    if not _active():
        return [value]
    out: list[Any] = [None] * world_size()
    dist.all_gather_object(out, value)
    return out


def barrier() -> None:
    if _active():
        dist.barrier()


def shut_down() -> None:
    """Leaves the process group together once the job is done: a process that exits with gloo's
    threads still running can abort in their destructors (`terminate called without an active
    exception`, exit -6) after its work is complete."""
    if _active():
        dist.barrier()
        dist.destroy_process_group()


def _collective_device() -> torch.device:
    return torch.device("cpu") if dist.get_backend() == "gloo" else device()
