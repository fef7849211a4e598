"""A small client for the emulator's control API, used by tests, the rehearsal and benchmarks."""

from __future__ import annotations

import base64
from typing import Any

import httpx


class EmulatorClient:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url + "/control", timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _post(self, path: str, **body: Any) -> Any:
        response = await self._http.post(path, json=body)
        response.raise_for_status()
        return response.json().get("result")

    async def _get(self, path: str) -> Any:
        response = await self._http.get(path)
        response.raise_for_status()
        return response.json().get("result")

    async def add_bot(self, token: str, username: str = "briefing_bot") -> Any:
        return await self._post("/bots", token=token, username=username)

    async def add_user(self, user_id: int, first_name: str, username: str | None = None) -> Any:
        return await self._post("/users", id=user_id, first_name=first_name, username=username)

    async def add_chat(self, chat_id: int, title: str, chat_type: str = "supergroup") -> Any:
        return await self._post("/chats", id=chat_id, title=title, type=chat_type)

    async def send(self, chat_id: int, user_id: int, text: str, reply_to: int | None = None) -> Any:
        return await self._post(
            "/send", chat_id=chat_id, user_id=user_id, text=text, reply_to=reply_to
        )

    async def upload(
        self, chat_id: int, user_id: int, file_name: str, data: bytes, caption: str | None = None
    ) -> Any:
        return await self._post(
            "/upload",
            chat_id=chat_id,
            user_id=user_id,
            file_name=file_name,
            content_base64=base64.b64encode(data).decode(),
            caption=caption,
        )

    async def press(
        self, chat_id: int, message_id: int, user_id: int, data: str | None = None
    ) -> str:
        result = await self._post(
            "/press", chat_id=chat_id, message_id=message_id, user_id=user_id, data=data
        )
        return str(result["callback_query_id"])

    async def callback(self, query_id: str) -> Any:
        return await self._get(f"/callbacks/{query_id}")

    async def messages(self, chat_id: int) -> list[dict[str, Any]]:
        return list(await self._get(f"/chats/{chat_id}/messages"))

    async def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in await self.messages(chat_id) if m["from_bot"]]

    async def stats(self) -> dict[str, int]:
        return dict(await self._get("/stats"))

    async def set_limits(self, **limits: Any) -> None:
        await self._post("/limits", **limits)

    async def kick(self, chat_id: int) -> None:
        await self._post(f"/chats/{chat_id}/kick")

    async def migrate(self, chat_id: int, new_id: int) -> Any:
        return await self._post(f"/chats/{chat_id}/migrate", new_id=new_id)

    async def refuse_token(self, seconds: float) -> None:
        """Every request answers 401 Unauthorized for ``seconds``."""
        await self._post("/refuse_token", seconds=seconds)
