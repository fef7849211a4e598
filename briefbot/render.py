"""The message a unit receives: built from the briefing's structure, HTML with all text escaped.

Directives are quoted word for word and never truncated; news items contribute their headline or
lead sentence; tasks their heading; deadlines that concern units their own words. If all that does
not fit one Telegram message, news, tasks and deadlines are shortened first; if the directives alone
do not fit, they are split at sentence ends into continuation messages ("（续）"), sent in order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from briefbot.briefing.model import Briefing, Directive
from briefbot.timefmt import cjk_punctuation

TELEGRAM_TEXT_LIMIT = 4096
FOOTER_ROOM = 60  # the dispatcher adds "编号 #N · 请于12月7日（周一）09:10前签收" to each notice
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]+[”’」』]*|[^。！？；]+$")
ACK_HINT = "请本单位联络员点击下方“已收到”按钮，或回复 /ack 签收。"
NUMERALS = "一二三四五六七八九十"


class MessageTooLong(ValueError):
    """A single sentence of a directive does not fit a message. ``str()`` is Chinese."""


def visible_length(html_text: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    plain = html.unescape(_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


class Html(str):
    """Telegram HTML that is safe as it stands: made by ``html_message`` or ``html_join`` (or a
    fixed fragment written in the code). ``esc`` and ``html_message`` leave it as it is."""

    __slots__ = ()


def esc(text: object) -> str:
    """Text (a name, a title, a comment) as Telegram HTML: ``< > &`` escaped."""
    if isinstance(text, Html):
        return text
    return html.escape(str(text), quote=False)


def html_message(template: str, /, **values: object) -> Html:
    """The one way to put values into a Telegram HTML message.

    ``template`` is markup written in the code (``<b>``, ``<code>``…) with ``{name}`` fields;
    every value is escaped, whatever it is (a user's name, a chat title, a unit name from the
    config, a comment, a document's title, a number), unless it is already ``Html``. Format specs
    apply to the escaped text, so format dates and numbers before passing them.
    """
    return Html(template.format_map({k: esc(v) for k, v in values.items()}))


def plain_text(html_text: str) -> str:
    """What a user sees of an HTML message, for places that take plain text (button toasts)."""
    return html.unescape(_TAG.sub("", html_text))


def html_join(separator: str, parts: Iterable[object]) -> Html:
    """Values joined into one ``Html`` fragment, each escaped (``Html`` parts kept as they are)."""
    return Html(esc(separator).join(esc(p) for p in parts))


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


@dataclass(frozen=True)
class RenderOptions:
    correction: bool = False  # this replaces an earlier version of the same issue
    has_original: bool = False  # the original file can be requested with the 原文 button
    limit: int = TELEGRAM_TEXT_LIMIT - FOOTER_ROOM
    # a correction's changed sentences, (改为 | 删去, sentence), and how many changed in all
    changes: tuple[tuple[str, str], ...] = ()
    changed_count: int = 0


# how each kind of directive is introduced: "省长 易炼红 11月19日批示：", "中共某某省委批语："
_VERB_HEADS = {"批示": "批示", "批语": "批语", "按": "按", "按语": "按语", "批注": "批注",
               "指示": "指示", "转发": "通知", "认为": "意见"}  # fmt: skip


def _directive_head(directive: Directive) -> str:
    who = " ".join(p for p in (directive.title, directive.leader) if p) or "领导"
    when = f" {directive.date.month}月{directive.date.day}日" if directive.date else ""
    about = f"在《{esc(directive.document)}》上" if directive.document else ""
    verb = _VERB_HEADS.get(directive.verb, "批示")
    return f"{esc(who)}{when}{about}{verb}："


def _directive_section(briefing: Briefing) -> str:
    """The section's title, as HTML (a heading from the document is escaped)."""
    if briefing.directive_heading:
        return f"【{esc(briefing.directive_heading)}】"
    kinds = {d.verb for d in briefing.directives}
    if kinds <= {"转发"}:
        return "【通知要求】"
    if kinds <= {"批语", "按", "按语", "认为"}:
        return "【批语】"
    return "【领导批示】"


def _head(briefing: Briefing, options: RenderOptions) -> list[str]:
    lines = []
    if options.correction:
        lines.append("🔁 <b>【更正】本期简报内容有更新，请以本条为准。</b>")
        if options.changes:
            lines.append("<b>更正内容：</b>")
            lines += [f"• {esc(kind)}：{esc(text)}" for kind, text in options.changes]
            more = options.changed_count - len(options.changes)
            if more > 0:
                lines.append(f"……另有 {more} 处改动，请以全文为准。")
            lines.append("")
    lines.append(f"📄 <b>{esc(briefing.title or '简报')}</b>")
    if briefing.subtitle:
        lines.append(f"<b>{esc(briefing.subtitle)}</b>")
    mast = masthead_line(briefing)
    if mast:
        lines.append(esc(mast))
    if briefing.classification:  # 内部资料 and the like: units must see how to handle it
        lines.append(f"🔒 {esc(briefing.classification)}")
    return lines


_CLOSED = "。！？；…”’」』）)!?;"


def _tail(
    briefing: Briefing,
    news: list[str],
    tasks: list[str],
    deadlines: list[str],
    options: RenderOptions,
) -> list[str]:
    lines: list[str] = []
    # excerpts chosen by the bot get full-width punctuation (directives stay word for word)
    if news and briefing.summary:  # sentences of an extractive summary, in document order
        # a headline among them (no closing mark) stands on its own line
        text = "".join(s if s[-1:] in _CLOSED else s + "\n" for s in news).strip()
        lines += ["", "<b>【内容摘要】</b>", esc(cjk_punctuation(text))]
    elif news:
        lines += [
            "",
            "<b>【要闻摘要】</b>",
            *(f"• {esc(cjk_punctuation(lead))}" for lead in news),
        ]
    if tasks:
        lines += ["", "<b>【重点任务】</b>"]
        lines += [
            f"{NUMERALS[i] if i < 10 else i + 1}、{esc(cjk_punctuation(t))}"
            for i, t in enumerate(tasks)
        ]
    if deadlines:
        lines += ["", "<b>【时限要求】</b>", *(f"⏰ {esc(d)}" for d in deadlines)]
    lines.append("")
    if options.has_original:
        lines.append("全文可点击“原文”按钮获取。")
    lines.append(f"<i>{ACK_HINT}</i>")
    return lines


def _compose(
    briefing: Briefing,
    news: list[str],
    tasks: list[str],
    deadlines: list[str],
    options: RenderOptions,
) -> str:
    lines = _head(briefing, options)
    if briefing.editor_notes:
        lines += ["", "<b>【编者按】</b>", *(esc(note) for note in briefing.editor_notes)]
    if briefing.directives:
        lines += ["", f"<b>{_directive_section(briefing)}</b>"]
        lines += [
            f"{_directive_head(d)}\n<blockquote>{esc(d.text)}</blockquote>"
            for d in briefing.directives
        ]
    lines += _tail(briefing, news, tasks, deadlines, options)
    return "\n".join(lines)


def render_parts(briefing: Briefing, options: RenderOptions | None = None) -> list[str]:
    """The unit message, as one part whenever possible. Never cuts a directive."""
    options = options or RenderOptions()
    # an unstructured document's summary stands where news headlines would
    news = list(briefing.summary) or [item.lead for item in briefing.news if item.lead]
    tasks = [task.heading for task in briefing.tasks]
    deadlines = [d.raw for d in briefing.deadlines if d.concerns_units]
    full = (news, tasks, deadlines)
    while True:
        text = _compose(briefing, news, tasks, deadlines, options)
        if visible_length(text) <= options.limit:
            return [text]
        if news and len(news) >= len(tasks):
            news = news[:-1]
        elif tasks:
            tasks = tasks[:-1]
        elif deadlines:
            deadlines = deadlines[:-1]
        else:
            return _split(briefing, *full, options=options)


def render_notice(briefing: Briefing, options: RenderOptions | None = None) -> str:
    """The first (usually only) part."""
    return render_parts(briefing, options)[0]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s]


