"""A local Telegram Bot API emulator for tests, benchmarks and the offline rehearsal.

It is a real HTTP server on 127.0.0.1 that speaks the subset of the Bot API the bot uses, keeps
chats, users and messages, and enforces Telegram's limits the way Telegram answers them.
"""

from tgemu.server import EmulatorServer
from tgemu.world import Limits, World

__all__ = ["EmulatorServer", "Limits", "World"]
