"""Briefing ingestion: bytes in, a structured :class:`Briefing` out."""

from briefbot.briefing.extract import UnreadableDocument, extract_text
from briefbot.briefing.model import Briefing, Directive, NewsItem, Task
from briefbot.briefing.parser import parse_briefing

__all__ = [
    "Briefing",
    "Directive",
    "NewsItem",
    "Task",
    "UnreadableDocument",
    "extract_text",
    "parse_briefing",
]
