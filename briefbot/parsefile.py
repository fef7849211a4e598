"""Bytes to a Briefing, with the document limits, importing only the briefing package: this is
what the parser child process (``briefbot.documents``) runs, and it must start fast (the store
and SQLAlchemy would add half a second to every document)."""

from __future__ import annotations

import mimetypes
import pickle
import sys
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from briefbot.briefing import Briefing, UnreadableDocument, extract, parse_briefing
from briefbot.briefing.guard import DocumentLimits, DocumentTooLarge, check_before, check_extracted

_MIME = {
    "pdf": "application/pdf",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
}


class NotABriefing(UnreadableDocument):
    """The text reads fine but is not recognisably a briefing."""


def parse_bytes(
    data: bytes, file_name: str, limits: DocumentLimits | None = None
) -> tuple[Briefing, str]:
    """(briefing, MIME type). Raises ``UnreadableDocument`` with a Chinese message; with
    ``limits``, ``DocumentTooLarge`` for a document over them, before and after extraction."""
    if limits is not None:
        check_before(data, limits)
    extracted = extract(data)
    if limits is not None:
        check_extracted(extracted.pages, limits)
    briefing = parse_briefing(extracted.pages, extracted.meta)
    if not briefing.paragraphs and not briefing.directives:
        raise NotABriefing("没有识别出简报的正文，请确认上传的是简报全文。")
    if not briefing.title:
        # units still need a name for it: the file's, and the preview says so
        stem = PurePath(file_name).stem.strip() or "简报"
        briefing = replace(briefing, title=stem, title_found=False)
    mime = _MIME.get(extracted.format.value) or mimetypes.guess_type(file_name)[0]
    return briefing, mime or "application/octet-stream"


def child_main() -> None:
    """In the child: read (data, name, limits) pickled on stdin, write the outcome on stdout."""
    data, file_name, limits = pickle.loads(sys.stdin.buffer.read())
    outcome: tuple[Any, ...]
    try:
        briefing, mime = parse_bytes(data, file_name, limits)
        outcome = ("ok", briefing, mime)
    except DocumentTooLarge as exc:
        outcome = ("too_large", str(exc))
    except NotABriefing as exc:
        outcome = ("not_a_briefing", str(exc))
    except UnreadableDocument as exc:
        outcome = ("unreadable", str(exc))
    except MemoryError:
        outcome = ("memory", "")
    except RecursionError:
        outcome = ("unreadable", "文件结构嵌套过深，无法解析。")
    sys.stdout.buffer.write(pickle.dumps(outcome))
    sys.stdout.buffer.flush()
