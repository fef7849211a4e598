"""The HTTP requests to the Bot API, watched for a refused token.

A 401 while the bot runs is an outage, not a verdict: Telegram answers 401 for a while during
incidents, and a token revoked and restored by mistake works again. Every answer is seen here:
a 401 starts the token outage in ``Health``, any other answer ends it.

PTB's polling loop gives up for good on ``InvalidToken`` (the bot would go deaf while looking
alive), so on the getUpdates connection a 401 is raised as a ``NetworkError`` instead: PTB then
retries with its own backoff (1 s growing to 30 s). Sends still raise ``InvalidToken``; the
dispatcher pauses and returns the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from briefbot.health import Health

log = logging.getLogger(__name__)
UNAUTHORIZED = 401


class WatchedRequest(HTTPXRequest):
    def __init__(
        self,
        health: Health,
        clock: Callable[[], datetime],
        *,
        polling: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._health = health
        self._clock = clock
        self._polling = polling

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        started = self._clock()
        code, payload = await super().do_request(*args, **kwargs)
        outage = self._health.token
        if code == UNAUTHORIZED:
            if outage.fail(self._clock(), "401 Unauthorized"):
                log.error("Telegram refuses the bot token (401): retrying with backoff")
            if self._polling:
                raise NetworkError("token refused (401 Unauthorized); polling retries")
        elif outage.active and outage.since is not None and started >= outage.since:
            # only a request sent after the first refusal proves the token works again (one
            # sent before may be answered after it)
            lasted = outage.lasted(self._clock())
            outage.ok(self._clock())
            log.warning("Telegram accepts the token again after %s", lasted)
        return code, payload
