"""The emulator's world: bots, users, chats, messages, updates, and the Bot API methods on them.

Methods are synchronous and raise :class:`ApiError` exactly where Telegram answers an error;
the HTTP layer (server.py) only moves JSON in and out and does long polling.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tgemu.htmltext import HtmlError, utf16_length, visible_text
from tgemu.limits import TokenBucket, retry_after_seconds

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
WEBHOOK_PORTS = (443, 80, 88, 8443)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
Json = dict[str, Any]


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> Json:
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class Limits:
    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    paid_per_second: float = 1000.0  # requests with allow_paid_broadcast
    enforce: bool = True
    latency: float = 0.0  # seconds between storing a sent message and answering the request
    # faults injected before a send is processed (Telegram never saw it, so a retry is safe)
    error_rate: float = 0.0  # answer 502 Bad Gateway
    drop_rate: float = 0.0  # close the connection without an answer
    fault_seed: int = 1
    # webhook delivery: a failed POST is retried after webhook_retry_first seconds, doubling up
    # to webhook_retry_max; a POST unanswered after webhook_timeout seconds has failed
    webhook_retry_first: float = 1.0
    webhook_retry_max: float = 30.0
    webhook_timeout: float = 10.0


@dataclass
class Webhook:
    """A bot's webhook as setWebhook left it, and how delivery to it is going."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None  # unix time of the last failed delivery
    last_error_message: str | None = None
    failures: int = 0  # failed deliveries in a row
    retry_at: float = 0.0  # on the world's clock: no delivery before


@dataclass
class Bot:
    id: int
    token: str
    username: str
    first_name: str
    updates: list[Json] = field(default_factory=list)
    next_update_id: int = 1
    event: asyncio.Event = field(default_factory=asyncio.Event)
    # command menus by scope: scope_key(scope, language_code) -> commands
    menus: dict[str, list[Json]] = field(default_factory=dict)
    # privacy mode (Telegram's default for a new bot): in groups the bot sees commands, replies
    # to its own messages and service messages only, unless it is an administrator there
    privacy: bool = False
    allowed_updates: list[str] = field(default_factory=list)  # empty: every type we make
    webhook: Webhook | None = None  # set: updates are POSTed there, getUpdates answers 409

    @property
    def commands(self) -> list[Json]:
        """The default-scope menu."""
        return self.menus.get(scope_key(None), [])

    def user(self) -> Json:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy,
            "supports_inline_queries": False,
        }


def scope_key(scope: Any, language_code: Any = None) -> str:
    """One menu per (scope, language), as Telegram keeps them: ``{"type": "default"}`` when no
    scope is given."""
    scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
    parts = [str(scope.get("type")), str(scope.get("chat_id", "")), str(scope.get("user_id", ""))]
    return "|".join([*parts, str(language_code or "")])


@dataclass
class Chat:
    id: int
    type: str
    title: str
    messages: dict[int, Json] = field(default_factory=dict)
    next_message_id: int = 1
    kicked: bool = False
    migrated_to: int | None = None
    bucket: TokenBucket | None = None
    admins: set[int] = field(default_factory=set)  # user ids (the bot's own id included)
    bot_can_pin: bool = False  # the bot is an administrator with can_pin_messages
    pinned: list[int] = field(default_factory=list)  # message ids, latest last

    def public(self) -> Json:
        out: Json = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.title
        else:
            out["title"] = self.title
        return out


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _not_modified() -> ApiError:
    return ApiError(
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )


def _attach_markup(message: Json, markup: Json | None) -> None:
    """Like Telegram, a sent message shows only an inline keyboard; a reply keyboard or a
    ForceReply is kept aside (``_markup``) for tests to inspect."""
    if not markup:
        return
    if "inline_keyboard" in markup:
        message["reply_markup"] = markup
    else:
        message["_markup"] = markup


