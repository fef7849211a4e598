"""Blocks and roles: every part of a document ends up in exactly one role.

A block is a paragraph after layout repair (or a short line that stands alone: a title, a
heading, a signature). Each block gets one role, and the cue that decided it; a block can be cut
into segments when part of it has another role (a directive quoted inside a news item, a
deadline-bearing sentence inside body text). What layout repair removes (page numbers, running
heads, a fragment repeated across a page break) is kept as :class:`Dropped` with its reason, so
that every character of the source is accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    MASTHEAD = "masthead"
    HEADING = "heading"
    DIRECTIVE = "directive"
    EDITOR_NOTE = "editor_note"
    NEWS = "news"
    TASK = "task"
    DEADLINE = "deadline"
    BODY = "body"
    SIGNATURE = "signature"
    COLOPHON = "colophon"
    BOILERPLATE = "boilerplate"


ROLE_NAMES = {
    Role.MASTHEAD: "报头",
    Role.HEADING: "栏目标题",
    Role.DIRECTIVE: "批示",
    Role.EDITOR_NOTE: "编者按",
    Role.NEWS: "要闻",
    Role.TASK: "任务",
    Role.DEADLINE: "时限",
    Role.BODY: "正文",
    Role.SIGNATURE: "落款",
    Role.COLOPHON: "版记",
    Role.BOILERPLATE: "网页/版式杂项",
}


@dataclass
class Segment:
    start: int
    end: int
    role: Role
    cue: str


@dataclass
class Block:
    index: int
    text: str
    page: int
    role: Role | None = None
    cue: str = ""
    section: str = ""  # the section heading it falls under
    segments: list[Segment] = field(default_factory=list)

    def assign(self, role: Role, cue: str) -> None:
        self.role, self.cue = role, cue

    def mark(self, start: int, end: int, role: Role, cue: str) -> None:
        """Give ``text[start:end]`` its own role (segments never overlap; the first claim wins)."""
        if start >= end:
            return
        if any(s.start < end and start < s.end for s in self.segments):
            return
        if start == 0 and end >= len(self.text) and not self.segments:
            self.assign(role, cue)  # the whole block
            return
        self.segments.append(Segment(start, end, role, cue))
        self.segments.sort(key=lambda s: s.start)

    def text_outside(self, *roles: Role) -> str:
        """The block's text without its segments of ``roles``."""
        return "".join(t for t, r, _ in self.parts() if r not in roles)

    def parts(self) -> list[tuple[str, Role, str]]:
        """The block as consecutive (text, role, cue) pieces covering all of its text."""
        role = self.role or Role.BODY
        out: list[tuple[str, Role, str]] = []
        at = 0
        for s in self.segments:
            if s.start > at:
                out.append((self.text[at : s.start], role, self.cue))
            out.append((self.text[s.start : s.end], s.role, s.cue))
            at = s.end
        if at < len(self.text):
            out.append((self.text[at:], role, self.cue))
        return out


@dataclass(frozen=True)
class Dropped:
    text: str
    reason: str  # "page number", "running head", "repeated fragment", "rule"


@dataclass(frozen=True)
class Part:
    """One role-bearing piece of the document, for ``ingest --json`` and ``--explain``."""

    block: int
    role: str
    cue: str
    text: str
