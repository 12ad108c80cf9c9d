"""Runs one engine job: `python -m testtune_engine <job> --spec <spec.json>`.

Also `python -m testtune_engine <job> --defaults` prints the job's spec defaults as JSON
(the TypeScript schemas are tested against it).

Exit codes: 0 the job's artifacts are complete; 1 the job failed; 2 the spec or an input
file is wrong (an `error` event names the file and field); 130 interrupted by Ctrl-C after
saving a checkpoint (an `interrupted` event names it; re-running the same spec resumes).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
import warnings

from . import events
from .runtime import Interrupted, install_interrupt_handler
from .spec import DataError, FieldProblem, SpecError, defaults, load_spec

JOBS = ("pretrain", "sft", "generate", "dpo", "grpo", "ppo", "merge", "import-gguf", "export-gguf")

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m testtune_engine", description="Run one testtune engine job.")
    parser.add_argument("job", choices=JOBS)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--spec", help="the job's spec file (JSON, version 1)")
    group.add_argument("--defaults", action="store_true", help="print the spec's default values as JSON and exit")
    return parser.parse_args(argv)


def _several_processes() -> bool:
    """Launched as one of several processes (accelerate launch / torchrun set WORLD_SIZE)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def main(argv: list[str]) -> int:
    """Runs a job, emitting events on the current channel; returns the exit code."""
    args = _parse(argv)
    try:
        job = importlib.import_module(f".jobs.{args.job.replace('-', '_')}", __package__)
        if args.defaults:
            events.write_line(defaults(job.Spec))
            return EXIT_OK
        spec = load_spec(job.Spec, args.spec, args.job)
        job.run(spec)
        if _several_processes():
            from . import distributed

            distributed.shut_down()
    except SpecError as error:
        events.error(str(error), "spec")
        return EXIT_BAD_INPUT
    except FieldProblem as problem:  # a field that only the loaded model shows to be wrong
        events.error(str(SpecError(args.spec, problem.field, problem.detail)), "spec")
        return EXIT_BAD_INPUT
    except DataError as error:
        events.error(str(error), "data")
        return EXIT_BAD_INPUT
    except Interrupted as stop:
        events.interrupted(stop.checkpoint)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        events.error("stopped by a second Ctrl-C before a checkpoint was saved", "interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - a job's failure is reported as an event, the trace on stderr
        traceback.print_exc()
        events.error(f"{type(error).__name__}: {error}", type(error).__name__)
        return EXIT_FAILED
    return EXIT_OK


def _quiet_libraries() -> None:
    # Keep stderr readable: it is what a user sees when a job fails. Progress is reported by events.
    for variable in ("HF_HUB_DISABLE_PROGRESS_BARS", "HF_DATASETS_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(variable, "1")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    warnings.filterwarnings("ignore", category=FutureWarning)  # libraries' deprecation notices, not the user's concern


if __name__ == "__main__":
    events.open_channel()
    install_interrupt_handler()
    _quiet_libraries()
    if _several_processes():  # torch is imported only then
        from . import distributed

        distributed.use_cpu_processes()
    sys.exit(main(sys.argv[1:]))
