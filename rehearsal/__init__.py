"""The offline rehearsal: the real bot process against the local Telegram emulator."""
