"""Settings: one YAML file validated once at start into frozen pydantic models.

Every error names the key path and the line of the file, in Chinese, because the people who edit
the file are office staff. The bot token is never read from here: it comes from ``BOT_TOKEN``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from briefbot.briefing.guard import DocumentLimits
from briefbot.durations import parse_duration
from briefbot.workcal import ChineseCalendar, EveryDay, WorkingTime, parse_periods

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]

TELEGRAM_API = "https://api.telegram.org/bot"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Telegram delivers webhooks over HTTPS to these ports only (setWebhook)
WEBHOOK_PORTS = (443, 80, 88, 8443)
# setWebhook's secret_token: 1-256 of A-Z, a-z, 0-9, _ and -; we ask for 16 at least
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,256}")
SECRET_TOKEN_HINT = (
    "16–256 个字符，只能用字母、数字、_ 和 -"
    "（可用 python3 -c 'import secrets; print(secrets.token_urlsafe(32))' 生成）"
)
_WEBHOOK_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")


class WebhookSettings(_Frozen):
    """``bot.py run --webhook``: PTB's own web server receives Telegram's updates. It speaks
    plain HTTP on ``listen:port``; a reverse proxy in front of it terminates TLS at ``url``."""

    listen: str = "127.0.0.1"  # the address the bot's web server binds (the proxy's upstream)
    port: int = Field(default=8080, ge=1, le=65535)
    # the path the bot's server answers; leave out to use the path of `url`
    path: str | None = None
    # the public HTTPS address Telegram posts to (the reverse proxy's)
    url: str | None = None
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token with every update; any request
    # without it is refused (403). Better given as WEBHOOK_SECRET in the environment
    secret_token: str | None = None
    max_connections: int = Field(default=40, ge=1, le=100)  # Telegram's, per bot
    # how often the bot asks Telegram for the webhook's state (getWebhookInfo): a refused token
    # is noticed, a webhook removed by someone else is set again, delivery errors are logged
    check_every: Duration = timedelta(seconds=30)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("应为完整的网址，例如 https://bot.example.org/telegram/webhook")
        try:
            _ = parts.port
        except ValueError:
            raise ValueError("网址中的端口不对") from None
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not _WEBHOOK_PATH.fullmatch(value):
            raise ValueError("应以 / 开头，只能用字母、数字和 . _ ~ / -")
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and not SECRET_TOKEN.fullmatch(value):
            raise ValueError(f"密钥格式不对：{SECRET_TOKEN_HINT}")
        return value

    @property
    def local_path(self) -> str:
        """The path the bot's own server answers: ``path``, else the path of ``url``."""
        if self.path is not None:
            return self.path
        path = urlsplit(self.url).path if self.url else ""
        return path or "/"


class TelegramSettings(_Frozen):
    base_url: str = TELEGRAM_API
    base_file_url: str | None = None
    overall_rate: float = Field(default=30, gt=0, description="messages per second, whole bot")
    # send notices with allow_paid_broadcast: Telegram then allows up to 1 000 messages/s and
    # charges Telegram Stars for them (PTB throttles such requests separately)
    paid_broadcast: bool = False
    group_rate_per_minute: float = Field(default=20, gt=0)
    # pace this far under the limits: requests leave with a few ms of jitter, and a bot pacing at
    # exactly 30/s meets a 429 whenever two of them arrive closer than 1/30 s (measured: 28 429s
    # in a 300-unit push at 0 % margin, none at 2 %)
    rate_margin: float = Field(default=0.02, ge=0, lt=0.5)
    max_retries: int = Field(default=2, ge=0, description="RetryAfter retries inside PTB")
    poll_timeout: int = Field(default=10, ge=0, le=50)
    # Telegram refusing the token (401) is treated as an outage: polling and sending retry with
    # backoff and the health check fails; after this long the bot exits non-zero so that a
    # supervisor can act
    token_refused_exit_after: Duration = timedelta(hours=1)
    webhook: WebhookSettings = WebhookSettings()

    @model_validator(mode="after")
    def _webhook_reachable(self) -> TelegramSettings:
        """Telegram itself posts only to HTTPS on ports 443, 80, 88 and 8443; a local Bot API
        server (or the emulator) also to plain HTTP and any port."""
        url = self.webhook.url
        if url is None or self.base_url != TELEGRAM_API:
            return self
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValueError("webhook.url 必须是 https:// 地址：Telegram 只向 HTTPS 推送更新")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise ValueError(
                "webhook.url 的端口只能是 443、80、88 或 8443（Telegram 的限制）；"
                "反向代理可以转发到任意本地端口"
            )
        return self

    @property
    def file_url(self) -> str:
        if self.base_file_url:
            return self.base_file_url
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("/bot")] + "/file/bot"
        return self.base_url.rstrip("/") + "/file/bot"


class StorageSettings(_Frozen):
    url: str = "sqlite:///data/bot.db"


