"""Webhook mode's plan: where the bot's own server listens, where Telegram posts, and the secret.

Decided once at start from the settings and the environment. The secret comes from
``WEBHOOK_SECRET`` when it is set (like the token, it is better kept out of files), else from
``telegram.webhook.secret_token``. Without a public URL or a secret the bot does not start:
``WebhookRefused`` carries the one line to print, in Chinese and English.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from briefbot.settings import SECRET_TOKEN, SECRET_TOKEN_HINT, Settings

SECRET_ENV = "WEBHOOK_SECRET"
# the update types the bot handles, asked of Telegram in both modes
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")


class WebhookRefused(Exception):
    """Webhook mode cannot start; ``str()`` is one line for the operator."""


@dataclass(frozen=True)
class WebhookPlan:
    listen: str
    port: int
    path: str  # the path the bot's server answers
    url: str  # the public URL given to setWebhook
    max_connections: int
    check_every: float  # seconds between two getWebhookInfo
    secret_token: str = field(repr=False)  # never in a repr, a log line or a message

    @property
    def address(self) -> str:
        """Where the bot's server listens, for log lines and messages."""
        host = f"[{self.listen}]" if ":" in self.listen else self.listen
        return f"{host}:{self.port}{self.path}"


def webhook_plan(settings: Settings, environ: Mapping[str, str]) -> WebhookPlan:
    """The plan for ``run --webhook``, or ``WebhookRefused`` naming what is missing."""
    hook = settings.telegram.webhook
    if not hook.url:
        raise WebhookRefused(
            "Webhook 模式需要公网地址：请在配置中设置 telegram.webhook.url"
            "（Telegram 推送更新的 https 地址，即反向代理的地址）。"
            " Webhook mode needs telegram.webhook.url, the public HTTPS URL Telegram posts to."
        )
    from_env = environ.get(SECRET_ENV, "").strip()
    if from_env and not SECRET_TOKEN.fullmatch(from_env):
        raise WebhookRefused(
            f"环境变量 {SECRET_ENV} 的格式不对：{SECRET_TOKEN_HINT}。"
            f" {SECRET_ENV} must be 16-256 characters of A-Z, a-z, 0-9, _ and -."
        )
    secret = from_env or hook.secret_token
    if not secret:
        raise WebhookRefused(
            f"Webhook 模式需要密钥：请设置环境变量 {SECRET_ENV}"
            f"（或配置项 telegram.webhook.secret_token），{SECRET_TOKEN_HINT}。"
            f" Webhook mode needs a secret token: set {SECRET_ENV}"
            " (or telegram.webhook.secret_token)."
        )
    return WebhookPlan(
        listen=hook.listen,
        port=hook.port,
        path=hook.local_path,
        url=hook.url,
        max_connections=hook.max_connections,
        check_every=hook.check_every.total_seconds(),
        secret_token=secret,
    )


def check_listen(plan: WebhookPlan) -> None:
    """Bind the listen address for a moment, as the web server will (SO_REUSEADDR): a port taken
    or an address not on this machine is found before the webhook is set at Telegram.
    Raises ``WebhookRefused``."""
    try:
        addresses = socket.getaddrinfo(
            plan.listen, plan.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, kind, proto, _name, address in addresses:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise WebhookRefused(
            f"无法在 {plan.address} 上接收 Webhook（telegram.webhook.listen/port）：{reason}。"
            f" Cannot listen on {plan.address}: {reason}."
        ) from None
