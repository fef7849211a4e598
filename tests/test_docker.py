"""The Docker image's steps, checked without a Docker engine: the wheel is built from the sources,
installed into a clean venv (offline: its dependencies are linked in from ours, see
``_dependency_folder``), and the Dockerfile's own HEALTHCHECK and CMD are run from that venv
by an unprivileged user (``nobody`` when the tests run as root), in a folder standing for the
image's ``/`` with its ``data`` volume. The bot is then started for real against the emulator,
and the health check must turn from failing (in Chinese) to passing while it runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib.metadata import Distribution
from pathlib import Path

import pytest
import yaml

from tests.conftest import ON_POSTGRES, ROOT, database_url

# one worker builds the wheel (setuptools writes build/ in the source tree)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

TOKEN = "7000000077:IMAGE-test-token-not-real"


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")


def _exec_form(instruction: str) -> list[str]:
    """The JSON array of the final stage's CMD, or of its HEALTHCHECK's CMD."""
    lines = [line.strip() for line in _dockerfile().splitlines()]
    found = [line for line in lines if line.startswith(instruction + " ")]
    assert found, f"the Dockerfile has no {instruction}"
    command = json.loads(found[-1].split("CMD", 1)[1].strip())
    assert isinstance(command, list) and command[0] == "python"
    return command


def test_the_image_runs_unprivileged_with_a_data_volume():
    final_stage = _dockerfile().rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER briefbot$", final_stage, re.M)
    assert 'VOLUME ["/data"]' in final_stage and re.search(r"^WORKDIR /$", final_stage, re.M)
    assert "pip wheel" in _dockerfile() and "/wheels/*.whl" in final_stage
    assert _exec_form("CMD")[1:] == ["-m", "bot", "run", "--config", "/data/config.yaml"]
    assert _exec_form("HEALTHCHECK")[1:4] == ["-m", "bot", "healthcheck"]


def _as_user() -> dict[str, object]:
    """Popen options that drop to ``nobody`` when we are root (the process itself changes user,
    so signals reach the bot directly)."""
    if os.geteuid() != 0:
        return {}
    import pwd

    return {"user": "nobody", "group": pwd.getpwnam("nobody").pw_gid, "extra_groups": []}


def _interpreter() -> str:
    """A Python 3.11+ the unprivileged user can run (ours may live in root's home, as pyenv's
    does): the image's python:3.11-slim stands for it."""
    candidates = [getattr(sys, "_base_executable", sys.executable), sys.executable]
    candidates += [
        p for n in ("python3.11", "python3.12", "python3.13", "python3") if (p := shutil.which(n))
    ]
    candidates += ["/usr/bin/python3", "/usr/local/bin/python3"]
    for candidate in dict.fromkeys(candidates):
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys, venv; assert sys.version_info >= (3, 11)"],
                capture_output=True,
                timeout=30,
                **_as_user(),  # type: ignore[call-overload]
            )
        except OSError:  # not reachable by that user
            continue
        if probe.returncode == 0:
            return candidate
    pytest.skip("no Python 3.11+ that an unprivileged user can run")


def _runtime_closure() -> list[Distribution]:
    """The installed distributions briefbot needs at run time: its requirements, with their
    extras, transitively; not the test extra."""
    from importlib.metadata import distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    wanted: list[tuple[str, frozenset[str]]] = [("briefbot", frozenset())]
    seen: dict[str, set[str]] = {}
    found: dict[str, Distribution] = {}
    while wanted:
        name, extras = wanted.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        seen.setdefault(key, set()).update(extras)
        dist = found.setdefault(key, distribution(name))
        for line in dist.requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(
                marker.evaluate({"extra": extra}) for extra in ("", *seen[key])
            ):
                wanted.append((requirement.name, frozenset(requirement.extras)))
    return [d for k, d in found.items() if k != "briefbot"]


