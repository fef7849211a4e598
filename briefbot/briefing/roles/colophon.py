"""The colophon (版记): 报/送/发, 抄送, 印发, 共印N份, contacts — at the end of the document."""

from __future__ import annotations

import re

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import find_date, is_date_only
from briefbot.briefing.model import Colophon
from briefbot.briefing.roles.signature import is_organ

# not on 、: "各县（市、区）" and "省委、省政府领导同志" are single addressees
_LIST_SPLIT = re.compile(r"[，,；;]\s*")
_COPIES = re.compile(r"共印\s*(\d+)\s*份")
_ANNOTATION = re.compile(r"^[（(](?:此件|本刊|本期)[^）)]{1,60}[）)]$")
_SUPPLIED = re.compile(r"^(?:供稿单位|供稿)[:：](?P<by>[^，,；;:：]{2,30})$")
_EDITED = re.compile(r"^(?P<by>.{2,40}?)\s*(?:编印|编发|编)$")


def cue_for(text: str) -> str | None:
    compact = re.sub(r"\s", "", text)
    if compact.startswith(cues.COLOPHON_STARTS):
        return "版记：" + next(c for c in cues.COLOPHON_STARTS if compact.startswith(c))
    if len(text) <= 80 and (compact.endswith(("印发", "编印")) or _COPIES.search(compact)):
        return "版记：" + ("共印" if _COPIES.search(compact) else "印发")
    if len(text) <= 40 and _EDITED.match(compact) and compact.endswith(cues.EDITED_BY):
        return "版记：编印单位"
    if len(compact) <= 60 and re.search(
        r"(?:联系人|联系电话|值班电话|电话|传真|邮箱)[:：]", compact
    ):
        return "版记：联系方式"
    return None


def claim(blocks: list[Block]) -> None:
    """From the end backwards, across boilerplate, while blocks look like a colophon."""
    for block in reversed(blocks):
        if block.role is Role.BOILERPLATE:
            continue
        if block.role is not None:
            break
        cue = cue_for(block.text)
        if cue is None:
            if is_date_only(block.text) or is_organ(block.text):
                continue  # a signature below the colophon: the signature module takes it
            if len(block.text) <= 12 and sum(b.text == block.text for b in blocks) > 1:
                continue  # a running head on the last page ("工作动态")
            break
        block.assign(Role.COLOPHON, cue)
    # "某某办公室编", the 印发 line and "（此件公开发布）" also stand alone elsewhere
    for block in blocks:
        if block.role is None and len(block.text) <= 60:
            compact = re.sub(r"\s", "", block.text)
            if _ANNOTATION.match(compact):
                block.assign(Role.COLOPHON, "附注：此件…")
                continue
            if (compact.endswith("印发") and find_date(compact)[0] is not None) or (
                _EDITED.match(compact) and compact.endswith(("编印", "编"))
            ):
                block.assign(Role.COLOPHON, "版记：编印单位")


def fields(blocks: list[Block]) -> Colophon:
    lines = [b.text for b in blocks if b.role is Role.COLOPHON]
    found: dict[str, list[str]] = {"报": [], "送": [], "发": [], "抄送": []}
    printed_by = None
    edited_by = None
    supplied_by = None
    printed_on = None
    copies = None
    contacts: list[str] = []
    for line in lines:
        if m := re.match(r"^(抄\s*送|抄\s*报|主\s*送|分\s*送|[报送发])\s*[:：]\s*(.*)$", line):
            key = re.sub(r"\s", "", m.group(1))
            key = {"抄报": "抄送", "主送": "送", "分送": "送"}.get(key, key)
            found[key].extend(x for x in _LIST_SPLIT.split(m.group(2)) if x)
            continue
        if c := _COPIES.search(line):
            copies = int(c.group(1))
            line = line.replace(c.group(0), "").strip()
            if not line:
                continue
        compact = re.sub(r"\s", "", line)
        if (supplied := _SUPPLIED.match(compact)) and is_organ(supplied.group("by")):
            supplied_by = supplied_by or supplied.group("by")
            continue
        if "印发" in compact or _EDITED.match(compact):
            on, raw = find_date(compact)
            if on is not None and raw is not None:
                printed_on = on
                compact = compact.replace(raw, "")
            by = re.sub(r"(印发|编印|编发|编)$", "", compact).strip("，, ")
            if by and _EDITED.match(compact):
                edited_by = edited_by or by  # "某某办公室编": the body that edits it names itself
            printed_by = by or printed_by
            continue
        if re.match(r"^(联系人|联系电话|电\s*话|传\s*真|责任编辑|审\s*核|签\s*发|邮箱|地址)", line):
            contacts.append(line)
    return Colophon(
        report_to=tuple(found["报"]),
        send_to=tuple(found["送"]),
        issue_to=tuple(found["发"]),
        copy_to=tuple(found["抄送"]),
        printed_by=edited_by or printed_by,
        supplied_by=supplied_by,
        printed_on=printed_on,
        copies=copies,
        contacts=tuple(contacts),
        lines=tuple(lines),
    )
