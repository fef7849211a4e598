"""Issue 9 (hardening): input that reaches HTML, spreadsheets, files and the command line."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from briefbot.durations import format_duration
from tests.conftest import BASE_CONFIG, ROOT, SHIPPED


def _bot(*args: str, cwd: Path, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """bot.py as an operator runs it, from a shell whose umask is the usual 022."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        preexec_fn=lambda: os.umask(umask),
    )


# ---------------------------------------------------------------- 18: durations shown honestly


def test_durations_under_an_hour_keep_their_seconds():
    assert format_duration(timedelta(seconds=90)) == "1分30秒"
    assert format_duration(timedelta(seconds=600)) == "10分钟"
    assert format_duration(timedelta(seconds=3599)) == "59分59秒"
    assert format_duration(timedelta(hours=1, minutes=30)) == "1小时30分钟"


# ---------------------------------------------------------------- 9: CSV formula injection


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    from briefbot.reports import csv_safe

    for hostile in ('=HYPERLINK("http://x","点此查看")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(hostile) == "'" + hostile
    for fine in ("已转分管领导", "", "1小时", "A-B"):
        assert csv_safe(fine) == fine


async def test_a_hostile_comment_lands_in_the_csv_as_text(app, emulator):
    from briefbot.publishing import parse_file, publish_file
    from briefbot.reports import format_csv, notice_report
    from schedules.dispatcher import Dispatcher
    from tests.botkit import DONGJIANG, LIAISON, feed, message_json, services_of

    svc = services_of(app)
    publish_file(
        svc.store, parse_file(SHIPPED.read_bytes(), "b.txt"), "测试", timedelta(hours=4), svc.now()
    )
    await Dispatcher().run(app.bot, svc)
    comment = '=HYPERLINK("http://evil.example","点此查看")'
    await feed(app, {"message": message_json(DONGJIANG, LIAISON, f"/ack 1 {comment}")})
    notice = svc.store.notices.notice(1)
    assert notice is not None
    report = notice_report(svc.store, notice, svc.now(), svc.settings.working_time())
    rows = list(csv.reader(io.StringIO(format_csv(report))))
    cells = [c for row in rows[1:] for c in row]
    assert "'" + comment in cells
    assert not any(c.startswith("=") for c in cells)


# ---------------------------------------------------------------- 13: umask 027


def test_files_the_bot_writes_are_not_world_readable(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(BASE_CONFIG % {"db": tmp_path / "bot.db"}, encoding="utf-8")
    published = _bot("publish", str(SHIPPED), "--config", str(config), cwd=tmp_path)
    assert published.returncode == 0, published.stderr
    out = tmp_path / "签收单.csv"
    reported = _bot(
        "report", "--config", str(config), "--format", "csv", "--output", str(out), cwd=tmp_path
    )
    assert reported.returncode == 0, reported.stderr
    for path in (tmp_path / "bot.db", out):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, f"{path.name} is {oct(mode)}"


# ---------------------------------------------------------------- 14: check-config hides passwords


def test_check_config_masks_the_database_password(tmp_path):
    config = tmp_path / "config.yaml"
    text = BASE_CONFIG % {"db": tmp_path / "bot.db"}
    text = text.replace(
        f'storage: {{url: "sqlite:///{tmp_path / "bot.db"}"}}',
        'storage: {url: "postgresql+psycopg://briefbot:s3cr3t-Pa55@db.internal:5432/briefbot"}',
    )
    config.write_text(text, encoding="utf-8")
    result = _bot("check-config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "s3cr3t-Pa55" not in result.stdout + result.stderr
    assert "postgresql+psycopg://briefbot:***@db.internal:5432/briefbot" in result.stdout
