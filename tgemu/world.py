"""The emulator's world: bots, users, chats, messages, updates, and the Bot API methods on them.

Methods are synchronous and raise :class:`ApiError` exactly where Telegram answers an error;
the HTTP layer (server.py) only moves JSON in and out and does long polling.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tgemu.htmltext import HtmlError, utf16_length, visible_text
from tgemu.limits import TokenBucket, retry_after_seconds

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
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


@dataclass
class Bot:
    id: int
    token: str
    username: str
    first_name: str
    updates: list[Json] = field(default_factory=list)
    next_update_id: int = 1
    event: asyncio.Event = field(default_factory=asyncio.Event)
    commands: list[Json] = field(default_factory=list)

    def user(self) -> Json:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


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

    def public(self) -> Json:
        out: Json = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.title
        else:
            out["title"] = self.title
        return out


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

    def _push_update(self, payload: Json) -> None:
        for bot in self.bots.values():
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

    def deleteWebhook(self, bot: Bot, p: Json) -> Any:
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    def getWebhookInfo(self, bot: Bot, p: Json) -> Any:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.updates),
        }

    def setMyCommands(self, bot: Bot, p: Json) -> Any:
        bot.commands = list(p.get("commands") or [])
        return True

    def getMyCommands(self, bot: Bot, p: Json) -> Any:
        return bot.commands

    def close(self, bot: Bot, p: Json) -> Any:
        return True

    def pending_updates(self, bot: Bot, p: Json) -> list[Json]:
        offset = int(p.get("offset") or 0)
        if offset:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        limit = int(p.get("limit") or 100)
        return bot.updates[:limit]

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
        self._push_update({"message": self._public(stored)})
        return self._public(stored)

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
            }
            for m in chat.messages.values()
        ]
