"""Why a unit could not be reached, in the office's words."""

from __future__ import annotations

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
            return f"{words}（{error[:60]}）"
    return f"发送失败（{error[:80]}）"
