"""What the office is told before 发布: what was recognised, and where something was probably missed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefbot.briefing import cues
from briefbot.briefing.blocks import Role
from briefbot.briefing.designation import subject_before
from briefbot.briefing.model import Briefing
from briefbot.briefing.roles import boilerplate

# the message should hold at least this share of the document's text
_MESSAGE_SHARE = 0.2
_VISIBLE = re.compile(r"<[^>]+>")
_CHECKED = {Role.NEWS.value, Role.BODY.value, Role.TASK.value, Role.DEADLINE.value}


@dataclass(frozen=True)
class Review:
    summary: str  # "识别：批示 2 条（林某某、许某某）· 要闻 4 条 · 时限 3 项 · 日期 2024-11-28"
    warnings: tuple[str, ...]


def _recognised(b: Briefing) -> str:
    items = []
    if b.directives:
        names = "、".join(dict.fromkeys(d.leader or "未署名" for d in b.directives))
        items.append(f"批示 {len(b.directives)} 条（{names}）")
    else:
        items.append("批示 0 条")
    if b.editor_notes:
        items.append(f"编者按 {len(b.editor_notes)} 条")
    items.append(f"要闻 {len(b.news)} 条")
    if b.tasks:
        items.append(f"任务 {len(b.tasks)} 项")
    items.append(f"时限 {len(b.deadlines)} 项")
    if b.summary:
        items.append(f"摘要 {sum(len(s) for s in b.summary)} 字")
    items.append(f"日期 {b.date.isoformat()}" if b.date else "日期未识别")
    return "识别：" + " · ".join(items)


def _missed_directives(b: Briefing) -> list[str]:
    leaders = {d.leader for d in b.directives}
    texts = "".join(d.text for d in b.directives)
    found: list[str] = []
    for part in b.parts:
        if part.role not in _CHECKED:
            continue
        text = part.text
        for cue in (*cues.MISSED_DIRECTIVE_CUES, "：“"):
            at = text.find(cue)
            while at >= 0:
                who = subject_before(text, at)
                quoted = text[at + 2 : at + 14] if cue == "：“" else ""
                if (
                    who is not None
                    and who.leader not in leaders
                    and not (quoted and quoted in texts)
                ):
                    what = "引号内的话" if cue == "：“" else f"“{cue.rstrip('：:')}”"
                    found.append(
                        f"第{part.block + 1}段提到{who.designation}{who.leader}的{what}，"
                        "但没有识别为批示，请核对是否遗漏。"
                    )
                    break
                at = text.find(cue, at + 1)
            else:
                continue
            break
    return found


def _title_problem(title: str) -> str | None:
    if not title:
        return "没有识别出标题。"
    if boilerplate.cue_for(title) is not None or re.search(r"[\[\]]|^[>»|]|返回|首页", title):
        return f"标题“{title}”像是网页导航，请核对。"
    if title.count("、") >= 2 or title.startswith(("['", '["')):
        return f"标题“{title}”像是名单而不是标题，请核对。"
    return None


def review(briefing: Briefing, message_parts: list[str]) -> Review:
    warnings = _missed_directives(briefing)
    if briefing.date is None:
        warnings.append("没有识别出简报日期（报头、落款和印发日期中都没有找到）。")
    if not briefing.title_found:
        warnings.append(f"没有识别出标题，暂用文件名“{briefing.title}”，请核对或点击“编辑”。")
    elif (problem := _title_problem(briefing.title)) is not None:
        warnings.append(problem)
    body = sum(len(p) for p in briefing.paragraphs)
    shown = sum(len(_VISIBLE.sub("", p)) for p in message_parts)
    if body > 1500 and shown < body * _MESSAGE_SHARE:
        warnings.append(
            f"正文约 {body} 字，消息只有 {shown} 字，可能漏掉了重要内容，请核对或点击“编辑”。"
        )
    return Review(_recognised(briefing), tuple(dict.fromkeys(warnings)))
