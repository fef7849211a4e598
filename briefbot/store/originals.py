"""Original files of briefings, kept to send on request and for the record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select

from briefbot.store.schema import originals


@dataclass(frozen=True)
class OriginalFile:
    file_name: str
    mime_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class OriginalRepo:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, original: OriginalFile, now: datetime) -> str:
        digest = original.sha256
        with self._engine.begin() as conn:
            if conn.execute(select(originals.c.sha256).where(originals.c.sha256 == digest)).first():
                return digest
            conn.execute(
                insert(originals).values(
                    sha256=digest,
                    file_name=original.file_name,
                    mime_type=original.mime_type,
                    size=len(original.data),
                    data=original.data,
                    stored_at=now,
                )
            )
        return digest

    def get(self, digest: str) -> OriginalFile | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(originals).where(originals.c.sha256 == digest)).first()
        return None if row is None else OriginalFile(row.file_name, row.mime_type, bytes(row.data))
