"""Briefing ingestion: bytes in, a structured :class:`Briefing` out."""

from briefbot.briefing.errors import UnreadableDocument
from briefbot.briefing.extract import Format, extract, extract_text
from briefbot.briefing.model import Briefing, Directive, NewsItem, Task
from briefbot.briefing.parser import parse_briefing, parse_document

__all__ = [
    "Briefing",
    "Directive",
    "Format",
    "NewsItem",
    "Task",
    "UnreadableDocument",
    "extract",
    "extract_text",
    "parse_briefing",
    "parse_document",
]
