"""The offline commands: check-config, ingest, publish, report, healthcheck.

Each returns a process exit code and prints for a person; errors are Chinese and on stderr.
"""

from __future__ import annotations

import functools
import html
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ParamSpec, TextIO

from sqlalchemy.exc import SQLAlchemyError

from briefbot.briefing import UnreadableDocument
from briefbot.briefing.explain import explain_parse
from briefbot.briefing.guard import DocumentLimits
from briefbot.briefing.model import to_jsonable
from briefbot.briefing.review import review
from briefbot.documents import parse_document_sync
from briefbot.durations import format_duration, parse_duration
from briefbot.ids import parse_id
from briefbot.publishing import Novelty, Parsed
from briefbot.publishing import publish_file as publish_parsed
from briefbot.render import MessageTooLong, RenderOptions, render_parts, visible_length
from briefbot.reports import format_csv, format_json, format_table, notice_report
from briefbot.settings import ConfigError, Settings, load_settings
from briefbot.store import open_store
from briefbot.store.notices import UnitRecord

_TAG = re.compile(r"<[^>]+>")
P = ParamSpec("P")


def _fail(message: str, err: TextIO | None = None) -> int:
    print(message, file=err or sys.stderr)
    return 1


def explain_store_errors(command: Callable[P, int]) -> Callable[P, int]:
    """A store that refuses (disk full, locked past the busy timeout, unreadable) gives one
    Chinese line and exit code 1, not a traceback."""

    @functools.wraps(command)
    def explained(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return command(*args, **kwargs)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:120]
            return _fail(f"数据库操作失败（{reason}）：请检查磁盘空间和数据库文件后重试，本次操作未完成。")
        except OSError as exc:  # the database's directory is missing, read-only or not a folder
            where = exc.filename or ""
            return _fail(
                f"无法使用数据库目录 {where}（{exc.strerror}）：请检查 storage.url 和目录权限。"
                f" The database directory cannot be used: {exc.strerror}."
            )

    return explained


def load_or_explain(path: str) -> Settings | None:
    try:
        return load_settings(path)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return None


def units_of(settings: Settings) -> list[UnitRecord]:
    return [UnitRecord(u.code, u.name, u.group, u.chat_id, u.liaisons) for u in settings.units]


