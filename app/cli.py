"""The `backprop-lab` command."""

from __future__ import annotations

import argparse


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app.web.app import create_app

    print(f"Backprop Lab on http://{args.host}:{args.port}/  (API reference: /docs)", flush=True)
    # Compression makes large WebSocket frames 10-30x slower, and frames here are small and frequent.
    uvicorn.run(create_app(), host=args.host, port=args.port, ws_per_message_deflate=False, log_level="info")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backprop-lab", description="Watch backpropagation work.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the dashboard and the API",
                                description="Run the dashboard and the REST API with uvicorn.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
