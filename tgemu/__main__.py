"""``python -m tgemu --port 8081 --token 123:abc``: run the emulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from tgemu.server import EmulatorServer
from tgemu.world import Limits, World


async def _serve(args: argparse.Namespace) -> None:
    world = World(Limits(args.overall_rate, args.group_rate, not args.no_limits))
    for token in args.token:
        world.add_bot(token)
    server = EmulatorServer(world, args.host, args.port)
    await server.start()
    print(f"tgemu listening on {server.base_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tgemu", description="Local Telegram Bot API emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", action="append", default=[], help="register a bot token")
    parser.add_argument("--overall-rate", type=float, default=30.0, help="messages/s per bot")
    parser.add_argument("--group-rate", type=float, default=20.0, help="messages/min per group")
    parser.add_argument("--no-limits", action="store_true", help="do not enforce flood limits")
    asyncio.run(_serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
