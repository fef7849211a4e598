"""``ingest --explain``: every piece of the document with its role and the cue that decided it."""

from __future__ import annotations

from briefbot.briefing.blocks import ROLE_NAMES, Role
from briefbot.briefing.model import Briefing


def explain_parse(briefing: Briefing, width: int = 60) -> str:
    lines = []
    for part in briefing.parts:
        text = part.text.replace("\n", "⏎")
        shown = text if len(text) <= width else text[: width - 1] + "…"
        role = ROLE_NAMES[Role(part.role)]
        lines.append(f"[{part.block:>3}] {role:<6} {part.cue:<22} {shown}")
    for dropped in briefing.dropped:
        lines.append(f"[ - ] 已去除   {dropped.reason:<22} {dropped.text}")
    return "\n".join(lines)