class OfficeSettings(_Frozen):
    chat_id: int
    admins: tuple[int, ...] = Field(min_length=1)
    invite_valid_for: Duration = timedelta(hours=72)  # /invite codes expire after this


class UnitSettings(_Frozen):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1)
    group: str = ""
    # the unit's group; leave out to bind it by invitation (/invite in the office chat, then
    # /subscribe CODE in the unit's group)
    chat_id: int | None = None
    liaisons: tuple[int, ...] = ()
    # the unit's leader (a Telegram user id who has started the bot): told privately when the
    # unit is escalated to the office
    leader: int | None = None


class StricterPolicy(_Frozen):
    """What differs for notices that carry a leader's directive."""

    ack_within: Duration | None = None
    remind_every: Duration | None = None
    max_reminders: int | None = Field(default=None, ge=0, le=20)


class FollowUpSettings(_Frozen):
    # counted in working time when the calendar is on
    ack_within: Duration = timedelta(hours=4)
    remind_every: Duration = timedelta(hours=2)
    max_reminders: int = Field(default=3, ge=0, le=20)
    escalate: bool = True
    check_every: Duration = timedelta(minutes=1)
    directive: StricterPolicy = StricterPolicy()
    undo_within: Duration = timedelta(minutes=10)  # a liaison may take back an ack this long
    digest_at: time | None = time(9, 0)  # daily digest to the office on working days; null: off


class CalendarSettings(_Frozen):
    """Working days and hours. ``enabled: false`` makes every hour count (rehearsal, tests)."""

    enabled: bool = True
    working_hours: tuple[str, ...] = ("08:30-12:00", "14:30-18:00")
    extra_holidays: tuple[date, ...] = ()  # days off the calendar package does not know yet
    extra_workdays: tuple[date, ...] = ()  # 调休 make-up working days likewise

    @field_validator("working_hours")
    @classmethod
    def _periods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        parse_periods(value)
        return value


class DeliverySettings(_Frozen):
    concurrency: int = Field(default=8, ge=1, le=64, description="sends in flight at once")
    poll_every: Duration = timedelta(seconds=1)
    retry_for: Duration = timedelta(hours=1)
    # the office's progress message is edited at most this often (the group allows ~20 edits/min)
    progress_every: Duration = timedelta(seconds=5)
    # pin each new notice in the unit's group (quietly); where the bot may not pin, it is skipped
    pin_notices: bool = True

    @field_validator("progress_every")
    @classmethod
    def _edit_budget(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=3):
            raise ValueError("不能小于 3s：办公室群每分钟最多约 20 次发送或编辑")
        return value


class HealthSettings(_Frozen):
    heartbeat_file: str | None = "data/heartbeat"
    every: Duration = timedelta(seconds=30)
    stale_after: Duration = timedelta(seconds=120)


class ReplicaSettings(_Frozen):
    """Several ``bot.py run`` processes on one PostgreSQL store (SQLite has exactly one)."""

    # a replica silent this long is dead: another resumes the deliveries it had in flight
    lease: Duration = timedelta(seconds=30)
    # how often each replica renews its lease and tries for the leader and poller roles
    check_every: Duration = timedelta(seconds=2)

    @model_validator(mode="after")
    def _renewed_in_time(self) -> ReplicaSettings:
        if self.check_every <= timedelta(0) or self.check_every * 3 > self.lease:
            raise ValueError("check_every 必须大于 0，且不超过 lease 的三分之一")
        return self


class FeedSettings(_Frozen):
    url: str = Field(pattern=r"^https?://")
    every: Duration = timedelta(minutes=10)
    backfill: bool = False  # on the first poll, also take the items already listed


class SourcesSettings(_Frozen):
    inbox: str | None = None  # folder watched for briefing files
    inbox_every: Duration = timedelta(seconds=30)
    # False: every file from the inbox or a feed is previewed to the office for 发布/取消
    auto_publish: bool = False
    feeds: tuple[FeedSettings, ...] = ()
    fetch_timeout: Duration = timedelta(seconds=20)
    max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # a feed's RSS/Atom or listing page: larger ones are refused before parsing
    max_listing_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    # fetch feeds and their items from loopback and private addresses (an intranet portal);
    # off, a feed cannot be used to reach the bot's own network (SSRF)
    allow_private_feeds: bool = False


