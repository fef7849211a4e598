"""Entry point: the command line and the wiring of the Telegram application. No logic lives here."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from briefbot import cli
from briefbot.logs import OneLineNetworkErrors
from briefbot.settings import Settings, redact_token

if TYPE_CHECKING:
    from briefbot.webhook import WebhookPlan


_WRONG_SECRET = re.compile(r"(wrong secret token: )\S+")


class RedactingFormatter(logging.Formatter):
    """Formats, then removes anything token-like: from messages and from tracebacks alike
    (PTB's InvalidToken message, for one, quotes the token), and the given secrets (the webhook's
    secret token: PTB's debug log shows setWebhook's parameters)."""

    def __init__(self, fmt: str, secrets: Sequence[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        text = redact_token(super().format(record))
        for secret in self._secrets:
            text = text.replace(secret, "<secret>")
        # PTB's debug line quotes a refused request's token, which may be close to ours (an old
        # one after a change, or ours with a typo)
        return _WRONG_SECRET.sub(r"\1<redacted>", text)


def setup_logging(level: str = "INFO", secrets: Sequence[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(OneLineNetworkErrors())  # a 502 HTML page: one line, not two tracebacks
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL, and a Bot API URL contains the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def build_application(settings: Settings, token: str, webhook: WebhookPlan | None = None) -> Any:
    import asyncio

    import httpx
    from telegram.constants import ParseMode
    from telegram.ext import Application, ApplicationBuilder, Defaults

    import handlers
    import schedules
    from briefbot import offloop
    from briefbot.health import Health
    from briefbot.runtime import Services, system_clock
    from briefbot.store import open_store
    from handlers import replication
    from handlers.context import install, services
    from handlers.menus import set_menus
    from handlers.ratelimit import GroupLruRateLimiter
    from handlers.transport import WatchedRequest
    from schedules import clockwatch

    health = Health()
    clock = system_clock(settings)

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        # store calls run in threads (briefbot.offloop), sized for a store locked for seconds
        asyncio.get_running_loop().set_default_executor(offloop.executor())
        store = open_store(settings.storage.url)
        store.notices.sync_units(cli.units_of(settings))
        # deliveries left in flight, the lease and the roles of a replica (briefbot.replicas)
        await replication.start(app, store, settings.replicas, clock)
        http = httpx.AsyncClient(
            headers={"User-Agent": "briefbot/0.1 (+feed reader)"},
            timeout=settings.sources.fetch_timeout.total_seconds(),
        )
        install(
            app,
            Services(settings=settings, store=store, clock=clock, http=http, health=health),
        )
        # logs any store statement run on the loop's thread
        app.bot_data[offloop.WATCH_KEY] = offloop.LoopWatch(store.engine)
        # APScheduler plans on the wall clock: re-arm its jobs if that clock steps
        app.bot_data["clock_watch"] = clockwatch.start(app, clock)
        await set_menus(app.bot, settings)  # per chat: office, unit groups, private chats

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await clockwatch.stop(app.bot_data.pop("clock_watch", None))
        await replication.stop(app)
        if "services" in app.bot_data:
            services_ = app.bot_data["services"]
            if services_.http is not None:
                await services_.http.aclose()
            services_.store.close()

    pace = 1 - settings.telegram.rate_margin
    rate_limiter = GroupLruRateLimiter(
        overall_max_rate=settings.telegram.overall_rate * pace,
        overall_time_period=1,
        group_max_rate=settings.telegram.group_rate_per_minute * pace,
        group_time_period=60,
        max_retries=settings.telegram.max_retries,
    )
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .rate_limiter(rate_limiter)
        # every answer is watched for a refused token (401): an outage, not a verdict
        .request(
            WatchedRequest(health, clock, connection_pool_size=settings.delivery.concurrency + 8)
        )
        .get_updates_request(
            WatchedRequest(
                health,
                clock,
                polling=True,
                connection_pool_size=1,
                read_timeout=settings.telegram.poll_timeout + 10,
            )
        )
        # updates of different chats are handled concurrently, of one chat in order
        # … and, with replicas, each update by one of them only
        .concurrent_updates(replication.OncePerUpdate())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    _ = services  # accessor used by handlers; imported here so a wiring error shows at start
    replication.install(application)  # polls only while this replica is the poller
    handlers.register(application)
    schedules.register(application, settings)
    if webhook is not None:
        from schedules import webhook_watch

        webhook_watch.register(application, webhook)  # the token outage, a lost webhook
    return application


async def wait_for_telegram(app: Any, first_delay: float = 1.0) -> None:
    """Initialise the application (getMe), retrying with backoff while Telegram is unreachable:
    a bot started during a network outage waits for it to end instead of exiting. A refused
    token is no outage: it propagates."""
    from telegram.error import InvalidToken, TelegramError

    from briefbot.startup import keep_trying

    await keep_trying(
        app.initialize,
        "Telegram unreachable at start",
        retryable=(TelegramError,),
        fatal=(InvalidToken,),
        first_delay=first_delay,
    )


def run(config: str, webhook: bool = False) -> int:
    settings = cli.load_or_explain(config)
    if settings is None:
        return 2
    token = os.environ.get("BOT_TOKEN", "").strip()
    if not token:
        print("未设置环境变量 BOT_TOKEN（机器人令牌），无法启动。", file=sys.stderr)
        return 2
    plan = None
    if webhook:
        from briefbot.webhook import WebhookRefused, webhook_plan

        try:
            plan = webhook_plan(settings, os.environ)
        except WebhookRefused as exc:
            print(str(exc), file=sys.stderr)
            return 2
    from briefbot.runlock import InstanceLock, StartupError, check_database_dir

    lock = InstanceLock.for_database(settings.storage.url)
    try:
        check_database_dir(settings.storage.url)
        if lock is not None:
            lock.acquire()
    except StartupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        return _run_locked(settings, token, plan)
    finally:
        if lock is not None:
            lock.release()


def _run_locked(settings: Settings, token: str, webhook: WebhookPlan | None) -> int:
    import asyncio

    from sqlalchemy.exc import SQLAlchemyError
    from telegram.error import InvalidToken, TelegramError

    from briefbot.webhook import ALLOWED_UPDATES, WebhookRefused, check_listen

    setup_logging(
        os.environ.get("LOG_LEVEL", "INFO"), secrets=[webhook.secret_token] if webhook else []
    )
    app = build_application(settings, token, webhook)
    logging.getLogger("bot").info(
        "starting: %d units, office chat %s, api %s, %s",
        len(settings.units),
        settings.office.chat_id,
        settings.telegram.base_url,
        f"webhook {webhook.url} served on {webhook.address}" if webhook else "long polling",
    )
    from briefbot.durations import format_duration

    try:
        if webhook is not None:
            check_listen(webhook)  # a port taken: said before Telegram is told to post there
        # run_polling carries on with the loop set here (and skips initialising again)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(wait_for_telegram(app))
            if webhook is not None:
                from handlers.webhook import register_webhook

                loop.run_until_complete(register_webhook(app.bot, webhook))
        except KeyboardInterrupt:
            return 0
        if webhook is None:
            app.run_polling(
                timeout=settings.telegram.poll_timeout,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
                bootstrap_retries=-1,  # deleteWebhook at start: retried too (a refused token is not)
            )
        else:
            # PTB's server (tornado), plain HTTP behind the TLS proxy; every request without the
            # secret in X-Telegram-Bot-Api-Secret-Token is answered 403 and dropped
            app.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=webhook.path,
                webhook_url=webhook.url,
                secret_token=webhook.secret_token,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=webhook.max_connections,
                drop_pending_updates=False,
                bootstrap_retries=-1,  # setWebhook again as the server starts: retried too
            )
    except WebhookRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except InvalidToken:
        print("机器人令牌（BOT_TOKEN）被 Telegram 拒绝，请检查后重试。", file=sys.stderr)
        return 2
    except TelegramError as exc:
        logging.getLogger("bot").error("could not start: %s", exc)
        print(
            f"无法连接 Telegram（{settings.telegram.base_url}）：{redact_token(str(exc))}",
            file=sys.stderr,
        )
        return 1
    except SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        print(
            f"数据库无法使用（{cli.masked_url(settings.storage.url)}）：{reason}。"
            f" The database cannot be used: {reason}.",
            file=sys.stderr,
        )
        return 1
    code = int(app.bot_data.get("exit_code", 0))
    if code:
        print(
            "Telegram 持续拒绝机器人令牌（BOT_TOKEN）超过 "
            f"{format_duration(settings.telegram.token_refused_exit_after)}，机器人已退出，请检查令牌。",
            file=sys.stderr,
        )
    return code


def notice_id_arg(text: str) -> int:
    """argparse type for a notice id: ASCII digits in range, else a Chinese usage error."""
    from briefbot.ids import ID_HINT, parse_id

    value = parse_id(text)
    if value is None:
        raise argparse.ArgumentTypeError(ID_HINT)
    return value


FILE_UMASK = 0o027  # the database (original briefings), exports, heartbeat: not world-readable


def main(argv: list[str] | None = None) -> int:
    os.umask(FILE_UMASK)
    # opt in to PTB's timedelta-typed durations (RetryAfter.retry_after) ahead of PTB 23
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = argparse.ArgumentParser(
        prog="bot.py", description="简报推送与签收机器人 (briefing push and acknowledgement bot)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the bot (long polling); token from $BOT_TOKEN")
    p.add_argument("--config", required=True, help="YAML settings file")
    p.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook (telegram.webhook in the config; secret from "
        "$WEBHOOK_SECRET) instead of long polling",
    )

    p = sub.add_parser("demo", help="offline rehearsal against the local Telegram emulator")
    p.add_argument("--seed", type=int, default=7, help="random seed for the simulated liaisons")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder for inspection")

    p = sub.add_parser("check-config", help="validate a settings file and print a summary")
    p.add_argument("file")

    p = sub.add_parser("ingest", help="parse a briefing and show what units would receive")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the structure and message as JSON")
    p.add_argument(
        "--explain", action="store_true", help="print every block with its role and deciding cue"
    )

    p = sub.add_parser("publish", help="store a briefing and queue it for every unit")
    p.add_argument("file")
    p.add_argument("--config", required=True)

    p = sub.add_parser("report", help="the ack list of a notice (latest by default)")
    p.add_argument("--config", required=True)
    p.add_argument("--notice", type=notice_id_arg, help="notice id (default: the latest)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--output", help="write to this file instead of standard output")

    p = sub.add_parser("export", help="the 签收单 of many notices as one XLSX workbook")
    p.add_argument("--config", required=True)
    p.add_argument(
        "--since", help="notices published within this period, e.g. 7d, 30d (default 7d)"
    )
    p.add_argument("--notices", help="or these notice ids, e.g. 3,4,5")
    p.add_argument("--output", required=True, help="the .xlsx file to write")

    p = sub.add_parser("healthcheck", help="exit 0 if the running bot's heartbeat is fresh")
    p.add_argument("--config", required=True)

    p = sub.add_parser(
        "migrate-store",
        help="copy the whole store to another, empty database (e.g. SQLite to PostgreSQL)",
    )
    p.add_argument("--from", dest="source", required=True, help="e.g. sqlite:///data/bot.db")
    p.add_argument(
        "--to", dest="target", required=True, help="e.g. postgresql://briefbot@db/briefbot"
    )
    p.add_argument("--batch", type=int, default=1000, help="rows per insert (default 1000)")

    args = parser.parse_args(argv)
    match args.command:
        case "run":
            return run(args.config, webhook=args.webhook)
        case "demo":
            from rehearsal.demo import main as demo_main

            return demo_main(seed=args.seed, keep=args.keep)
        case "check-config":
            return cli.check_config(args.file)
        case "ingest":
            return cli.ingest(args.file, args.json, explain=args.explain)
        case "publish":
            return cli.publish_file(args.file, args.config)
        case "report":
            return cli.report(args.config, args.notice, args.format, args.output)
        case "export":
            return cli.export(args.config, args.since, args.notices, args.output)
        case "healthcheck":
            return cli.healthcheck(args.config)
        case "migrate-store":
            return cli.migrate_store(args.source, args.target, args.batch)
    return 2


if __name__ == "__main__":
    sys.exit(main())
