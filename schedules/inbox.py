"""Inbox folder: files dropped there are read, previewed to the office (or published), then moved
to ``done/`` or, when unreadable, to ``failed/`` with the office told why."""

from __future__ import annotations

import logging
import re
import shutil
import time
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.ext import Application, ContextTypes

from briefbot.briefing import UnreadableDocument
from briefbot.briefing.guard import DocumentTooLarge
from briefbot.documents import parse_document
from briefbot.offloop import offloop
from briefbot.render import MessageTooLong, html_message
from briefbot.runtime import Services
from briefbot.settings import Settings
from handlers.context import services
from handlers.previews import offer

log = logging.getLogger(__name__)
# files still being written or that are not briefings
_SKIP = re.compile(r"^(\.|~\$)|\.(part|partial|tmp|crdownload|swp|download)$", re.IGNORECASE)
SETTLE_SECONDS = 2.0


def _waiting(folder: Path) -> list[Path]:
    now = time.time()
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not _SKIP.search(p.name) and now - p.stat().st_mtime >= SETTLE_SECONDS
    )


def _move(path: Path, where: str, svc: Services) -> Path:
    target_dir = path.parent / where
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"{svc.now():%Y%m%d-%H%M%S}-{path.name}"
    shutil.move(str(path), target)
    return target


async def take_file(bot: Bot, svc: Services, path: Path) -> str:
    """Handle one file; returns where it went ("done" or "failed")."""
    name = path.name
    limit = svc.settings.sources.max_bytes
    try:
        size = (await offloop(path.stat)).st_size
        if size > limit:
            raise DocumentTooLarge(f"超过 {limit // (1024 * 1024)}MB")
        parsed = await parse_document(
            await offloop(path.read_bytes), name, svc.settings.documents.limits()
        )
        await offer(
            bot, svc, parsed, f"收件箱：{name}", auto_publish=svc.settings.sources.auto_publish
        )
    except (UnreadableDocument, MessageTooLong) as exc:
        moved = await offloop(_move, path, "failed", svc)
        log.warning("inbox file %s refused: %s (moved to %s)", name, exc, moved)
        await bot.send_message(
            svc.settings.office.chat_id,
            html_message(
                "⚠️ 收件箱文件《{name}》无法处理：{why}\n已移至 failed 文件夹。", name=name, why=exc
            ),
        )
        return "failed"
    await offloop(_move, path, "done", svc)
    return "done"


async def inbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    folder = Path(svc.settings.sources.inbox or "")
    if not await offloop(folder.is_dir):
        return
    for path in await offloop(_waiting, folder):
        await take_file(context.bot, svc, path)


def register(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    assert app.job_queue is not None
    if settings.sources.inbox:
        Path(settings.sources.inbox).mkdir(parents=True, exist_ok=True)
        app.job_queue.run_repeating(
            inbox_job,
            interval=settings.sources.inbox_every,
            first=settings.sources.inbox_every,
            name="inbox",
        )