def _dependency_folder(folder: Path) -> None:
    """Links every runtime dependency's top-level files (packages, modules, dist-info) from our
    environment into ``folder``: the clean venv sees them and nothing else of ours (no sources,
    no test tools). The test installs without any package index, so it never reaches the
    internet; ``pip check`` then proves the wheel's declared requirements are met.

    Hard links, not symbolic ones: our environment may sit in a folder the unprivileged user
    cannot enter (a checkout under ``mktemp -d``, mode 0700); a hard link needs only the file's
    own permissions. Copied where the two are on different file systems."""
    folder.mkdir()
    for dist in _runtime_closure():
        for file in dist.files or []:
            top = file.parts[0]
            if top == ".." or top.endswith(".pth") or top == "__pycache__":
                continue
            target, source = folder / top, Path(str(dist.locate_file(top)))
            if target.exists():
                continue
            if source.is_dir():
                shutil.copytree(source, target, copy_function=_link_or_copy)
            else:
                _link_or_copy(str(source), str(target))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def test_compose_runs_the_bot_on_postgresql_with_a_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert db["image"].startswith("postgres:") and bot["build"] == "."
    assert bot["restart"] == db["restart"] == "unless-stopped"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "bot-data:/data" in bot["volumes"] and set(compose["volumes"]) >= {"bot-data", "db-data"}
    # the health check is the image's own
    assert bot["healthcheck"]["test"] == ["CMD", *_exec_form("HEALTHCHECK")]
    # secrets come from the environment, never from the file
    assert bot["environment"]["BOT_TOKEN"].startswith("${BOT_TOKEN")
    assert bot["environment"]["PGPASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")


