"""The `check` subcommand of backprop-lab: its options, and printing the result with the exit status."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.check.pairings import PAIRINGS
from app.cli_types import positive_float

EXAMPLES = """examples:
  backprop-lab check network.py
  backprop-lab check network.py --output softmax_ce
  backprop-lab check my_backprop.py --function backprop --json

exit status: 0 your numbers match, 1 they do not (the report names the mistake when it can),
2 your code could not be run (the report says why)."""


def add_check_command(commands) -> None:
    check = commands.add_parser(
        "check", help="run your own backprop on the lab's cases and name the mistake",
        description="Import your network file in a separate process, give your backprop known weights and "
                    "examples, compare every number with the engine's, and name the classic mistake behind a "
                    "difference; your update_mini_batch(mini_batch, eta) too, when your class has one. Your "
                    "code runs on this machine only. See docs/check.md.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("path", type=Path, metavar="PATH.py", help="your Python file")
    which = check.add_mutually_exclusive_group()
    which.add_argument("--class", dest="class_name", metavar="NAME",
                       help="the class to check: NAME(sizes) with weights, biases and backprop(x, y) "
                            "(default: Network, or the one class with a backprop method)")
    which.add_argument("--function", dest="function_name", metavar="NAME",
                       help="a function NAME(weights, biases, x, y) returning (nabla_b, nabla_w)")
    check.add_argument("--output", choices=PAIRINGS, default=None, metavar="PAIRING",
                       help=f"the output layer and loss you meant: {', '.join(PAIRINGS)} (default: whichever "
                            f"your numbers match)")
    check.add_argument("--timeout", type=positive_float, default=10.0, metavar="SECONDS",
                       help="stop your code after this long (default: %(default)g)")
    check.add_argument("--json", action="store_true", help="print the result as JSON, with the mistake ids")
    check.add_argument("--verbose", action="store_true", help="show the first lines your code printed")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> None:
    from app.check.code_check import EXIT_CODES, check_code
    from app.check.report_text import render

    result = check_code(args.path, args.output, args.class_name, args.function_name, args.timeout)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, allow_nan=False))
    else:
        print(render(result, verbose=args.verbose))
    sys.exit(EXIT_CODES[result["status"]])
