"""The accelerate configs shipped under configs/accelerate/ (FSDP, DeepSpeed ZeRO-2 and ZeRO-3).

They are for GPUs and cannot run here; this checks them the way `accelerate launch` reads them:
accelerate's own config loader, and every fsdp_config / deepspeed_config field a name that
`accelerate launch` knows (a misspelt field would otherwise be ignored silently).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from accelerate.commands.config.config_args import load_config_from_file
from accelerate.commands.launch import launch_command_parser

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "accelerate"
EXPECTED = {"fsdp.yaml": ("FSDP", None), "deepspeed-zero2.yaml": ("DEEPSPEED", 2), "deepspeed-zero3.yaml": ("DEEPSPEED", 3)}


def launch_flags() -> set[str]:
    return {action.dest for action in launch_command_parser()._actions}


def test_the_shipped_configs_are_the_expected_ones():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_accelerate_loads_the_config_and_knows_every_field(name: str):
    config = load_config_from_file(str(CONFIGS / name))
    distributed_type, zero_stage = EXPECTED[name]
    assert str(config.distributed_type).endswith(distributed_type)
    assert config.mixed_precision == "bf16" and config.use_cpu is False
    known = launch_flags()
    section = config.fsdp_config if distributed_type == "FSDP" else config.deepspeed_config
    assert section, f"{name} has no {distributed_type.lower()} section"
    unknown = [field for field in section if field not in known]
    assert unknown == [], f"{name}: accelerate launch does not know {unknown}"
    if zero_stage is not None:
        assert config.deepspeed_config["zero_stage"] == zero_stage
    else:
        assert config.fsdp_config["fsdp_state_dict_type"] == "FULL_STATE_DICT"  # final/ stays a plain directory
    # The comment at the top shows the command that runs it.
    assert f"--accelerate-config configs/accelerate/{name}" in (CONFIGS / name).read_text()
