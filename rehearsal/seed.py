"""A large ledger written straight into a store: N units × M delivered notices, most of them
acknowledged, some with a comment. What the office benchmark measures its views on, and what
the end-to-end test exports while the bot answers other updates.

Rows go in with one batched insert per table and notice, bypassing the publishing path (the
views and the export are what is measured, not how the ledger came about).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import insert

from briefbot.store import Store
from briefbot.store.schema import acks, notices, outbox, push_progress, units

GROUPS = ("设区市", "省直部门", "县区")


def seed_ledger(
    store: Store,
    *,
    unit_count: int,
    notice_count: int,
    start: datetime,
    seed: int = 5,
    prefix: str = "u",
    chat_base: int = -1003000000000,
    user_base: int = 50000000,
    ack_share: float = 0.85,
) -> list[int]:
    """Units ``{prefix}0000``… and ``notice_count`` notices published a day apart from
    ``start``, each sent to every unit at 30/s and acknowledged by ``ack_share`` of them (a few
    hours later on average). Each push is recorded as finished and reported, so a running bot
    posts no progress board for it. Returns the notices' ids."""
    rng = random.Random(seed)
    codes = [f"{prefix}{i:04d}" for i in range(unit_count)]
    ids: list[int] = []
    with store.engine.begin() as conn:
        conn.execute(
            insert(units),
            [
                {
                    "code": code,
                    "name": f"单位{i}",
                    "grp": GROUPS[i % 3],
                    "chat_id": chat_base - i,
                    "liaisons": json.dumps([user_base + i]),
                    "active": True,
                }
                for i, code in enumerate(codes)
            ],
        )
        for n in range(notice_count):
            published = start + timedelta(days=n)
            notice_id = conn.execute(
                insert(notices).values(
                    content_hash=f"seed-{prefix}-{n}",
                    title=f"测试简报{n}",
                    issue=f"第{n + 1}期",
                    kind="routine",
                    html="<b>x</b>",
                    source="seed",
                    briefing_json="{}",
                    published_at=published,
                    ack_within_s=4 * 3600,
                )
            ).inserted_primary_key[0]
            ids.append(notice_id)
            deliveries, signed = [], []
            for i, code in enumerate(codes):
                sent = published + timedelta(seconds=i / 30)
                deliveries.append(
                    {
                        "kind": "notice",
                        "notice_id": notice_id,
                        "unit_code": code,
                        "step": 0,
                        "chat_id": chat_base - i,
                        "with_button": True,
                        "priority": 10,
                        "state": "sent",
                        "created_at": published,
                        "sent_at": sent,
                        "message_id": i + 1,
                    }
                )
                if rng.random() < ack_share:
                    signed.append(
                        {
                            "notice_id": notice_id,
                            "unit_code": code,
                            "user_id": user_base + i,
                            "user_name": f"联络员{i}",
                            "via": "button",
                            "comment": "已阅" if i % 7 == 0 else None,
                            "acked_at": sent + timedelta(minutes=rng.expovariate(1 / 200)),
                        }
                    )
            conn.execute(insert(outbox), deliveries)
            conn.execute(
                insert(push_progress).values(
                    notice_id=notice_id,
                    chat_id=0,
                    started_at=published,
                    finished_at=published + timedelta(seconds=unit_count / 30),
                )
            )
            if signed:
                conn.execute(insert(acks), signed)
    return ids
