"""Logging that stays readable through an outage.

When Telegram (or a proxy in front of it) answers 502 with an HTML page, PTB logs the whole page
with a traceback ("Can not load invalid JSON data"), and the polling loop hands the resulting
error to the error handler, which logged another traceback: two screens per poll, every few
seconds. This filter turns such records into one WARNING line each. It knows PTB's loggers and
messages by name only, so the domain package still does not import telegram.
"""

from __future__ import annotations

import logging
import re

_INVALID_JSON = "Can not load invalid JSON data"
_BODY_SHOWN = 120
_TAG = re.compile(r"<[^>]*>")
_QUOTED_BODY = re.compile(r"Parsing the server response b?(['\"]).*\1 failed", re.DOTALL)


def one_line(error: object, limit: int = 160) -> str:
    """An exception as one short log line: PTB quotes the whole HTML page of a 502 in it."""
    text = _QUOTED_BODY.sub("the answer was not JSON", str(error))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


class OneLineNetworkErrors(logging.Filter):
    """Demote PTB's "invalid JSON" records (an HTML error page instead of an API answer) to one
    warning line without the traceback and with the body cut short."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and str(record.msg).startswith(_INVALID_JSON):
            body = " ".join(str(a) for a in record.args or ()) if record.args else ""
            body = " ".join(_TAG.sub(" ", body).split())  # the page's words, not its markup
            if len(body) > _BODY_SHOWN:
                body = body[:_BODY_SHOWN] + "…"
            record.msg = "Telegram answered with a non-JSON body (proxy or server error): %s"
            record.args = (body,)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
