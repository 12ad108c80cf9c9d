"""Reports the Python side's versions and devices as one JSON object on stdout.

Run: PYTHONPATH=python python -m testtune_engine.env_info

`testtune doctor` and every run's manifest.json read it. Each library is imported on its own,
so one broken install is reported as such instead of hiding the others.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys

LIBRARIES = ["torch", "transformers", "peft", "trl", "accelerate", "tokenizers", "pytest", "coverage", "bitsandbytes", "deepspeed", "vllm"]


def library_versions() -> dict[str, dict[str, str | None]]:
    out: dict[str, dict[str, str | None]] = {}
    for name in LIBRARIES:
        try:
            module = importlib.import_module(name)
            out[name] = {"version": str(getattr(module, "__version__", "unknown")), "error": None}
        except Exception as error:  # noqa: BLE001 - any import failure is what we report
            out[name] = {"version": None, "error": f"{type(error).__name__}: {error}"}
    return out


def torch_devices() -> dict[str, object]:
    try:
        import torch
    except Exception as error:  # noqa: BLE001
        return {"available": False, "error": str(error)}
    cuda = torch.cuda.is_available()
    return {
        "available": True,
        "cuda": cuda,
        "cuda_version": torch.version.cuda,
        "devices": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
        "bf16": bool(cuda and torch.cuda.is_bf16_supported()),
        "threads": torch.get_num_threads(),
    }


def distributed_backends() -> dict[str, bool]:
    """Which torch.distributed backends this torch build offers (gloo: CPU; nccl: NVIDIA GPUs; mpi)."""
    try:
        import torch.distributed as dist
    except Exception:  # noqa: BLE001 - no torch: no backend
        return {"gloo": False, "nccl": False, "mpi": False}
    if not dist.is_available():
        return {"gloo": False, "nccl": False, "mpi": False}
    return {"gloo": dist.is_gloo_available(), "nccl": dist.is_nccl_available(), "mpi": dist.is_mpi_available()}


def main() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    real_stdout = os.dup(1)
    os.dup2(devnull, 1)  # libraries may print on import; only our JSON goes to stdout
    info = {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "libraries": library_versions(),
        "torch": torch_devices(),
        "distributed": distributed_backends(),
    }
    os.dup2(real_stdout, 1)
    sys.stdout.write(json.dumps(info) + "\n")


if __name__ == "__main__":
    main()
