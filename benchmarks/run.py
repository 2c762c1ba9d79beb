"""The command: run the sections, print the table, write --json."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

from benchmarks.common import Mode, Section, machine, progress

SECTIONS = ("engine", "stream", "sessions", "predict")
ON_REQUEST = ("hostile", "page")  # hostile loads the whole machine; page needs Chromium: only with --only


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Backprop Lab's benchmarks: the engine beside hand-fused NumPy and PyTorch, live streaming, "
                    "50 concurrent sessions, and saved-model prediction. The table goes to stdout, progress to "
                    "stderr. See docs/benchmarks.md.")
    parser.add_argument("--quick", action="store_true", help="shorter runs: the whole command within two minutes")
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # tests: seconds, numbers meaningless
    parser.add_argument("--sessions", metavar="N", type=int,
                        help="live sessions in the sessions section (default 50; issue 20's targets: 100 and 300)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write every number to this JSON file")
    parser.add_argument("--only", metavar="SECTIONS", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, from {', '.join(SECTIONS + ON_REQUEST)} (default: "
                             f"all but {', '.join(ON_REQUEST)})")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in SECTIONS + ON_REQUEST]
    if unknown:
        print(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS + ON_REQUEST)}",
              file=sys.stderr)
        return 2
    mode = Mode.named("smoke" if args.smoke else "quick" if args.quick else "full")
    if args.sessions is not None:
        if not 1 <= args.sessions <= 1000:
            print("--sessions takes 1 to 1000", file=sys.stderr)
            return 2
        mode = dataclasses.replace(mode, sessions=args.sessions)
    started = time.perf_counter()
    info = machine()
    progress(f"mode {mode.name}; sections {', '.join(only)}; {info['cpu']}, {info['cores']} cores")
    sections: dict[str, Section] = {}
    failed = False
    for name in only:
        module = importlib.import_module(f"benchmarks.{name}")
        try:
            sections[name] = module.run(mode)
        except Exception:  # one broken section must not hide the others' numbers
            failed = True
            traceback.print_exc()
            sections[name] = Section(f"{name}: failed", ["error"], [[traceback.format_exc().strip().splitlines()[-1]]])
    elapsed = time.perf_counter() - started
    info["load_average_end"] = machine()["load_average"]

    print(f"# Backprop Lab benchmarks ({mode.name} mode, {elapsed:.0f} s)\n")
    print(f"Machine: {info['cpu']}, {info['cores']} cores; {info['system']}; Python {info['python']}, "
          f"NumPy {info['numpy']}, PyTorch {info['torch'] or 'not installed'}; load average at start "
          f"{_load(info['load_average'])}, at end {_load(info['load_average_end'])}.\n")
    for section in sections.values():
        print(section.table())
        print()
    targets = [t for s in sections.values() for t in s.targets]
    verdicts = [t.passed for t in targets]
    print(f"Targets: {verdicts.count(True)} passed, {verdicts.count(False)} failed, "
          f"{verdicts.count(None)} not measured.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "mode": mode.name, "seconds": elapsed, "machine": info,
            "sections": {name: s.as_dict() for name, s in sections.items()},
            "summary": {"passed": verdicts.count(True), "failed": verdicts.count(False),
                        "not_measured": verdicts.count(None)},
        }, indent=2, default=str) + "\n")
        progress(f"wrote {args.json}")
    return 1 if failed else 0


def _load(value) -> str:
    return "unknown" if not value else " ".join(f"{x:.2f}" for x in value)
