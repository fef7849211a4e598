"""``--store sqlite|postgresql|URL`` for every benchmark: where the bot keeps its ledger.

    sqlite       a SQLite file in the benchmark's temporary folder (the default)
    postgresql   the local server every development machine runs (postgres@127.0.0.1:5432/test)
    URL          any postgresql:// URL

On PostgreSQL each run gets a schema of its own (``search_path`` in the URL, so the bot process
and the command line use it too), dropped when the run ends.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

from briefbot.store.database import normalise_url

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default="sqlite",
        help="sqlite (default), postgresql (the local server) or a postgresql:// URL",
    )


def backend_name(choice: str) -> str:
    return "sqlite" if choice == "sqlite" else "postgresql"


@contextlib.contextmanager
def bench_store(choice: str, folder: Path) -> Iterator[str]:
    """The store URL for one run, and its clean-up."""
    if choice == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'bot.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(normalise_url(LOCAL_POSTGRES if choice == "postgresql" else choice))
    admin_url = base.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield base.update_query_dict(
                {"options": f"-csearch_path={schema}", "application_name": schema}
            ).render_as_string(hide_password=False)
        finally:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND pid <> pg_backend_pid()",
                (schema,),
            )
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
