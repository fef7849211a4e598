"""The message a unit receives: built from the briefing's structure, HTML with all text escaped.

Directives are quoted word for word and never truncated; news items contribute their lead
sentence; tasks their heading. If the whole does not fit one Telegram message, news and tasks are
shortened first; a directive that alone exceeds the limit is an error the office is told about.
"""

from __future__ import annotations

import html
import re

from briefbot.briefing.model import Briefing, Directive

TELEGRAM_TEXT_LIMIT = 4096
_TAG = re.compile(r"<[^>]+>")


class MessageTooLong(ValueError):
    """Even the essential parts do not fit one message. ``str()`` is Chinese."""


def visible_length(html_text: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    plain = html.unescape(_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def masthead_line(briefing: Briefing) -> str:
    parts = []
    if briefing.issue is not None and briefing.issue.number is not None:
        parts.append(f"第{briefing.issue.number}期")
    if briefing.date is not None:
        d = briefing.date
        parts.append(f"{d.year}年{d.month}月{d.day}日")
    if briefing.issuer:
        parts.append(briefing.issuer)
    return " · ".join(parts)


def _directive_block(directive: Directive) -> str:
    who = " ".join(p for p in (directive.title, directive.leader) if p)
    when = ""
    if directive.date is not None:
        when = f"{directive.date.month}月{directive.date.day}日"
    about = f"在《{esc(directive.document)}》上" if directive.document else ""
    head = f"{esc(who)}{' ' + when if when else ''}{about}批示："
    return f"{head}\n<blockquote>{esc(directive.text)}</blockquote>"


ACK_HINT = "请本单位联络员点击下方“已收到”按钮，或回复 /ack 签收。"


def render_notice(briefing: Briefing, *, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """Render the unit message. Shrinks news and task lists to fit; never cuts a directive."""
    news = [item.lead for item in briefing.news if item.lead]
    tasks = [task.heading for task in briefing.tasks]
    deadlines = [d.raw for d in briefing.deadlines]
    while True:
        text = _compose(briefing, news, tasks, deadlines)
        if visible_length(text) <= limit:
            return text
        if news and len(news) >= len(tasks):
            news = news[:-1]
        elif tasks:
            tasks = tasks[:-1]
        elif deadlines:
            deadlines = deadlines[:-1]
        else:
            raise MessageTooLong(
                f"批示原文过长（{visible_length(text)} 字），超过 Telegram 单条消息 {limit} 字的上限，"
                "为保证原文完整，未作截断，请拆分后再发布。"
            )


def _compose(briefing: Briefing, news: list[str], tasks: list[str], deadlines: list[str]) -> str:
    lines = [f"📄 <b>{esc(briefing.title or '简报')}</b>"]
    mast = masthead_line(briefing)
    if mast:
        lines.append(esc(mast))
    if briefing.directives:
        lines.append("")
        lines.append("<b>【领导批示】</b>")
        lines.extend(_directive_block(d) for d in briefing.directives)
    if news:
        lines.append("")
        lines.append("<b>【要闻摘要】</b>")
        lines.extend(f"• {esc(lead)}" for lead in news)
    if tasks:
        lines.append("")
        lines.append("<b>【重点任务】</b>")
        numerals = "一二三四五六七八九十"
        lines.extend(
            f"{numerals[i] if i < len(numerals) else i + 1}、{esc(t)}" for i, t in enumerate(tasks)
        )
    if deadlines:
        lines.append("")
        lines.append("<b>【时限要求】</b>")
        lines.extend(f"⏰ {esc(d)}" for d in deadlines)
    lines.append("")
    lines.append(f"<i>{ACK_HINT}</i>")
    return "\n".join(lines)
