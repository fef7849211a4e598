"""Start-up checks for ``bot.py run``: the database directory is usable, and no other bot process
runs on the same SQLite database.

Two processes on one SQLite file both dispatch: the second resets the first's in-flight rows and
units get the notice twice. An exclusive ``flock`` on a file next to the database keeps the second
one out; the kernel releases it when the holder dies, however it dies, so a crash never leaves a
stale lock behind. (Replicas on PostgreSQL coordinate in the database instead.)
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class StartupError(Exception):
    """The bot cannot start. ``str()`` is one line, Chinese then English, for the operator."""


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_database_dir(url: str) -> None:
    """Raise ``StartupError`` when the SQLite database's directory cannot be created or written."""
    path = sqlite_path(url)
    if path is None:
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(
            f"无法创建数据库目录 {folder}（{_why(exc)}），请检查 storage.url 与目录权限。"
            f" Cannot create the database directory {folder}: {_why(exc)}."
        ) from None
    if not folder.is_dir():
        raise StartupError(
            f"数据库目录 {folder} 不是目录，请检查 storage.url。"
            f" The database directory {folder} is not a directory."
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.R_OK | os.W_OK)
    ):
        raise StartupError(
            f"数据库目录 {folder} 不可写（只读），请检查目录权限或挂载方式。"
            f" The database directory {folder} is not writable."
        )


class InstanceLock:
    """An exclusive lock on ``<database>.lock``, held for the life of the process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @classmethod
    def for_database(cls, url: str) -> InstanceLock | None:
        path = sqlite_path(url)
        return cls(path.with_name(path.name + ".lock")) if path is not None else None

    def acquire(self) -> None:
        """Raise ``StartupError`` when another process holds it or the file cannot be made."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise StartupError(
                    f"数据库目录 {self.path.parent} 不可写（{_why(exc)}），请检查目录权限或挂载方式。"
                    f" The database directory {self.path.parent} is not writable: {_why(exc)}."
                ) from None
            raise StartupError(
                f"无法创建锁文件 {self.path}（{_why(exc)}）。"
                f" Cannot create the lock file {self.path}: {_why(exc)}."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise StartupError(
                f"另一个机器人进程（PID {holder}）正在使用同一数据库，本进程不启动，以免重复推送。"
                f" Another bot process (PID {holder}) is already running on this database"
                f" (lock {self.path}); not starting."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None
