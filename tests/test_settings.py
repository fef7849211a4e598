from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from briefbot.durations import format_duration, parse_duration
from briefbot.settings import ConfigError, load_settings, parse_settings, redact_token
from tests.conftest import BASE_CONFIG, ROOT


def test_example_config_is_valid_and_complete():
    settings = load_settings(ROOT / "config.example.yaml")
    assert settings.timezone == "Asia/Shanghai"
    assert settings.follow_up.ack_within == timedelta(hours=4)
    assert settings.follow_up.remind_every == timedelta(hours=2)
    assert settings.follow_up.max_reminders == 3
    assert settings.units[0].code == "nanchang" and settings.units[0].liaisons == (20001,)
    assert settings.telegram.file_url == "http://127.0.0.1:8081/file/bot"


def test_settings_are_frozen(settings):
    with pytest.raises(ValidationError):
        settings.timezone = "UTC"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", 30),
        ("10m", 600),
        ("4h", 14400),
        ("1d", 86400),
        ("1h30m", 5400),
        (90, 90),
        ("0.5s", 0.5),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == timedelta(seconds=expected)


@pytest.mark.parametrize("bad", ["4x", "", "h", "10 minutes", True, None, -3])
def test_bad_durations_are_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="时长"):
        parse_duration(bad)


def test_format_duration():
    assert format_duration(timedelta(seconds=42)) == "42秒"
    assert format_duration(timedelta(milliseconds=300)) == "不到1秒"
    assert format_duration(timedelta(hours=2, minutes=5)) == "2小时5分钟"
    assert format_duration(timedelta(days=1, hours=1)) == "1天1小时"


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="cfg.yaml")
    return caught.value.problems


def test_wrong_type_names_key_and_line(tmp_path):
    text = (BASE_CONFIG % {"db": tmp_path / "x.db"}).replace(
        "chat_id: -1001000000102", "chat_id: 青岭"
    )
    [problem] = _problems(text)
    assert "第 6 行" in problem and "units[1].chat_id" in problem and "应为整数" in problem


def test_unknown_key_names_key_and_line(tmp_path):
    text = (BASE_CONFIG % {"db": tmp_path / "x.db"}) + "follow_upp: {}\n"
    [problem] = _problems(text)
    assert "第 9 行" in problem and "follow_upp" in problem and "未知的配置项" in problem


def test_missing_required_key(tmp_path):
    text = "\n".join(
        line
        for line in (BASE_CONFIG % {"db": tmp_path / "x.db"}).splitlines()
        if not line.startswith("office")
    )
    [problem] = _problems(text)
    assert "office" in problem and "缺少必填项" in problem


def test_token_is_not_a_config_key(tmp_path):
    text = (BASE_CONFIG % {"db": tmp_path / "x.db"}) + "telegram: {token: '123:abc'}\n"
    [problem] = _problems(text)
    assert "telegram.token" in problem and "未知的配置项" in problem


def test_bad_duration_and_timezone_reported_together(tmp_path):
    text = (
        (BASE_CONFIG % {"db": tmp_path / "x.db"})
        .replace("4h", "4 hours")
        .replace("Asia/Shanghai", "Mars/Olympus")
    )
    problems = _problems(text)
    assert any("第 1 行" in p and "未知的时区" in p for p in problems)
    assert any("第 8 行" in p and "follow_up.ack_within" in p for p in problems)


def test_duplicate_unit_codes_refused(tmp_path):
    text = (BASE_CONFIG % {"db": tmp_path / "x.db"}).replace("code: qingling", "code: dongjiang")
    [problem] = _problems(text)
    assert "单位代码重复" in problem


def test_yaml_syntax_error_has_line():
    [problem] = _problems("timezone: Asia/Shanghai\noffice: {chat_id: 1\n")
    assert "YAML 语法错误" in problem and "行" in problem


def test_missing_file_is_explained(tmp_path: Path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(tmp_path / "nope.yaml")


def test_token_redaction():
    line = "POST http://127.0.0.1/bot7000000001:REHEARSAL-only-token-not-a-real-one/getMe"
    assert "REHEARSAL" not in redact_token(line)
    assert "<token>" in redact_token(line)
