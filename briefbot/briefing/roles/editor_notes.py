"""Editor's notes (编者按, 按语 by the briefing's own editors): shown as 编者按, never as directives."""

from __future__ import annotations

import re

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role

_CUE = re.compile("^[【\\[]?(?P<cue>" + "|".join(cues.EDITOR_NOTE_CUES) + ")[】\\]]?\\s*[:：]?\\s*")


def claim(blocks: list[Block]) -> list[str]:
    notes: list[str] = []
    for i, block in enumerate(blocks):
        if block.role is not None:
            continue
        m = _CUE.match(block.text)
        if m is None:
            continue
        words = block.text[m.end() :]
        if words:
            block.assign(Role.EDITOR_NOTE, m.group("cue"))
            notes.append(words)
            continue
        # a heading "【编者按】" over the note's paragraph
        block.assign(Role.HEADING, m.group("cue"))
        if i + 1 < len(blocks) and blocks[i + 1].role is None:
            blocks[i + 1].assign(Role.EDITOR_NOTE, m.group("cue") + "（下段）")
            notes.append(blocks[i + 1].text)
    return notes