@pytest.fixture(scope="module")
def image() -> Iterator[Path]:
    """A folder standing for the image's ``/``: ``venv`` (the wheel installed with its runtime
    dependencies, nothing else) and ``data`` (the volume, owned by the unprivileged user).
    Outside pytest's private temp folder, which the unprivileged user could not enter."""
    root = Path(tempfile.mkdtemp(prefix="briefbot-image-"))
    root.chmod(0o755)
    try:
        wheels = root / "wheels"
        # no build isolation: the build backend comes from our environment, not from an index
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                "-w",
                str(wheels),
                str(ROOT),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        [wheel] = wheels.glob("briefbot-*.whl")
        venv = root / "venv"
        subprocess.run([_interpreter(), "-m", "venv", str(venv)], check=True, timeout=120)
        python = venv / "bin" / "python"
        _dependency_folder(root / "deps")
        [site] = (venv / "lib").glob("python3*/site-packages")
        (site / "briefbot-image-deps.pth").write_text(f"{root / 'deps'}\n", encoding="utf-8")
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        checked = subprocess.run(
            [str(python), "-m", "pip", "check"], capture_output=True, text=True, timeout=120
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        data = root / "data"
        data.mkdir()
        shutil.copy(ROOT / "config.example.yaml", data / "config.example.yaml")
        shutil.copy(ROOT / "config.example.yaml", data / "config.yaml")
        (root / "home").mkdir()
        if os.geteuid() == 0:
            for path in (data, data / "config.example.yaml", data / "config.yaml", root / "home"):
                shutil.chown(path, "nobody")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _in_image(root: Path, command: list[str], *, env: dict[str, str] | None = None, **kw):
    """An image command (``python …``, paths under ``/data``) as argv and Popen options: from the
    venv, as ``nobody`` when we are root, with the image's environment and nothing of ours."""
    argv = [str(root / "venv" / "bin" / "python")] + [
        str(root) + part if part.startswith("/data/") else part for part in command[1:]
    ]
    environment = {
        "PATH": f"{root / 'venv' / 'bin'}:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PTB_TIMEDELTA": "1",
        **(env or {}),
    }
    return argv, {"cwd": root, "env": environment, **_as_user(), **kw}


def _run(root: Path, command: list[str], **kw) -> subprocess.CompletedProcess[str]:
    full, options = _in_image(root, command, **kw)
    return subprocess.run(full, capture_output=True, text=True, timeout=120, **options)


def _assert_units_stored(url: str, expected: int) -> None:
    from sqlalchemy import func, select

    from briefbot.store import open_store
    from briefbot.store.schema import units

    store = open_store(url, run_migrations=False)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(units)).scalar() == expected
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_wheel_in_a_clean_venv_passes_the_images_commands(image, tmp_path):
    healthcheck, cmd = _exec_form("HEALTHCHECK"), _exec_form("CMD")
    venv = image / "venv"

    # the packages come from the installed wheel, not from the sources
    where = _run(
        image, ["python", "-c", "import bot, briefbot; print(bot.__file__, briefbot.__file__)"]
    )
    assert where.returncode == 0, where.stderr
    assert all(p.startswith(str(venv)) for p in where.stdout.split()), where.stdout
    for absent in ("pytest", "openpyxl", "reportlab"):  # the test extra is not in the image
        probe = _run(image, ["python", "-c", f"import {absent}"])
        assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr
    whoami = _run(image, ["python", "-c", "import os; print(os.geteuid())"])
    assert whoami.stdout.strip() != "0"

    # the example config, as shipped into the volume, is valid
    checked = _run(image, ["python", "-m", "bot", "check-config", "/data/config.example.yaml"])
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("配置有效")

    # no bot running: the health check fails, in Chinese, in one line
    sick = _run(image, healthcheck)
    assert sick.returncode != 0
    assert "没有心跳记录" in sick.stderr and "Traceback" not in sick.stderr

    # the CMD without a token: refused in Chinese
    refused = _run(image, cmd)
    assert refused.returncode == 2 and "BOT_TOKEN" in refused.stderr
    assert "Traceback" not in refused.stderr

    # the CMD for real: the bot against the emulator (the example config's base_url, another
    # port), writing its heartbeat (and on SQLite its database) into the volume as the
    # unprivileged user; when the suite runs on PostgreSQL, the store is there (compose's layout)
    port = _free_port()
    config = yaml.safe_load((image / "data" / "config.yaml").read_text(encoding="utf-8"))
    config["telegram"]["base_url"] = f"http://127.0.0.1:{port}/bot"
    config["telegram"]["poll_timeout"] = 1
    config["health"]["every"] = "1s"
    if ON_POSTGRES:
        config["storage"]["url"] = database_url(tmp_path)
    (image / "data" / "config.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )
    emulator = subprocess.Popen(
        [str(venv / "bin" / "python"), "-m", "tgemu", "--port", str(port), "--token", TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=image,
    )
    bot_process = None
    try:
        assert emulator.stdout is not None
        assert "listening" in emulator.stdout.readline().decode()
        full, options = _in_image(image, cmd, env={"BOT_TOKEN": TOKEN})
        log = image / "bot.log"
        with log.open("wb") as out:
            bot_process = subprocess.Popen(full, stdout=out, stderr=subprocess.STDOUT, **options)
            healthy = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and bot_process.poll() is None:
                healthy = _run(image, healthcheck)
                if healthy.returncode == 0:
                    break
                time.sleep(0.5)
            text = log.read_text(encoding="utf-8", errors="replace")
            assert healthy is not None and healthy.returncode == 0, text[-3000:]
            assert healthy.stdout.startswith("正常")
            assert TOKEN.split(":")[1] not in text
            database = image / "data" / "bot.db"
            if ON_POSTGRES:
                assert not database.exists()
                _assert_units_stored(config["storage"]["url"], len(config["units"]))
            else:
                assert database.exists()
                if os.geteuid() == 0:
                    assert database.owner() == "nobody"
            bot_process.send_signal(signal.SIGINT)
            assert bot_process.wait(timeout=30) == 0, log.read_text(errors="replace")[-3000:]
    finally:
        for process in (bot_process, emulator):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        if emulator.stdout is not None:
            emulator.stdout.close()
