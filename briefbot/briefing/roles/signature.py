"""Signatures: an issuing body's name followed by a date, wherever a document or a note ends.

``某某县人民政府办公室`` / ``二〇二四年四月五日`` (two lines or one). A person's name over a date is
a signed note, which :mod:`briefbot.briefing.roles.directives` claims first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import CN_MONTH_DAY, MONTH_DAY, find_date, is_date_only


@dataclass(frozen=True)
class Signature:
    block: int  # the index of its first block
    organ: str | None
    date: date | None


def is_organ(text: str) -> bool:
    compact = re.sub(r"\s", "", text)
    if compact in cues.BODIES:  # "中央", "国务院" signing a note
        return True
    # one office under two names, the second in brackets: "集团公司办公室（党委办公室）"
    alias = re.fullmatch(r"(?P<organ>.+?)[（(](?P<alias>[^（）()]{3,20})[）)]", compact)
    if alias and is_organ(alias.group("alias")):
        compact = alias.group("organ")
    return (
        2 < len(compact) <= 40
        and compact.endswith(cues.ISSUER_ENDINGS)
        and not re.search(r"[。，；：！？,:;]", compact)
    )


def _organ_and_date(text: str) -> tuple[str, date | None] | None:
    """ "某某办公室  2024年4月5日" on one line; "中央十一月二十七日" (no year: resolved later)."""
    compact = re.sub(r"\s", "", text)
    when, raw = find_date(compact)
    if when is not None and raw is not None:
        organ = compact.replace(raw, "").strip("（）()")
        return (organ, when) if is_organ(organ) else None
    m = CN_MONTH_DAY.search(compact) or MONTH_DAY.search(compact)
    if m is not None and m.end() == len(compact) and is_organ(compact[: m.start()]):
        return compact[: m.start()], None
    return None


def claim(blocks: list[Block]) -> list[Signature]:
    found: list[Signature] = []
    for i, block in enumerate(blocks):
        if block.role is not None:
            continue
        if (both := _organ_and_date(block.text)) is not None:
            block.assign(Role.SIGNATURE, "落款：单位和日期")
            found.append(Signature(i, both[0], both[1]))
            continue
        if not is_date_only(block.text):
            continue
        when, _ = find_date(block.text, iso=True)
        organs: list[int] = []
        k = i - 1
        while k >= 0 and blocks[k].role is None and is_organ(blocks[k].text) and len(organs) < 3:
            organs.insert(0, k)
            k -= 1
        at_end = all(b.role is not None for b in blocks[i + 1 :])
        after_note = i > 0 and blocks[i - 1].role is Role.DIRECTIVE
        if not organs and not at_end and not after_note:
            continue  # a bare date inside the text: a masthead date or a note's date
        for k in organs:
            blocks[k].assign(Role.SIGNATURE, "落款：单位")
        block.assign(Role.SIGNATURE, "落款：日期")
        # two bodies signing together stand one over the other: "中共某某镇委员会" / "某某镇人民政府"
        organ = "、".join(re.sub(r"\s", "", blocks[k].text) for k in organs) or None
        found.append(Signature(organs[0] if organs else i, organ, when))
    return found