def _split(
    briefing: Briefing,
    news: list[str],
    tasks: list[str],
    deadlines: list[str],
    *,
    options: RenderOptions,
) -> list[str]:
    """Directives too long for one message: pack their sentences into ordered parts."""
    limit = options.limit - 40  # room for the part counter added below
    blocks: list[str] = []  # each block is a self-contained HTML fragment
    for d in briefing.directives:
        head = _directive_head(d)
        chunk: list[str] = []
        for sentence in _sentences(d.text):
            if visible_length(esc(sentence)) > limit - 200:
                raise MessageTooLong(
                    f"批示中有一句话长达 {len(sentence)} 字，超过单条消息上限，无法在不截断的情况下发送。"
                )
            candidate = "".join([*chunk, sentence])
            if chunk and visible_length(head + esc(candidate)) > limit - 200:
                blocks.append(f"{head}\n<blockquote>{esc(''.join(chunk))}</blockquote>")
                head, chunk = "（批示续）", []
            chunk.append(sentence)
        blocks.append(f"{head}\n<blockquote>{esc(''.join(chunk))}</blockquote>")
    parts: list[list[str]] = [
        [*_head(briefing, options), "", f"<b>{_directive_section(briefing)}</b>"]
    ]
    for block in blocks:
        if visible_length("\n".join([*parts[-1], block])) > limit:
            parts.append([f"📄 <b>{esc(briefing.title or '简报')}</b>（续）"])
        parts[-1].append(block)
    tail = _tail(briefing, news, tasks, deadlines, options)
    while visible_length("\n".join([*parts[-1], *tail])) > limit and (news or tasks or deadlines):
        if news:
            news = news[:-1]
        elif tasks:
            tasks = tasks[:-1]
        else:
            deadlines = deadlines[:-1]
        tail = _tail(briefing, news, tasks, deadlines, options)
    if visible_length("\n".join([*parts[-1], *tail])) > limit:
        parts.append([f"📄 <b>{esc(briefing.title or '简报')}</b>（续）"])
    parts[-1].extend(tail)
    total = len(parts)
    return ["\n".join(lines) + f"\n<i>（第{i + 1}/{total}条）</i>" for i, lines in enumerate(parts)]
