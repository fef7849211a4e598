"""The office's corrections to a preview before 发布: its own replacement text (编辑), or the
original file under a generic header (仅推送原文).

A replacement is Telegram HTML. It is read with ``html.parser`` and written out again, so what is
stored and sent is always well-formed:

- tags are limited to what Telegram accepts (b, strong, i, em, u, ins, s, strike, del, a href,
  code, pre, blockquote, span class="tg-spoiler", tg-spoiler), each closed, properly nested;
  anything else (an unknown tag, a tag left open or closed twice, ``<a>`` without an http(s),
  tg or mailto link, a comment) is refused with a Chinese reason;
- text outside tags is escaped on the way out. So plain text containing ``<`` or ``&`` that
  is not markup (``经费<50万元``, ``A&B``, ``1 < 2``) is accepted and shown as typed, not refused;
  entities (``&lt;``, ``&amp;``, ``&#8230;``) are read as the characters they stand for. What
  the parser does take for a tag (``a<b c>d``: ``<b c>``) must be valid, or it is refused, and
  the reason says to write ``&lt;`` for a literal ``<``;
- the visible length (as Telegram counts it) must be within 4 096 and not empty.

Nothing here imports telegram; the handlers pass plain values.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from html.parser import HTMLParser

from briefbot.render import ACK_HINT, TELEGRAM_TEXT_LIMIT, esc, visible_length
from briefbot.store import Store
from briefbot.store.drafts import Draft
from briefbot.store.notices import Body, NewNotice, NoticeChange, Published

CAPTION_LIMIT = 1024  # a document's caption, after entity parsing
_LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_NAMES = {
    "b": "粗体",
    "strong": "粗体",
    "i": "斜体",
    "em": "斜体",
    "u": "下划线",
    "ins": "下划线",
    "s": "删除线",
    "strike": "删除线",
    "del": "删除线",
    "a": "链接",
    "code": "代码",
    "pre": "预格式",
    "blockquote": "引用",
    "span": "隐藏",
    "tg-spoiler": "隐藏",
}
_LT_HINT = "如需显示“<”本身，请写作 &lt;。"


class InvalidReplacement(ValueError):
    """The office's replacement cannot be sent as is. ``str()`` is a Chinese explanation, plain
    text (escape it before placing it in HTML)."""


def _attr_text(value: str) -> str:
    return esc(value).replace('"', "&quot;")


class _Canonical(HTMLParser):
    """Reads Telegram HTML and writes it back out canonically; raises on what Telegram refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.visible: list[str] = []

    def _where(self) -> str:
        line, column = self.getpos()
        return f"第 {line} 行第 {column + 1} 个字符处"

    def _refuse(self, reason: str) -> None:
        raise InvalidReplacement(f"{self._where()}{reason}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = f"<{tag}>"
        given = dict(attrs)
        if tag not in _NAMES:
            self._refuse(
                f"的 {shown} 不是 Telegram 支持的格式标签（可用：b、i、u、s、a、code、pre、"
                f"blockquote、tg-spoiler 等；换行请直接回车）。{_LT_HINT}"
            )
        language_of_pre = tag == "code" and self.stack[-1:] == ["pre"]
        if ("pre" in self.stack or "code" in self.stack) and not language_of_pre:
            self._refuse(f"的 {shown}：代码块里不能再使用其他格式。")
        if tag == "blockquote" and "blockquote" in self.stack:
            self._refuse(f"的 {shown}：引用不能嵌套。")
        if tag == "a" and "a" in self.stack:
            self._refuse(f"的 {shown}：链接不能嵌套。")
        opening = self._opening(tag, given, shown)
        self.stack.append(tag)
        self.out.append(opening)

    def _opening(self, tag: str, attrs: dict[str, str | None], shown: str) -> str:
        if tag == "a":
            href = (attrs.pop("href", None) or "").strip()
            if not href.lower().startswith(_LINK_SCHEMES):
                self._refuse(
                    "的链接缺少有效地址（需以 http://、https://、tg:// 或 mailto: 开头）。"
                )
            opening = f'<a href="{_attr_text(href)}">'
        elif tag == "span":
            if attrs.pop("class", None) != "tg-spoiler":
                self._refuse(f'的 {shown} 只能写作 <span class="tg-spoiler">（隐藏内容）。')
            opening = '<span class="tg-spoiler">'
        elif tag == "code" and "class" in attrs:
            language = attrs.pop("class") or ""
            if not language.startswith("language-") or "pre" not in self.stack:
                self._refuse(f'的 {shown} 只能在 <pre> 中用 class="language-…" 标注语言。')
            opening = f'<code class="{_attr_text(language)}">'
        elif tag == "blockquote" and "expandable" in attrs:
            attrs.pop("expandable")
            opening = "<blockquote expandable>"
        else:
            opening = f"<{tag}>"
        if attrs:
            names = "、".join(sorted(attrs))
            self._refuse(f"的 {shown} 带有不支持的属性：{names}。{_LT_HINT}")
        return opening

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._refuse(f"的 <{tag}/> 不是 Telegram 支持的写法（换行请直接回车）。{_LT_HINT}")

    def handle_endtag(self, tag: str) -> None:
        shown = f"</{tag}>"
        if tag not in self.stack:
            self._refuse(f"的 {shown} 没有对应的开始标签。{_LT_HINT}")
        if self.stack[-1] != tag:
            self._refuse(f"的 {shown} 与尚未结束的 <{self.stack[-1]}> 交叉了，请先结束内层标签。")
        self.stack.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.visible.append(data)
        self.out.append(esc(data))

    def handle_comment(self, data: str) -> None:
        self._refuse("有 HTML 注释 <!-- -->，Telegram 不支持。")

    def handle_decl(self, decl: str) -> None:
        self._refuse(f"的 <!{decl[:20]}> 不是 Telegram 支持的写法。{_LT_HINT}")

    def handle_pi(self, data: str) -> None:
        self._refuse(f"的 <?{data[:20]}> 不是 Telegram 支持的写法。{_LT_HINT}")

    def unknown_decl(self, data: str) -> None:
        self._refuse(f"的 <![{data[:20]}> 不是 Telegram 支持的写法。{_LT_HINT}")


def clean_replacement(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The office's replacement as the HTML units will receive. Raises ``InvalidReplacement``."""
    parser = _Canonical()
    parser.feed(text.replace("\r\n", "\n"))
    parser.close()
    if parser.stack:
        opened = parser.stack[-1]
        raise InvalidReplacement(
            f"<{opened}>（{_NAMES[opened]}）没有结束标签 </{opened}>。{_LT_HINT}"
        )
    html_text = "".join(parser.out).strip()
    if not "".join(parser.visible).strip():
        raise InvalidReplacement("内容为空，请发送各单位应收到的通知全文。")
    length = visible_length(html_text)
    if length > limit:
        raise InvalidReplacement(
            f"内容共 {length} 个字符（按 Telegram 的计法），超过单条消息的上限 {limit}，"
            f"请删减至少 {length - limit} 个字符后重新发送。"
        )
    return html_text


def original_header(notice: NewNotice) -> str:
    """The caption of the original file sent instead of the parsed summary (≤1 024 characters)."""
    title = notice.title or "简报"
    issue = f" {notice.issue}" if notice.issue and notice.issue not in title else ""

    def caption(shown: str) -> str:
        lines = []
        if notice.correction_of is not None:
            lines.append("🔁 <b>【更正】本期简报内容有更新，请以本条为准。</b>")
        lines += [
            f"📄 <b>《{esc(shown)}》</b>{esc(issue)}",
            "请查阅附件原文。",
            "",
            f"<i>{ACK_HINT}</i>",
        ]
        return "\n".join(lines)

    text = caption(title)
    while visible_length(text) > CAPTION_LIMIT and len(title) > 1:
        title = title[: max(1, len(title) - 50)]
        text = caption(title + "…")
    return text


def publish_draft(
    store: Store,
    draft: Draft,
    now: datetime,
    *,
    original_only: bool = False,
    by: int,
    by_name: str,
) -> Published:
    """Publish what the office chose: the parse, its edited text, or (``original_only``) the
    original file under a generic header. The notice records who changed the parse and when
    (the editor and the time of the edit; for the original, who chose it, now)."""
    notice: NewNotice = draft.notice
    change = None
    if original_only:
        if notice.original_hash is None:
            raise LookupError("the draft has no stored original")
        notice = dataclasses.replace(notice, parts=(original_header(notice),))
        change = NoticeChange(Body.ORIGINAL, by, by_name, now)
    elif draft.edit is not None:
        notice = dataclasses.replace(notice, parts=(draft.edit.html,))
        change = NoticeChange(Body.EDITED, draft.edit.by, draft.edit.by_name, draft.edit.at)
    return store.notices.publish(notice, now, change)