class DocumentSettings(_Frozen):
    """What one briefing file may cost to read (uploads, inbox, feeds, the CLI alike)."""

    max_unzipped_mb: int = Field(default=100, gt=0)  # a .docx's parts together, uncompressed
    max_xml_mb: int = Field(default=16, gt=0)  # its XML parts, uncompressed (zip bombs)
    max_zip_entries: int = Field(default=2000, gt=0)
    max_pages: int = Field(default=300, gt=0)
    max_chars: int = Field(default=1_000_000, gt=0)
    parse_timeout: Duration = timedelta(seconds=30)  # the parser process is killed after this
    parse_memory_mb: int = Field(default=1024, ge=256)  # its address space (RLIMIT_AS)

    def limits(self) -> DocumentLimits:
        mb = 1024 * 1024
        return DocumentLimits(
            max_unzipped_bytes=self.max_unzipped_mb * mb,
            max_xml_bytes=self.max_xml_mb * mb,
            max_zip_entries=self.max_zip_entries,
            max_pages=self.max_pages,
            max_chars=self.max_chars,
            timeout_seconds=self.parse_timeout.total_seconds(),
            memory_bytes=self.parse_memory_mb * mb,
        )


class Settings(_Frozen):
    timezone: str = "Asia/Shanghai"
    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    office: OfficeSettings
    units: tuple[UnitSettings, ...] = Field(min_length=1)
    follow_up: FollowUpSettings = FollowUpSettings()
    calendar: CalendarSettings = CalendarSettings()
    delivery: DeliverySettings = DeliverySettings()
    sources: SourcesSettings = SourcesSettings()
    documents: DocumentSettings = DocumentSettings()
    health: HealthSettings = HealthSettings()
    replicas: ReplicaSettings = ReplicaSettings()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区“{value}”，例如 Asia/Shanghai") from None
        return value

    @model_validator(mode="after")
    def _unique_units(self) -> Settings:
        _no_duplicates((u.code for u in self.units), "单位代码")
        _no_duplicates((u.chat_id for u in self.units if u.chat_id is not None), "单位群 chat_id")
        if any(u.chat_id == self.office.chat_id for u in self.units):
            raise ValueError("办公室群的 chat_id 不能同时是单位群")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def working_time(self) -> WorkingTime:
        """The office's working time. One object per calendar setting, kept for the process:
        it caches day lookups, and the calendar's fallback warning must come once per year,
        not once per job run."""
        return _working_time(self.calendar, self.timezone)


@functools.lru_cache(maxsize=8)
def _working_time(calendar: CalendarSettings, timezone: str) -> WorkingTime:
    zone = ZoneInfo(timezone)
    if not calendar.enabled:
        return WorkingTime(EveryDay(), zone)
    return WorkingTime(
        ChineseCalendar(frozenset(calendar.extra_holidays), frozenset(calendar.extra_workdays)),
        zone,
        parse_periods(calendar.working_hours),
    )


def _no_duplicates(values: Iterable[object], what: str) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what}重复：{value}")
        seen.add(value)


class ConfigError(Exception):
    """A config file that cannot be used. ``str()`` is a Chinese message for the operator."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("配置有误：\n" + "\n".join(f"  - {p}" for p in self.problems))


_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的配置项（请检查拼写）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "string_type": "应为文本",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "model_type": "应为键值映射（key: value）",
    "dict_type": "应为键值映射（key: value）",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对（只能用小写字母、数字、-、_）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
}


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind in ("value_error", "assertion_error"):
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    else:
        template = _MESSAGES.get(kind, error["msg"])
        message = template.format(**error.get("ctx", {}))
    if kind not in ("missing", "extra_forbidden") and "input" in error:
        shown = error["input"]
        if not isinstance(shown, dict | list | tuple):
            message += f"（实际为“{shown}”）"
    return message


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """Follow a pydantic error location through the YAML node tree; return a 1-based line."""
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    # an unknown key is best shown on the key itself
                    node = value
                    line = int(key.start_mark.line) + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            return line
    return line


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（整个文件）"


def parse_settings(text: str, source: str = "配置文件") -> Settings:
    """Validate YAML text into Settings, or raise ConfigError with Chinese, line-numbered problems."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        problem = getattr(exc, "problem", exc)
        raise ConfigError([f"{source} {where}：YAML 语法错误（{problem}）"]) from None
    if root is None:
        raise ConfigError([f"{source}：文件是空的"])
    data = yaml.SafeLoader("").construct_document(root)
    if not isinstance(data, dict):
        raise ConfigError([f"{source} 第 1 行：顶层应为键值映射（key: value）"])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not isinstance(p, str) or p[:1] != "[")
            line = _line_of(root, loc)
            where = f"第 {line} 行" if line else ""
            problems.append(f"{source} {where}：{_path(loc)}：{_describe(error)}")
        raise ConfigError(problems) from None


def load_settings(path: str | Path) -> Settings:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([f"找不到配置文件：{path}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"配置文件不是 UTF-8 编码：{path}"]) from None
    except OSError as exc:
        raise ConfigError([f"无法读取配置文件 {path}：{exc.strerror}"]) from None
    return parse_settings(text, source=f"配置文件 {path.name}")


_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{20,}")


def redact_token(text: str) -> str:
    """Remove anything that looks like a bot token from a string meant for logs."""
    return _TOKEN.sub("<token>", text)
