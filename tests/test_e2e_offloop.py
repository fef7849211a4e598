"""End to end (issue 11, point 4): the real ``bot.py run`` answers a unit's /ack and the office's
/status while it exports the 签收单 of 2 000 units × 50 notices (a million cells)."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from datetime import datetime

import pytest

from briefbot.store import open_store
from rehearsal.harness import Rehearsal, Scenario, numbered_units
from rehearsal.seed import seed_ledger
from tests.conftest import SHIPPED, TZ, database_url

pytestmark = pytest.mark.e2e
UNITS, NOTICES = 2000, 50


async def test_an_ack_and_status_are_answered_while_a_large_export_runs(tmp_path):
    units = numbered_units(3, chat_base=-1001000300000, user_base=31000)
    scenario = Scenario(
        units=units,
        storage_url=database_url(tmp_path / "data"),
        delivery={"poll_every": "0.2s"},
        follow_up={"ack_within": "1h", "check_every": "1m"},
    )
    async with Rehearsal(scenario, tmp_path) as run:
        world, emu = run.server.world, run.emu
        office, admin = scenario.office_chat_id, scenario.admins[0].user_id
        store = open_store(run.storage_url)
        try:
            ids = await asyncio.to_thread(
                seed_ledger,
                store,
                unit_count=UNITS,
                notice_count=NOTICES,
                start=datetime(2026, 10, 12, 9, 0, tzinfo=TZ),
                prefix="s",
            )
        finally:
            store.close()
        run.start_bot()
        await run.wait_ready()
        await run.cli("publish", str(SHIPPED))

        async def delivered() -> bool:
            return all(run.notices_in(u.chat_id) for u in units)

        await run.wait_for(delivered, 30, "the new notice in every unit")
        published = 1 + ids[-1]

        def texts(chat_id: int) -> list[str]:
            return run.plain_texts(chat_id)

        def workbook() -> dict | None:
            found = [m for m in world.transcript(office) if m["from_bot"] and "document" in m]
            return found[0] if found else None

        await emu.send(office, admin, f"/export {ids[0]}-{ids[-1]}")

        async def started() -> bool:
            return any(t.startswith(f"正在导出 {NOTICES} 份") for t in texts(office))

        await run.wait_for(started, 20, "the export to start", interval=0.02)
        began = time.monotonic()
        unit = units[0]
        ack = await emu.send(unit.chat_id, unit.liaisons[0].user_id, "/ack")
        await emu.send(office, admin, f"/status {published}")
        answered: dict[str, float] = {}
        finished = None
        while finished is None or len(answered) < 2:
            now = time.monotonic() - began
            reacted = world.chats[unit.chat_id].messages[ack["message_id"]].get("_reactions")
            if reacted and "ack" not in answered:
                answered["ack"] = now
            if "status" not in answered and any(t.startswith("📊") for t in texts(office)):
                answered["status"] = now
            if finished is None and workbook() is not None:
                finished = now
            assert now < 90, (answered, finished, run.bot_log()[-3000:])
            await asyncio.sleep(0.01)
        print(
            f"\nexport of {UNITS} × {NOTICES}: {finished:.2f} s; meanwhile /ack answered after "
            f"{answered['ack']:.2f} s and /status after {answered['status']:.2f} s"
        )
        assert answered["ack"] < finished and answered["status"] < finished
        assert max(answered.values()) < 3.0
        document = workbook()
        assert document is not None
        data, _, _ = world.files[document["document"]["file_id"]]
        sheets = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if "worksheets/" in n]
        assert len(sheets) == NOTICES
        assert "store statement on the event loop" not in run.bot_log()
        code = await run.stop_bot()
        assert code == 0, run.bot_log()[-3000:]
