"""Errors an office user sees when a file cannot be used."""


class UnreadableDocument(ValueError):
    """The file cannot be read as a briefing. ``str()`` is a Chinese message for the office."""