def _apply_edit(message: Json, markup: Json | None) -> Json:
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
    message["edit_date"] = int(time.time())
    return message


class World:
    def __init__(self, limits: Limits | None = None, clock: Any = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.bots: dict[str, Bot] = {}
        self.users: dict[int, Json] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}
        self.callbacks: dict[str, Json] = {}
        self.stats: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._overall: dict[str, TokenBucket] = {}
        self.token_refused_until = 0.0  # on self.clock: every token answers 401 until then

    # ------------------------------------------------------------------ setup (control API)
    def add_bot(
        self, token: str, username: str = "briefing_bot", first_name: str = "简报助手"
    ) -> Bot:
        bot_id = int(token.split(":", 1)[0])
        bot = Bot(id=bot_id, token=token, username=username, first_name=first_name)
        self.bots[token] = bot
        return bot

    def add_user(self, user_id: int, first_name: str, username: str | None = None) -> Json:
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self.users[user_id] = user
        return user

    def add_chat(self, chat_id: int, title: str, chat_type: str = "supergroup") -> Chat:
        chat = Chat(id=chat_id, type=chat_type, title=title)
        self.chats[chat_id] = chat
        return chat

    def set_limits(self, **values: Any) -> None:
        for key, value in values.items():
            setattr(self.limits, key, value)
        self._overall.clear()
        for chat in self.chats.values():
            chat.bucket = None

    # ------------------------------------------------------------------ helpers
    def refuse_tokens(self, seconds: float) -> None:
        """Fault: answer every request 401 Unauthorized for ``seconds`` (a revoked token, or an
        incident at Telegram), then accept the tokens again."""
        self.token_refused_until = self.clock() + seconds

    def bot(self, token: str) -> Bot:
        bot = self.bots.get(token)
        if bot is None:
            raise ApiError(401, "Unauthorized")
        if self.clock() < self.token_refused_until:
            self.stats["faults:401"] += 1
            raise ApiError(401, "Unauthorized")
        return bot

    def _chat(self, value: Any) -> Chat:
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _writable(self, chat: Chat) -> None:
        if chat.kicked:
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")

    def _flood(self, bot: Bot, chat: Chat, paid: bool = False) -> None:
        """Apply Telegram's overall and per-group limits; 429 with retry_after when exceeded.

        A paid broadcast has its own, larger budget and no per-group limit.
        """
        if not self.limits.enforce:
            return
        now = self.clock()
        if paid:
            bucket = self._overall.get(f"paid:{bot.token}")
            if bucket is None:
                rate = self.limits.paid_per_second
                bucket = self._overall[f"paid:{bot.token}"] = TokenBucket(rate, rate, now)
            if wait := bucket.take(now):
                self.stats["rate_limited"] += 1
                seconds = retry_after_seconds(wait)
                raise ApiError(
                    429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
                )
            self.stats["paid_messages"] += 1
            return
        overall = self._overall.get(bot.token)
        if overall is None:
            rate = self.limits.overall_per_second
            overall = self._overall[bot.token] = TokenBucket(rate, rate, now)
        wait = overall.take(now)
        if wait == 0 and chat.type in ("group", "supergroup", "channel"):
            if chat.bucket is None:
                per_min = self.limits.group_per_minute
                chat.bucket = TokenBucket(per_min, per_min / 60.0, now)
            wait = chat.bucket.take(now)
            if wait:
                overall.tokens = min(overall.capacity, overall.tokens + 1)  # not spent after all
        if wait:
            self.stats["rate_limited"] += 1
            seconds = retry_after_seconds(wait)
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )

    def _check_text(self, text: Any, parse_mode: Any, limit: int, empty_ok: bool = False) -> None:
        if text is None or text == "":
            if empty_ok:
                return
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        visible = text
        if parse_mode == "HTML":
            try:
                visible = visible_text(text)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif parse_mode not in (None, ""):
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        if not visible.strip() and not empty_ok:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(visible) > limit:
            raise ApiError(400, "Bad Request: message is too long")

    def _check_markup(self, markup: Any) -> Json | None:
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _store(self, chat: Chat, message: Json) -> Json:
        message["message_id"] = chat.next_message_id
        chat.next_message_id += 1
        message["date"] = int(time.time())
        message["_at"] = self.clock()
        message["chat"] = chat.public()
        chat.messages[message["message_id"]] = message
        return message

    def _message(self, chat: Chat, message_id: Any) -> Json:
        try:
            message = chat.messages.get(int(message_id))
        except (TypeError, ValueError):
            message = None
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _push_update(self, payload: Json, sees: Any = None) -> None:
        for bot in self.bots.values():
            if sees is not None and not sees(bot):
                continue
            update = {"update_id": bot.next_update_id, **payload}
            bot.next_update_id += 1
            bot.updates.append(update)
            bot.event.set()

    def _keep_file(self, data: bytes, name: str, mime: str) -> Json:
        """Store an uploaded file; return its Bot API Document object."""
        file_id = f"doc{next(self._ids)}"
        self.files[file_id] = (data, name, mime)
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": len(data),
        }

    @staticmethod
    def _public(message: Json) -> Json:
        return {k: v for k, v in message.items() if not k.startswith("_")}

    # ------------------------------------------------------------------ Bot API methods
    def getMe(self, bot: Bot, p: Json) -> Any:
        return bot.user()

    def setWebhook(self, bot: Bot, p: Json) -> Any:
        """Like Telegram: an empty url removes the webhook. Telegram itself posts only to HTTPS
        on ports 443, 80, 88 and 8443; like a local Bot API server, the emulator also posts to
        plain HTTP on any port of a loopback address (tests need no certificate)."""
        url = str(p.get("url") or "")
        if not url:
            return self.deleteWebhook(bot, p)
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            raise ApiError(400, "Bad Request: bad webhook: invalid port specified") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ApiError(400, "Bad Request: bad webhook: invalid URL")
        if not _is_loopback(parts.hostname):
            if parts.scheme != "https":
                raise ApiError(
                    400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
                )
            if (port or 443) not in WEBHOOK_PORTS:
                raise ApiError(
                    400,
                    "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 "
                    "or 8443",
                )
        secret = p.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        connections = int(p.get("max_connections") or 40)
        if not 1 <= connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):  # absent: the previous list stays in force
            bot.allowed_updates = [str(a) for a in allowed]
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        # a new setting: delivery starts at once, the failures of the old one forgotten
        bot.webhook = Webhook(
            url=url, secret_token=str(secret) if secret else None, max_connections=connections
        )
        bot.event.set()  # ends a long poll in progress (409) and wakes the delivery
        return True

    def deleteWebhook(self, bot: Bot, p: Json) -> Any:
        bot.webhook = None
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        bot.event.set()
        return True

    def getWebhookInfo(self, bot: Bot, p: Json) -> Any:
        hook = bot.webhook
        info: Json = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.deliverable(bot)),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if bot.allowed_updates:
                info["allowed_updates"] = list(bot.allowed_updates)
        return info

    def setMyCommands(self, bot: Bot, p: Json) -> Any:
        commands = list(p.get("commands") or [])
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            name = str(command.get("command", ""))
            if (
                not name
                or len(name) > 32
                or not name.replace("_", "").isalnum()
                or name.lower() != name
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = p.get("scope")
        if isinstance(scope, dict) and "chat_id" in scope:
            self._chat(scope["chat_id"])
        bot.menus[scope_key(scope, p.get("language_code"))] = commands
        return True

    def getMyCommands(self, bot: Bot, p: Json) -> Any:
        return bot.menus.get(scope_key(p.get("scope"), p.get("language_code")), [])

    def deleteMyCommands(self, bot: Bot, p: Json) -> Any:
        bot.menus.pop(scope_key(p.get("scope"), p.get("language_code")), None)
        return True

    def menu_for(self, bot: Bot, chat_id: int, user_id: int) -> list[Json]:
        """The menu a user sees in a chat, resolved in Telegram's order of scopes."""
        chat = self.chats[chat_id]
        if chat.type == "private":
            order = [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        else:
            order = [
                {"type": "chat_member", "chat_id": chat_id, "user_id": user_id},
                *(
                    [{"type": "chat_administrators", "chat_id": chat_id}]
                    if user_id in chat.admins
                    else []
                ),
                {"type": "chat", "chat_id": chat_id},
                *([{"type": "all_chat_administrators"}] if user_id in chat.admins else []),
                {"type": "all_group_chats"},
            ]
        for scope in [*order, None]:
            key = scope_key(scope)
            if key in bot.menus:
                return bot.menus[key]
        return []

    def pinChatMessage(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        message = self._message(chat, p.get("message_id"))
        if chat.type != "private" and not chat.bot_can_pin:
            raise ApiError(
                400, "Bad Request: not enough rights to manage pinned messages in the chat"
            )
        chat.pinned.append(int(message["message_id"]))
        return True

    def getChatMember(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        user_id = int(p.get("user_id") or 0)
        if user_id == bot.id:
            user = bot.user()
            status = "administrator" if bot.id in chat.admins else "member"
        elif user_id in self.users:
            user = self.users[user_id]
            status = "administrator" if user_id in chat.admins else "member"
        else:
            raise ApiError(400, "Bad Request: user not found")
        member: Json = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=False,
                can_manage_video_chats=False,
                can_restrict_members=False,
                can_promote_members=False,
                can_change_info=False,
                can_invite_users=False,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_pin_messages=chat.bot_can_pin if user_id == bot.id else True,
            )
        return member

    def close(self, bot: Bot, p: Json) -> Any:
        return True

    def pending_updates(self, bot: Bot, p: Json) -> list[Json]:
        """getUpdates: 409 Conflict while a webhook is set."""
        if bot.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = int(p.get("offset") or 0)
        if offset:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):  # like Telegram, the last list given stays in force
            bot.allowed_updates = [str(a) for a in allowed]
        limit = int(p.get("limit") or 100)
        return self.deliverable(bot)[:limit]

    def deliverable(self, bot: Bot) -> list[Json]:
        """The bot's updates not yet confirmed, oldest first. An update of a type not asked for
        (``allowed_updates``) is never delivered: it is dropped here."""
        if bot.allowed_updates:
            wanted = set(bot.allowed_updates)
            bot.updates = [u for u in bot.updates if wanted & (u.keys() - {"update_id"})]
        return bot.updates

    def next_deliverable(self, bot: Bot) -> Json | None:
        """The oldest update to deliver, dropping those of types not asked for ahead of it
        (``deliverable`` without a pass over the whole queue for every update of a burst)."""
        wanted = set(bot.allowed_updates)
        while bot.updates:
            head = bot.updates[0]
            if not wanted or wanted & (head.keys() - {"update_id"}):
                return head
            bot.updates.pop(0)
        return None

    def webhook_delivered(self, bot: Bot, update_id: int) -> None:
        """The webhook answered 2xx: the update is confirmed."""
        if bot.updates and bot.updates[0]["update_id"] == update_id:
            bot.updates.pop(0)
        else:  # the queue changed meanwhile (drop_pending_updates)
            bot.updates = [u for u in bot.updates if u["update_id"] != update_id]
        if bot.webhook is not None:
            bot.webhook.failures = 0
        self.stats["webhook:delivered"] += 1

    def webhook_failed(self, bot: Bot, hook: Webhook, error: str) -> float:
        """A delivery failed: the update stays pending, the next attempt waits (doubling).
        Returns the wait in seconds."""
        hook.failures += 1
        hook.last_error_date = int(time.time())
        hook.last_error_message = error
        wait = min(
            self.limits.webhook_retry_max,
            self.limits.webhook_retry_first * 2 ** (hook.failures - 1),
        )
        hook.retry_at = self.clock() + wait
        self.stats["webhook:failed"] += 1
        return wait

    def sendMessage(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        self._check_text(p.get("text"), p.get("parse_mode"), TEXT_LIMIT)
        markup = self._check_markup(p.get("reply_markup"))
        self._flood(bot, chat, paid=p.get("allow_paid_broadcast") is True)
        message: Json = {
            "from": bot.user(),
            "text": str(p["text"]),
            "_bot": True,
            "_parse_mode": p.get("parse_mode"),
            "_edits": [],
            "_reactions": [],
        }
        reply = p.get("reply_parameters") or {}
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        reply_to = reply_to or p.get("reply_to_message_id")
        if reply_to and int(reply_to) in chat.messages:
            message["reply_to_message"] = self._public(chat.messages[int(reply_to)])
        _attach_markup(message, markup)
        self.stats["messages_sent"] += 1
        return self._public(self._store(chat, message))

    def sendDocument(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        self._check_text(p.get("caption"), p.get("parse_mode"), CAPTION_LIMIT, empty_ok=True)
        upload = p.get("document")
        if not isinstance(upload, tuple):
            raise ApiError(400, "Bad Request: there is no document in the request")
        data, name, mime = upload
        markup = self._check_markup(p.get("reply_markup"))
        self._flood(bot, chat)
        message: Json = {
            "from": bot.user(),
            "_bot": True,
            "_edits": [],
            "_reactions": [],
            "document": self._keep_file(data, name, mime),
        }
        if p.get("caption"):
            message["caption"] = str(p["caption"])
        _attach_markup(message, markup)
        self.stats["messages_sent"] += 1
        return self._public(self._store(chat, message))

    def sendPhoto(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        self._check_text(p.get("caption"), p.get("parse_mode"), CAPTION_LIMIT, empty_ok=True)
        upload = p.get("photo")
        if not isinstance(upload, tuple):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        data, name, mime = upload
        if not data.startswith((b"\x89PNG", b"\xff\xd8\xff")):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        self._flood(bot, chat)
        stored = self._keep_file(data, name, mime)
        message: Json = {
            "from": bot.user(),
            "_bot": True,
            "_edits": [],
            "_reactions": [],
            "photo": [
                {
                    "file_id": stored["file_id"],
                    "file_unique_id": stored["file_id"],
                    "width": 960,
                    "height": 780,
                    "file_size": len(data),
                }
            ],
        }
        if p.get("caption"):
            message["caption"] = str(p["caption"])
        self.stats["messages_sent"] += 1
        return self._public(self._store(chat, message))

    def editMessageText(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        message = self._message(chat, p.get("message_id"))
        self._check_text(p.get("text"), p.get("parse_mode"), TEXT_LIMIT)
        markup = self._check_markup(p.get("reply_markup"))
        if message.get("text") == p.get("text") and message.get("reply_markup") == markup:
            raise _not_modified()
        self._flood(bot, chat)
        message.setdefault("_edits", []).append({"text": message.get("text")})
        message["text"] = str(p["text"])
        return self._public(_apply_edit(message, markup))

    def editMessageReplyMarkup(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        message = self._message(chat, p.get("message_id"))
        markup = self._check_markup(p.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise _not_modified()
        self._flood(bot, chat)
        message.setdefault("_edits", []).append({"reply_markup": message.get("reply_markup")})
        return self._public(_apply_edit(message, markup))

    def setMessageReaction(self, bot: Bot, p: Json) -> Any:
        chat = self._chat(p.get("chat_id"))
        self._writable(chat)
        message = self._message(chat, p.get("message_id"))
        message["_reactions"] = list(p.get("reaction") or [])
        return True

    def answerCallbackQuery(self, bot: Bot, p: Json) -> Any:
        query_id = str(p.get("callback_query_id"))
        query = self.callbacks.get(query_id)
        if query is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if query.get("answered"):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        query["answered"] = True
        query["text"] = p.get("text")
        query["show_alert"] = bool(p.get("show_alert"))
        return True

    def getFile(self, bot: Bot, p: Json) -> Any:
        file_id = str(p.get("file_id"))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        data, _name, _mime = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(data),
            "file_path": f"documents/{file_id}",
        }

    def getChat(self, bot: Bot, p: Json) -> Any:
        return self._chat(p.get("chat_id")).public()

    # ------------------------------------------------------------------ simulated people
    def user_message(
        self, chat_id: int, user_id: int, text: str, reply_to: int | None = None
    ) -> Json:
        chat = self.chats[chat_id]
        message: Json = {"from": self.users[user_id], "text": text, "_bot": False}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
            ]
        if reply_to is not None:
            message["reply_to_message"] = self._public(chat.messages[reply_to])
        stored = self._store(chat, message)
        replied_bot = chat.messages[reply_to].get("from", {}).get("id") if reply_to else None
        self._push_update(
            {"message": self._public(stored)},
            lambda bot: (
                chat.type == "private"
                or not bot.privacy
                or text.startswith("/")
                or replied_bot == bot.id
                or bot.id in chat.admins
            ),
        )
        return self._public(stored)

    def add_bot_to_chat(
        self, chat_id: int, user_id: int, token: str, start: str | None = None
    ) -> Json:
        """A user adds the bot to a group: the bot gets a ``my_chat_member`` update (left ->
        member) and, when added through a ``t.me/<bot>?startgroup=<start>`` link, Telegram
        then sends ``/start <start>`` in the group on the user's behalf."""
        chat = self.chats[chat_id]
        bot = self.bot(token)
        chat.kicked = False
        payload = {
            "chat": chat.public(),
            "from": self.users[user_id],
            "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": bot.user()},
            "new_chat_member": {"status": "member", "user": bot.user()},
        }
        update_id = bot.next_update_id
        bot.next_update_id += 1
        bot.updates.append({"update_id": update_id, "my_chat_member": payload})
        bot.event.set()
        if start is not None:
            self.user_message(chat_id, user_id, f"/start@{bot.username} {start}")
        return payload

    def user_document(
        self,
        chat_id: int,
        user_id: int,
        name: str,
        data: bytes,
        mime: str,
        caption: str | None = None,
    ) -> Json:
        chat = self.chats[chat_id]
        message: Json = {
            "from": self.users[user_id],
            "_bot": False,
            "document": self._keep_file(data, name, mime),
        }
        if caption:
            message["caption"] = caption
        stored = self._store(chat, message)
        self._push_update({"message": self._public(stored)})
        return self._public(stored)

    def press_button(
        self, chat_id: int, message_id: int, user_id: int, data: str | None = None
    ) -> str:
        chat = self.chats[chat_id]
        message = chat.messages[message_id]
        if data is None:
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or [[]]
            if not keyboard[0]:
                raise KeyError("message has no button")
            data = keyboard[0][0]["callback_data"]
        query_id = f"cb{next(self._ids)}"
        self.callbacks[query_id] = {"id": query_id, "data": data, "answered": False}
        self._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.users[user_id],
                    "message": self._public(message),
                    "chat_instance": str(chat_id),
                    "data": data,
                }
            }
        )
        return query_id

    def transcript(self, chat_id: int) -> list[Json]:
        chat = self.chats[chat_id]
        return [
            {
                **self._public(m),
                "from_bot": m.get("_bot", False),
                "edits": m.get("_edits", []),
                "reactions": m.get("_reactions", []),
                "pinned": m["message_id"] in chat.pinned,
            }
            for m in chat.messages.values()
        ]
