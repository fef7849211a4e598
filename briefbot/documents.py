"""Parsing documents in a child process with a memory limit and a time limit.

Every path a file arrives by (office upload, inbox folder, HTTP feed, ``bot.py ingest`` and
``publish``) parses here, never on the bot's event loop and never in the bot's own process: a
hostile document that slips past the cheap checks (``briefing.guard``) can exhaust only the
child's address space (``RLIMIT_AS``, set before anything is imported) or its time (it is killed),
and is then refused with "文件过大或格式异常" while the bot carries on.

One short-lived ``python -c`` child per document: about 0.3 s of start-up, which an upload can
afford, and nothing shared between documents (no pool to wedge, no fork of a threaded process).
The child's answer comes back pickled on stdout: it is the bot's own code, running as the same
user, so it is trusted as much as the bot itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

from briefbot.briefing import UnreadableDocument
from briefbot.briefing.guard import DocumentLimits, DocumentTooLarge
from briefbot.parsefile import NotABriefing
from briefbot.publishing import Parsed
from briefbot.store.originals import OriginalFile

log = logging.getLogger(__name__)

_ROOT = str(Path(__file__).resolve().parent.parent)
# the limit is set first, so that even the imports count against it
_BOOT = (
    "import resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "from briefbot.parsefile import child_main\n"
    "child_main()\n"
)
_CRASHED = "解析进程异常退出，可能是内存超过上限"


def _command(limits: DocumentLimits) -> list[str]:
    return [sys.executable, "-c", _BOOT, str(limits.memory_bytes)]


def _env() -> dict[str, str]:
    """The child's environment: the bot's, without the token (a parser has no use for it)."""
    path = os.environ.get("PYTHONPATH", "")
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["PYTHONPATH"] = _ROOT + (os.pathsep + path if path else "")
    return env


def _result(
    code: int | None, out: bytes, err: bytes, data: bytes, file_name: str, limits: DocumentLimits
) -> Parsed:
    if code != 0 or not out:
        last = (err.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        log.warning("parser process for %s exited %s: %s", file_name, code, last[:300])
        raise DocumentTooLarge(_CRASHED)
    outcome = pickle.loads(out)
    kind = outcome[0]
    if kind == "ok":
        return Parsed(outcome[1], OriginalFile(file_name, outcome[2], data))
    if kind == "memory":
        raise DocumentTooLarge(f"解析所需内存超过 {limits.memory_bytes // (1024 * 1024)}MB")
    if kind == "too_large":
        error = DocumentTooLarge("")
        error.args = (outcome[1],)
        raise error
    if kind == "not_a_briefing":
        raise NotABriefing(outcome[1])
    raise UnreadableDocument(outcome[1])


def _timed_out(file_name: str, limits: DocumentLimits) -> DocumentTooLarge:
    log.warning("parsing %s took over %.0f s: killed", file_name, limits.timeout_seconds)
    return DocumentTooLarge(f"解析超过 {limits.timeout_seconds:g} 秒")


async def parse_document(
    data: bytes, file_name: str, limits: DocumentLimits | None = None
) -> Parsed:
    """Parse in a child process without blocking the event loop.

    Raises ``UnreadableDocument`` (``DocumentTooLarge`` for a limit) with a Chinese message."""
    limits = limits or DocumentLimits()
    process = await asyncio.create_subprocess_exec(
        *_command(limits),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(),
    )
    try:
        out, err = await asyncio.wait_for(
            process.communicate(pickle.dumps((data, file_name, limits))),
            timeout=limits.timeout_seconds,
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise _timed_out(file_name, limits) from None
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    return _result(process.returncode, out, err, data, file_name, limits)


def parse_document_sync(
    data: bytes, file_name: str, limits: DocumentLimits | None = None
) -> Parsed:
    """The same for the command line."""
    limits = limits or DocumentLimits()
    try:
        done = subprocess.run(
            _command(limits),
            input=pickle.dumps((data, file_name, limits)),
            capture_output=True,
            timeout=limits.timeout_seconds,
            env=_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _timed_out(file_name, limits) from None
    return _result(done.returncode, done.stdout, done.stderr, data, file_name, limits)
