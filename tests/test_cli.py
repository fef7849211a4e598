"""The command line as an operator runs it: real subprocesses of bot.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    BASE_CONFIG,
    ROOT,
    SAMPLE,
    SHIPPED,
    base_config,
    database_url,
    needs_sample,
)


def bot(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_help_lists_every_command():
    out = bot("--help").stdout
    for command in ("run", "demo", "check-config", "ingest", "publish", "report"):
        assert command in out
    for command in ("run", "demo", "check-config", "ingest", "publish", "report"):
        assert bot(command, "--help").returncode == 0


@needs_sample
def test_ingest_json_of_the_real_sample():
    result = bot("ingest", str(SAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    b = data["briefing"]
    assert (b["title"], b["issue"]["number"], b["date"], b["issuer"]) == (
        "“五型”政府建设简报",
        13,
        "2018-11-23",
        "省“五型”政府建设领导小组办公室",
    )
    [d] = b["directives"]
    assert (d["leader"], d["title"], d["date"]) == ("易炼红", "省长", "2018-11-19")
    assert d["text"].startswith("全省‘五型’政府建设启动以来") and d["text"].endswith(
        "作出新的更大贡献。"
    )
    assert d["text"] in data["message"]["text"] and data["message"]["length"] <= 4096


def test_ingest_refuses_bad_files_in_chinese(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.5 scanned")
    result = bot("ingest", str(tmp_path / "x.pdf"))
    assert (
        result.returncode == 1
        and "PDF 文件已损坏" in result.stderr
        and "Traceback" not in result.stderr
    )
    result = bot("ingest", str(tmp_path / "missing.txt"))
    assert result.returncode == 1 and "找不到文件" in result.stderr


def test_malformed_config_is_refused_and_nothing_is_created(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (BASE_CONFIG % {"db": tmp_path / "bot.db"}).replace(
            "max_reminders: 2", "max_reminders: 两次"
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "BOT_TOKEN": "1:abcdefghijklmnopqrstuvwxyz"}
    for args in (
        ("run", "--config", str(bad)),
        ("check-config", str(bad)),
        ("publish", str(SHIPPED), "--config", str(bad)),
    ):
        result = bot(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2
        assert "第 8 行" in result.stderr and "follow_up.max_reminders" in result.stderr
        assert "应为整数" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "bot.db").exists()


def test_run_without_token_is_refused(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(BASE_CONFIG % {"db": tmp_path / "bot.db"}, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = bot("run", "--config", str(good), env=env, cwd=tmp_path)
    assert result.returncode == 2 and "BOT_TOKEN" in result.stderr


def test_check_config_summary():
    result = bot("check-config", str(ROOT / "config.example.yaml"))
    assert result.returncode == 0
    assert "单位：3 个（设区市 2，省直部门 1）" in result.stdout
    assert "签收时限：4小时；每 2小时 提醒一次，最多 3 次；之后上报办公室" in result.stdout


def test_publish_then_report_in_every_format(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(base_config(tmp_path), encoding="utf-8")
    first = bot("publish", str(SHIPPED), "--config", str(config), cwd=tmp_path)
    assert (
        first.returncode == 0 and first.stdout.strip() == "1" and "3 个单位待推送" in first.stderr
    )
    again = bot("publish", str(SHIPPED), "--config", str(config), cwd=tmp_path)
    assert again.stdout.strip() == "1" and "已发布过" in again.stderr
    table = bot("report", "--config", str(config), cwd=tmp_path)
    assert "共 3 个单位：待送达 3" in table.stdout
    data = json.loads(
        bot("report", "--config", str(config), "--format", "json", cwd=tmp_path).stdout
    )
    assert [u["status"] for u in data["units"]] == ["待送达"] * 3
    out = tmp_path / "签收单.csv"
    bot("report", "--config", str(config), "--format", "csv", "--output", str(out), cwd=tmp_path)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "单位代码" in out.read_text("utf-8-sig")
    missing = bot("report", "--config", str(config), "--notice", "9", cwd=tmp_path)
    assert missing.returncode == 1 and "找不到编号为 9 的通知" in missing.stderr


@pytest.mark.parametrize("age_s,code", [(5, 0), (500, 1)])
def test_healthcheck(tmp_path, age_s, code):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    beat = tmp_path / "hb"
    beat.write_text(
        (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(seconds=age_s)).isoformat()
    )
    config = tmp_path / "c.yaml"
    config.write_text(
        BASE_CONFIG % {"db": tmp_path / "bot.db"} + f"health: {{heartbeat_file: '{beat}'}}\n",
        encoding="utf-8",
    )
    assert bot("healthcheck", "--config", str(config)).returncode == code


def test_rejected_token_is_explained_and_never_printed(tmp_path):
    import asyncio

    from tgemu.server import EmulatorServer

    async def scenario() -> subprocess.CompletedProcess[str]:
        server = EmulatorServer()  # knows no bot: every token is rejected
        await server.start()
        config = tmp_path / "c.yaml"
        config.write_text(
            BASE_CONFIG % {"db": tmp_path / "bot.db"}
            + f"telegram: {{base_url: '{server.base_url}/bot'}}\n",
            encoding="utf-8",
        )
        token = "1234567:SECRET-token-that-must-never-appear-xx"
        try:
            return await asyncio.to_thread(
                bot,
                "run",
                "--config",
                str(config),
                env={**os.environ, "BOT_TOKEN": token},
                cwd=tmp_path,
            )
        finally:
            await server.stop()

    result = asyncio.run(scenario())
    assert result.returncode == 2 and "令牌" in result.stderr
    assert "SECRET-token" not in result.stderr + result.stdout


def test_log_formatter_redacts_tracebacks():
    import logging

    from bot import RedactingFormatter

    try:
        raise RuntimeError(
            "The token `1234567:SECRET-token-that-must-never-appear-xx` was rejected"
        )
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = RedactingFormatter("%(message)s").format(record)
    assert "Traceback" in text and "SECRET-token" not in text and "<token>" in text


def test_export_of_several_notices(tmp_path):
    from openpyxl import load_workbook

    from briefbot.export import sheet_name
    from briefbot.store import open_store
    from tests.botkit import xlsx_rows
    from tests.fixtures.builders import txt
    from tests.fixtures.synthetic import ALL

    config = tmp_path / "c.yaml"
    config.write_text(base_config(tmp_path), encoding="utf-8")
    for i, s in enumerate(ALL):
        (tmp_path / f"{i}.txt").write_bytes(txt(s))
        assert (
            bot(
                "publish", str(tmp_path / f"{i}.txt"), "--config", str(config), cwd=tmp_path
            ).returncode
            == 0
        )
    out = tmp_path / "签收单.xlsx"
    result = bot("export", "--config", str(config), "--output", str(out), cwd=tmp_path)
    assert result.returncode == 0 and "已导出 3 份通知" in result.stderr
    book = load_workbook(out)
    # sheets are named after the notices' labels (issue 10), in order
    store = open_store(database_url(tmp_path))
    used: set[str] = set()
    labels = [store.notices.notice(i).label for i in (1, 2, 3)]
    store.close()
    assert book.sheetnames == [sheet_name(label, i, used) for i, label in enumerate(labels, 1)]
    second = xlsx_rows(out.read_bytes(), book.sheetnames[1])
    assert [r["状态"] for r in second.values()] == ["待送达"] * 3
    bad = bot(
        "export", "--config", str(config), "--notices", "1,9", "--output", str(out), cwd=tmp_path
    )
    assert bad.returncode == 1 and "找不到编号为 9 的通知" in bad.stderr


def test_pipelined_export_matches_the_single_process_one(tmp_path, store, settings):
    """More notices than one chunk: the worker-process path gives the same sheets, in order."""
    import io as _io
    from datetime import timedelta

    from openpyxl import load_workbook

    from briefbot.bulk_export import CHUNK, export_notices
    from briefbot.export import sheet_name
    from briefbot.publishing import parse_file, publish_file
    from tests.conftest import at
    from tests.fixtures.builders import txt
    from tests.fixtures.synthetic import ALL

    count = 0
    for i in range(CHUNK + 2):
        s = ALL[i % len(ALL)]
        text = txt(s).decode().replace(s.masthead[1], f"{s.masthead[1]}（{i}）")
        publish_file(
            store,
            parse_file(text.encode(), f"{i}.txt"),
            "测试",
            timedelta(hours=4),
            at("2025-12-01 09:00"),
        )
        count += 1
    ids = list(range(1, count + 1))
    book = load_workbook(_io.BytesIO(export_notices(settings, ids, at("2025-12-02 09:00"))))
    used: set[str] = set()  # named after the notices (issue 10), in the given order
    assert book.sheetnames == [sheet_name(store.notices.notice(i).label, i, used) for i in ids]


@pytest.mark.skipif(
    os.environ.get("BRIEFBOT_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the database directory is a SQLite matter",
)
def test_an_unusable_database_directory_is_one_line_for_every_command(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(BASE_CONFIG % {"db": blocker / "bot.db"}, encoding="utf-8")
    for args in (
        ("publish", str(SHIPPED)),
        ("report",),
        ("export", "--output", str(tmp_path / "x.xlsx")),
    ):
        result = bot(*args, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().startswith("无法使用数据库目录"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
