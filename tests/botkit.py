"""Helpers for driving the real PTB Application with raw Bot API JSON against the emulator."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from typing import Any

from telegram import Update

TOKEN = "7000000009:HANDLER-tests-token-not-real"
OFFICE, DONGJIANG, QINGLING, EDU, STRANGER_CHAT = (
    -1001000000001,
    -1001000000101,
    -1001000000102,
    -1001000000103,
    -1009000000000,
)
ADMIN, LIAISON, OTHER = 10001, 20001, 29999
_ids = itertools.count(1)


def user(uid: int) -> dict[str, Any]:
    return {
        "id": uid,
        "is_bot": False,
        "first_name": {ADMIN: "王主任", LIAISON: "赵联络员"}.get(uid, "路人"),
    }


def chat(cid: int) -> dict[str, Any]:
    return {"id": cid, "type": "supergroup", "title": f"群{cid}"}


def message_json(
    chat_id: int,
    uid: int,
    text: str | None = None,
    *,
    message_id: int | None = None,
    reply_to: dict | None = None,
    document: dict | None = None,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "message_id": message_id or 9000 + next(_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(uid),
    }
    if text is not None:
        raw["text"] = text
        if text.startswith("/"):
            raw["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if reply_to is not None:
        raw["reply_to_message"] = reply_to
    if document is not None:
        raw["document"] = document
    return raw


async def feed(app, raw_update: dict[str, Any]) -> None:
    await app.process_update(Update.de_json({"update_id": next(_ids), **raw_update}, app.bot))


def replies(emulator, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in emulator.world.transcript(chat_id) if m["from_bot"]]


def services_of(app):
    from handlers.context import SERVICES_KEY

    return app.bot_data[SERVICES_KEY]


def xlsx_rows(data: bytes, sheet: str | None = None) -> dict[str, dict[str, Any]]:
    """The 签收单's table (first sheet, or ``sheet``) by unit name, each row by column header."""
    import io

    from openpyxl import load_workbook

    from briefbot.export import HEADER_ROW

    book = load_workbook(io.BytesIO(data))
    table = book[sheet] if sheet else book.worksheets[0]
    header = [c.value for c in table[HEADER_ROW + 1]]
    rows = table.iter_rows(min_row=HEADER_ROW + 2, values_only=True)
    return {r[1]: dict(zip(header, r, strict=True)) for r in rows}


_FOOTER = re.compile(
    r"\n<b>编号 #(\d+)</b> · 请于\d{1,2}月\d{1,2}日（周[一二三四五六日]）\d\d:\d\d前签收$"
)


def strip_footer(text: str, notice_id: int, required: bool = True) -> str | None:
    """A delivered notice without the line the dispatcher adds (number and deadline), which
    must be there, for ``notice_id``; with ``required=False``, None for a text without it."""
    found = _FOOTER.search(text)
    if found is None and not required:
        return None
    assert found is not None and int(found.group(1)) == notice_id, text[-80:]
    return text[: found.start()]


async def until(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait (without blocking the loop the emulator runs on) until ``check()`` holds."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
