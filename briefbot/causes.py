"""Why a unit could not be reached, in the office's words: Chinese only, without Telegram's
raw English (``403 Forbidden: bot was kicked…`` is ``机器人已被移出该群``); the raw error stays
in the log and the ledger."""

from __future__ import annotations

import re

_CODE = re.compile(r"^\s*(\d{3})\b")

_CAUSES = (
    ("kicked", "机器人已被移出该群"),
    ("blocked", "机器人已被屏蔽"),
    ("chat not found", "群组不存在，或机器人不在群内"),
    ("group chat was deleted", "群组已解散"),
    ("not enough rights", "机器人没有在该群发言的权限"),
    ("have no rights", "机器人没有在该群发言的权限"),
    ("not a member", "机器人不在该群内"),
    ("deactivated", "账号已注销"),
    ("gave up after", "网络故障，多次重试仍未成功"),
    ("前一部分未能发送", "前一部分未能发送"),
)


def describe(error: str | None) -> str:
    if not error:
        return ""
    lowered = error.lower()
    for marker, words in _CAUSES:
        if marker in lowered:
            return words
    code = _CODE.match(error)
    return f"发送失败（错误代码 {code.group(1)}）" if code else "发送失败（原因不明，详见日志）"
