"""HTTP face of the emulator: Bot API under /bot<token>/<method>, files, and /control."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import random
from typing import Any

from aiohttp import web

from tgemu.webhook import WebhookPusher
from tgemu.world import ApiError, Json, Limits, World

log = logging.getLogger("tgemu")

# Parameters Telegram takes as strings; everything else arrives JSON-encoded from PTB.
_STRING_PARAMS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "file_id",
    "title",
    "description",
    "short_description",
    "name",
    "emoji",
    "language_code",
    "secret_token",
    "ip_address",
}
# the Bot API methods the world implements, by their Bot API names (getUpdates is served here)
METHODS = (
    "getMe",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "pinChatMessage",
    "getChatMember",
    "close",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "editMessageText",
    "editMessageReplyMarkup",
    "setMessageReaction",
    "answerCallbackQuery",
    "getFile",
    "getChat",
)


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _params(request: web.Request) -> Json:
    params: Json = {k: _coerce(k, v) for k, v in request.query.items()}
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = (value.file.read(), value.filename, value.content_type)
        else:
            params[key] = _coerce(key, value)
    # PTB sends an upload as attach://name; resolve it to the file part
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value[len("attach://") :])
    return params


class EmulatorServer:
    def __init__(self, world: World | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world = world or World()
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        # Telegram matches method names case-insensitively
        self._methods = {name.lower(): getattr(self.world, name) for name in METHODS}
        self.webhooks = WebhookPusher(self.world)
        self._rng: random.Random | None = None
        self._rng_seed: int | None = None
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._control_routes()

    def _fault(self) -> str | None:
        limits = self.world.limits
        if not (limits.error_rate or limits.drop_rate):
            return None
        if self._rng is None or self._rng_seed != limits.fault_seed:
            self._rng, self._rng_seed = random.Random(limits.fault_seed), limits.fault_seed
        draw = self._rng.random()
        if draw < limits.drop_rate:
            return "drop"
        if draw < limits.drop_rate + limits.error_rate:
            return "error"
        return None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.webhooks.close()
        for bot in self.world.bots.values():
            bot.event.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ Bot API
    async def _api(self, request: web.Request) -> web.Response:
        world = self.world
        method = request.match_info["method"]
        world.stats[f"call:{method}"] += 1
        try:
            bot = world.bot(request.match_info["token"])
            params = await _params(request)
            if method.lower().startswith("send"):
                fault = self._fault()
                if fault == "drop":
                    world.stats["faults:drop"] += 1
                    if request.transport is not None:
                        request.transport.close()
                    raise web.HTTPInternalServerError()  # never reaches the client
                if fault == "error":
                    world.stats["faults:502"] += 1
                    return web.json_response(
                        {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
                    )
            if method.lower() == "getupdates":
                result: Any = await self._get_updates(bot, params)
            elif (handler := self._methods.get(method.lower())) is not None:
                result = handler(bot, params)
                if method.lower() == "setwebhook":
                    self.webhooks.kick(bot)
                if world.limits.latency and method.lower().startswith(("send", "edit")):
                    # the message exists now; the answer is still on the wire
                    await asyncio.sleep(world.limits.latency)
            else:
                raise ApiError(404, "Not Found")
        except ApiError as exc:
            world.stats[f"error:{exc.code}"] += 1
            return web.json_response(exc.payload(), status=exc.code)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, bot: Any, params: Json) -> list[Json]:
        timeout = float(params.get("timeout") or 0)
        updates = self.world.pending_updates(bot, params)
        if updates or timeout <= 0:
            return updates
        bot.event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.event.wait(), timeout)
        if bot.webhook is not None:
            raise ApiError(409, "Conflict: terminated by setWebhook request")
        return self.world.pending_updates(bot, params)

    async def _file(self, request: web.Request) -> web.Response:
        try:
            self.world.bot(request.match_info["token"])
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.world.files:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        data, _name, mime = self.world.files[file_id]
        return web.Response(body=data, content_type=mime or "application/octet-stream")

    # ------------------------------------------------------------------ control API
    def _control_routes(self) -> None:
        r = self.app.router
        r.add_get("/control/health", self._health)
        r.add_post("/control/bots", self._c_bot)
        r.add_post("/control/users", self._c_user)
        r.add_post("/control/chats", self._c_chat)
        r.add_post("/control/chats/{chat_id}/kick", self._c_kick)
        r.add_post("/control/chats/{chat_id}/migrate", self._c_migrate)
        r.add_post("/control/chats/{chat_id}/add_bot", self._c_add_bot)
        r.add_post("/control/chats/{chat_id}/admins", self._c_admins)
        r.add_get("/control/chats/{chat_id}/messages", self._c_transcript)
        r.add_post("/control/send", self._c_send)
        r.add_post("/control/upload", self._c_upload)
        r.add_post("/control/press", self._c_press)
        r.add_get("/control/callbacks/{query_id}", self._c_callback)
        r.add_get("/control/stats", self._c_stats)
        r.add_post("/control/limits", self._c_limits)
        r.add_post("/control/refuse_token", self._c_refuse_token)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _c_bot(self, request: web.Request) -> web.Response:
        body = await request.json()
        bot = self.world.add_bot(
            body["token"], body.get("username", "briefing_bot"), body.get("first_name", "简报助手")
        )
        bot.privacy = bool(body.get("privacy", False))
        return web.json_response({"ok": True, "result": bot.user()})

    async def _c_user(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = self.world.add_user(int(body["id"]), body["first_name"], body.get("username"))
        return web.json_response({"ok": True, "result": user})

    async def _c_chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat = self.world.add_chat(int(body["id"]), body["title"], body.get("type", "supergroup"))
        return web.json_response({"ok": True, "result": chat.public()})

    async def _c_kick(self, request: web.Request) -> web.Response:
        self.world.chats[int(request.match_info["chat_id"])].kicked = True
        return web.json_response({"ok": True})

    async def _c_migrate(self, request: web.Request) -> web.Response:
        body = await request.json()
        old = self.world.chats[int(request.match_info["chat_id"])]
        new = self.world.add_chat(int(body["new_id"]), old.title, "supergroup")
        old.migrated_to = new.id
        return web.json_response({"ok": True, "result": new.public()})

    async def _c_add_bot(self, request: web.Request) -> web.Response:
        body = await request.json()
        payload = self.world.add_bot_to_chat(
            int(request.match_info["chat_id"]),
            int(body["user_id"]),
            body["token"],
            body.get("start"),
        )
        return web.json_response({"ok": True, "result": payload})

    async def _c_admins(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat = self.world.chats[int(request.match_info["chat_id"])]
        chat.admins = {int(u) for u in body.get("user_ids", [])}
        chat.bot_can_pin = bool(body.get("bot_can_pin", False))
        return web.json_response({"ok": True})

    async def _c_transcript(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        if chat_id not in self.world.chats:
            return web.json_response({"ok": False, "description": "no such chat"}, status=404)
        return web.json_response({"ok": True, "result": self.world.transcript(chat_id)})

    async def _c_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        message = self.world.user_message(
            int(body["chat_id"]), int(body["user_id"]), body["text"], body.get("reply_to")
        )
        return web.json_response({"ok": True, "result": message})

    async def _c_upload(self, request: web.Request) -> web.Response:
        body = await request.json()
        message = self.world.user_document(
            int(body["chat_id"]),
            int(body["user_id"]),
            body["file_name"],
            base64.b64decode(body["content_base64"]),
            body.get("mime_type", "text/plain"),
            body.get("caption"),
        )
        return web.json_response({"ok": True, "result": message})

    async def _c_press(self, request: web.Request) -> web.Response:
        body = await request.json()
        query_id = self.world.press_button(
            int(body["chat_id"]), int(body["message_id"]), int(body["user_id"]), body.get("data")
        )
        return web.json_response({"ok": True, "result": {"callback_query_id": query_id}})

    async def _c_callback(self, request: web.Request) -> web.Response:
        query = self.world.callbacks.get(request.match_info["query_id"])
        if query is None:
            return web.json_response({"ok": False}, status=404)
        return web.json_response({"ok": True, "result": query})

    async def _c_stats(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": dict(self.world.stats)})

    async def _c_limits(self, request: web.Request) -> web.Response:
        body = await request.json()
        allowed = {k: v for k, v in body.items() if hasattr(Limits(), k)}
        self.world.set_limits(**allowed)
        return web.json_response({"ok": True})

    async def _c_refuse_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.world.refuse_tokens(float(body["seconds"]))
        return web.json_response({"ok": True})