def masked_url(url: str) -> str:
    """A database URL fit to print: any password replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # not a URL SQLAlchemy can read: hide whatever sits between "//user:" and "@"
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def check_config(path: str) -> int:
    settings = load_or_explain(path)
    if settings is None:
        return 2
    groups: dict[str, int] = {}
    for unit in settings.units:
        groups[unit.group or "未分组"] = groups.get(unit.group or "未分组", 0) + 1
    without_liaisons = [u.name for u in settings.units if not u.liaisons]
    f = settings.follow_up
    print(f"配置有效：{path}")
    print(f"  时区：{settings.timezone}")
    print(f"  办公室群：{settings.office.chat_id}，管理员 {len(settings.office.admins)} 人")
    print(
        f"  单位：{len(settings.units)} 个（"
        + "，".join(f"{g} {n}" for g, n in groups.items())
        + "）"
    )
    if without_liaisons:
        print(f"  未登记联络员（群内任何人可签收）：{'、'.join(without_liaisons)}")
    print(
        f"  签收时限：{format_duration(f.ack_within)}；每 {format_duration(f.remind_every)} 提醒一次，"
        f"最多 {f.max_reminders} 次；{'之后上报办公室' if f.escalate else '不上报办公室'}"
    )
    print(f"  数据库：{masked_url(settings.storage.url)}")
    print(f"  Telegram 接口：{settings.telegram.base_url}")
    return 0


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        print(f"找不到文件：{path}", file=sys.stderr)
    except OSError as exc:
        print(f"无法读取文件 {path}：{exc.strerror}", file=sys.stderr)
    return None


def _parse(path: str, failure: str, limits: DocumentLimits | None = None) -> Parsed | None:
    """Read and parse a briefing file (in a separate process, within ``limits``), explaining any
    problem on stderr."""
    data = _read(path)
    if data is None:
        return None
    try:
        return parse_document_sync(data, Path(path).name, limits)
    except UnreadableDocument as exc:
        _fail(f"{failure}：{exc}")
        return None


def ingest(path: str, as_json: bool, *, explain: bool = False) -> int:
    parsed = _parse(path, "无法解析简报")
    if parsed is None:
        return 1
    if explain:
        print(explain_parse(parsed.briefing))
        return 0
    try:
        parts = render_parts(parsed.briefing, RenderOptions(has_original=True))
    except MessageTooLong as exc:
        return _fail(f"无法生成消息：{exc}")
    plains = [html.unescape(_TAG.sub("", part)) for part in parts]
    if as_json:
        roles = [
            {"block": p.block, "role": p.role, "cue": p.cue, "text": p.text}
            for p in parsed.briefing.parts
        ]
        message = {
            "html": "\n\n".join(parts),
            "text": "\n\n".join(plains),
            "length": max(visible_length(p) for p in parts),
            "parts": [
                {"html": h, "text": t, "length": visible_length(h)}
                for h, t in zip(parts, plains, strict=True)
            ],
        }
        print(
            json.dumps(
                {
                    "briefing": {
                        k: v for k, v in to_jsonable(parsed.briefing).items() if k != "parts"
                    },
                    "roles": roles,
                    "review": to_jsonable(review(parsed.briefing, parts)),
                    "message": message,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for i, plain in enumerate(plains):
            if len(plains) > 1:
                print(f"----- 第{i + 1}/{len(plains)}条 -----")
            print(plain)
        print(
            f"\n（共 {len(parts)} 条消息，最长 {max(visible_length(p) for p in parts)} 字，单条上限 4096 字）"
        )
        checked = review(parsed.briefing, parts)
        print(checked.summary)
        for warning in checked.warnings:
            print(f"⚠️ {warning}")
    return 0


@explain_store_errors
def publish_file(path: str, config: str, now: datetime | None = None) -> int:
    settings = load_or_explain(config)
    if settings is None:
        return 2
    parsed = _parse(path, "无法发布", settings.documents.limits())
    if parsed is None:
        return 1
    store = open_store(settings.storage.url)
    try:
        store.notices.sync_units(units_of(settings))
        taken = publish_parsed(
            store,
            parsed,
            f"命令行：{Path(path).name}",
            settings.follow_up.ack_within,
            now or datetime.now(settings.tz),
            settings.follow_up.directive.ack_within,
        )
    except MessageTooLong as exc:
        return _fail(f"无法发布：{exc}")
    finally:
        store.close()
    if taken.published is None:
        print(
            f"该简报已发布过，通知编号 {taken.classified.notice_id}，未重复推送。", file=sys.stderr
        )
        print(taken.classified.notice_id)
        return 0
    result = taken.published
    if taken.classified.novelty is Novelty.CORRECTION:
        print(
            f"这是通知 {taken.classified.notice_id} 的更正版本，已作为更正发布。", file=sys.stderr
        )
    print(
        f"已发布，通知编号 {result.notice_id}，{result.queued} 个单位待推送（运行中的机器人会自动发送）。",
        file=sys.stderr,
    )
    print(result.notice_id)
    return 0


@explain_store_errors
def report(
    config: str,
    notice_id: int | None,
    fmt: str,
    output: str | None = None,
    now: datetime | None = None,
) -> int:
    settings = load_or_explain(config)
    if settings is None:
        return 2
    store = open_store(settings.storage.url)
    try:
        if notice_id is None:
            notice_id = store.notices.latest_id()
            if notice_id is None:
                return _fail("还没有发布过任何通知。")
        notice = store.notices.notice(notice_id)
        if notice is None:
            return _fail(f"找不到编号为 {notice_id} 的通知。")
        result = notice_report(
            store, notice, now or datetime.now(settings.tz), settings.working_time()
        )
    finally:
        store.close()
    text = {"table": format_table, "json": format_json, "csv": format_csv}[fmt](result)
    if output:
        # a BOM so that Excel opens the Chinese CSV correctly
        Path(output).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        print(f"已导出到 {output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def healthcheck(config: str, now: datetime | None = None) -> int:
    settings = load_or_explain(config)
    if settings is None:
        return 2
    if not settings.health.heartbeat_file:
        return _fail("未配置 health.heartbeat_file，无法检查。")
    path = Path(settings.health.heartbeat_file)
    try:
        first, *problems = path.read_text(encoding="utf-8").strip().splitlines()
        beat = datetime.fromisoformat(first.strip())
    except (OSError, ValueError):
        return _fail("没有心跳记录：机器人未在运行。")
    age = (now or datetime.now(settings.tz)) - beat
    if age > settings.health.stale_after:
        return _fail(f"心跳已停止 {int(age.total_seconds())} 秒。")
    problems = [p.strip() for p in problems if p.strip()]
    if problems:
        return _fail("机器人运行异常：" + "；".join(problems))
    print(f"正常：{int(age.total_seconds())} 秒前有心跳。")
    return 0


@explain_store_errors
def export(
    config: str, since: str | None, notices: str | None, output: str, now: datetime | None = None
) -> int:
    """The 签收单 of many notices as one XLSX workbook (one sheet per notice)."""
    from briefbot.bulk_export import export_notices

    settings = load_or_explain(config)
    if settings is None:
        return 2
    moment = now or datetime.now(settings.tz)
    store = open_store(settings.storage.url)
    try:
        if notices:
            parsed_ids = [parse_id(p) for p in notices.replace("，", ",").split(",") if p.strip()]
            if any(i is None for i in parsed_ids):
                return _fail("--notices 应写成以逗号分隔的通知编号，例如 3,4,5")
            ids = sorted({i for i in parsed_ids if i is not None})
        else:
            try:
                window = parse_duration(since or "7d")
            except ValueError as exc:
                return _fail(f"--since：{exc}")
            ids = [n.id for n in store.notices.published_since(moment - window)]
        missing = [i for i in ids if store.notices.notice(i) is None]
    finally:
        store.close()
    if missing:
        return _fail(f"找不到编号为 {'、'.join(map(str, missing))} 的通知。")
    if not ids:
        return _fail("这段时间没有发布通知。")
    Path(output).write_bytes(export_notices(settings, ids, moment))
    print(f"已导出 {len(ids)} 份通知的签收单到 {output}", file=sys.stderr)
    return 0


def migrate_store(source: str, target: str, batch: int = 1000) -> int:
    """``migrate-store --from URL --to URL``: copy the whole store, verify, one summary line."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from briefbot.store.transfer import TransferError, copy_store

    if batch < 1:
        return _fail("--batch 应为正整数。 --batch must be a positive number.")
    try:
        result = copy_store(source, target, batch=batch)
    except TransferError as exc:
        return _fail(str(exc))
    except (ArgumentError, ValueError) as exc:
        return _fail(f"数据库地址无效：{exc}。 Invalid database URL.")
    except SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        return _fail(
            f"迁移失败，目标数据库未写入：{reason}。 Copy failed, nothing written: {reason}."
        )
    print(
        f"迁移完成：{len(result.tables)} 张表、{result.rows} 行，逐表行数核对一致"
        f"（{masked_url(source)} → {masked_url(target)}）。"
        f" Copied {len(result.tables)} tables, {result.rows} rows; row counts verified."
    )
    return 0
