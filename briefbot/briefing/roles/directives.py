"""Directives in all their real forms, found anywhere in the document.

- quoted: ``11月19日，省长易炼红在《…》上作出批示：“…”`` (in a directive section or inline in a
  news item; several leaders in one paragraph);
- unquoted after a colon inside a directive section: ``市长林某某批示：…``;
- notes by a body: ``中共某某省委批语：…``, ``某某办公厅按：…``, ``中央认为，…``;
- signed notes: paragraphs followed by a person's name and a date, without quotation marks;
- relay (转发) notes: ``现将《…》印发给你们，请…`` — the body that relays is the "leader".

A directive's text is the source's words after layout repair only. Headings that hold
directives (``【领导批示】``, a bold ``区长批示``, ``批示精神``, a heading naming the leader) mark a
directive section; editor's notes (编者按) are not directives and are left to their own module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.dates import (
    CN_MONTH_DAY,
    MONTH_DAY,
    SHORT_DATE,
    find_date,
    is_date_only,
    month_day,
    resolve_month_day,
)
from briefbot.briefing.designation import (
    Subject,
    bare_name,
    leading_stripped,
    parse_subject,
    people,
    split_signature_name,
    subject_before,
)
from briefbot.briefing.model import Directive
from briefbot.briefing.numerals import to_ascii_digits
from briefbot.briefing.repair import as_section_heading, is_addressee, is_salutation
from briefbot.briefing.roles.signature import is_organ

_DOCUMENT = re.compile(r"《(?P<doc>[^》]{1,80})》")
# "…。”（4月14日）": the date a directive was given, after its words
_DATE_TAIL = re.compile(r"\s*[（(](?P<date>(?:\d{4}年)?\d{1,2}月\d{1,2}日)[）)]$")
_DATE_AFTER = re.compile(r"\s*[（(](?P<date>(?:\d{4}年)?\d{1,2}月\d{1,2}日)[）)]")


# "区委副书记、区长某某：要举一反三。…" (a designation and a name, then the words)
_NAMED_COLON = re.compile(r"^(?P<who>[^，。；：:“”！？]{3,40}?)[：:](?P<words>.+)$", re.S)


_ATTACHMENT = ("附件", "附：", "附:")
# a name alone as the subject, followed by where or on what the note was written
_NAME_AT = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,3})(?:同志)?(?=在|对|于|就|亲自|作出|做出)")


def _surnamed(name: str) -> bool:
    """A name written with no post beside it: a surname first, and no place word last ("区里")."""
    return name[0] in cues.SURNAMES and name[-1] not in "里们方面上下中内外"


# "批示内容为：", "批示如下：": the words of a directive reported just before
_WORDS_CUE = re.compile(r"^(?:批示|批语)(?:的)?(?:内容|全文|原文)?(?:为|如下)[:：]\s*")
# a paragraph that opens another account: a date, "这是…"
_NEW_ACCOUNT = re.compile(r"^(?:\d{4}年|\d{1,2}月\d{1,2}日|这是|此后|随后)")


@dataclass
class Found:
    directive: Directive
    block: int


@cache
def _verbs() -> re.Pattern[str]:
    verbs = "|".join(sorted(cues.DIRECTIVE_VERBS, key=len, reverse=True))
    links = "|".join(cues.SPEECH_LINKS)
    return re.compile(
        rf"(?P<verb>{verbs})(?P<doc>《[^》]{{1,80}}》)?"
        # "批示（11月16日）：": the day it was given, in brackets after the verb
        rf"(?:[（(](?P<when>(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}日)[）)])?"
        rf"(?:(?:时|中)?[，,]?\s*(?P<link>{links})?)?"
        rf"\s*(?P<colon>[:：])?\s*(?P<quote>“)?"
    )


@cache
def _body_note() -> re.Pattern[str]:
    verbs = "|".join(sorted(cues.BODY_NOTE_VERBS, key=len, reverse=True))
    return re.compile(rf"^(?P<who>[^，。：:“”]{{2,30}}?)(?P<verb>{verbs})\s*[:：]\s*")


@cache
def _opinion() -> re.Pattern[str]:
    return re.compile(r"^(?P<who>[^，。：:“”]{1,20}?)认为[，,：:]")


def quoted(text: str, start: int) -> tuple[str, int]:
    """Text from ``start`` (just after an opening “) to its matching ”, nesting respected; and the
    index after the closing mark."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "“":
            depth += 1
        elif text[i] == "”":
            depth -= 1
            if depth == 0:
                return text[start:i], i + 1
    return text[start:].rstrip("”"), len(text)


def heading_kind(text: str) -> str | None:
    """``"section"`` for a heading that holds directives, else None."""
    text = text.lstrip(cues.BULLET_MARKS + " ")
    name = as_section_heading(text) or (text.strip("【】") if text.startswith("【") else None)
    candidate = name if name is not None else text
    if len(candidate) > 30 or re.search(r"[。；”]$", candidate):
        return None
    if re.search(r"[：:].", candidate.rstrip("：: ")) or "“" in candidate:
        return None  # "某某批示：“同意。”": a directive's words follow, it heads nothing
    compact = re.sub(r"\s", "", candidate).rstrip("：:")
    if any(compact.endswith(h) or compact == h for h in cues.DIRECTIVE_HEADINGS):
        return "section"
    if "批示" in compact and (name is not None or len(compact) <= 20):
        return "section"
    return None


def heading_subject(text: str) -> Subject | None:
    """Who a directive heading names: "★林远山书记批示", "市长林某某批示", "区长批示"."""
    words = re.sub(r"[【】\s]", "", text).strip(cues.BULLET_MARKS).rstrip("：:")
    for verb in sorted(cues.DIRECTIVE_HEADINGS, key=len, reverse=True):
        if words.endswith(verb):
            words = words[: -len(verb)].removesuffix("的").removesuffix("同志")
            break
    if not words:
        return None
    subject = parse_subject(words)
    if subject is not None:
        return subject
    if re.fullmatch(f"(?:{'|'.join(cues.LEVELS)})?(?:{'|'.join(cues.POSTS)})", words):
        return Subject("", words)  # "区长批示": the post without a name
    return None


def _ends_section(text: str) -> bool:
    """A heading-like line after a directive section's text ends the section."""
    bare = text.lstrip(cues.BULLET_MARKS + " ")
    return (
        len(bare) <= 30
        and not re.search(r"[。；！？”]$", bare)
        and not is_date_only(bare)
        and not (len(bare) <= 12 and split_signature_name(bare) is not None)
    )


_YEAR = re.compile(r"(?<!\d)(\d{4})年")


def _date_before(
    text: str, end: int, reference: date | None, earlier: str = ""
) -> tuple[date | None, str]:
    """The date given in the clause before a verb: "11月19日，…作出批示".

    Not the date of a meeting that relayed the directive ("9月9日，…会议传达了…作出的批示");
    "当晚"/"当天" is the day last named before the clause (in this paragraph or ``earlier``,
    the one above). A month and day without a year take
    the year the same sentence names ("2月16日，在2011年全省…会议召开之前"), else the reference's.
    """
    start = max(text.rfind("。", 0, end), text.rfind("；", 0, end)) + 1
    clause = to_ascii_digits(text[start:end])
    full, raw = find_date(clause)
    m = MONTH_DAY.search(clause)
    found = full is not None and raw is not None
    at = clause.find(raw) + len(raw) if found and raw else m.end() if m else -1
    if at >= 0 and any(cue in clause[at:] for cue in cues.RELAYED_DIRECTIVE_CUES):
        return None, ""  # the date of the meeting that relayed it
    if full is not None and raw is not None:
        return full, raw
    if m:
        years = set(_YEAR.findall(clause))
        if reference is None and len(years) == 1:
            reference = date(int(years.pop()), 12, 31)
        return resolve_month_day(m.group(0), reference, forward=False), m.group(0)
    if any(word in clause for word in cues.SAME_DAY_WORDS):
        for before in (text[:start], earlier):
            named = list(MONTH_DAY.finditer(to_ascii_digits(before)))
            if named:
                md = named[-1].group(0)
                return resolve_month_day(md, reference, forward=False), md
    return None, ""


def _subject_start(text: str, verb_start: int) -> int:
    return max(text.rfind(ch, 0, verb_start) for ch in "。；;！？\n") + 1


class Finder:
    def __init__(self, blocks: list[Block], reference: date | None, issuer: str | None) -> None:
        self.blocks = blocks
        self.reference = reference
        self.issuer = issuer
        self.found: list[Found] = []
        self._people: dict[str, str] | None = None
        # leaders reported to have given a directive whose words have not been seen yet
        self.pending: dict[str, tuple[Subject, date | None, str]] = {}

    def people(self) -> dict[str, str]:
        if self._people is None:
            self._people = people([b.text for b in self.blocks if b.role is None])
        return self._people

    def subject(self, text: str, end: int) -> Subject | None:
        """Who stands before ``end``; a bare name is attributed from earlier mentions."""
        found = subject_before(text, end)
        if found is not None:
            return self._in_full(found)
        start = max(text.rfind(ch, 0, end) for ch in "。；;！？\n：:") + 1
        name = bare_name(text[start:end])
        if name is not None and name in self.people():
            return Subject(name, self.people()[name])
        # "9月23日晚，何晓东在…上批示": someone named with a post elsewhere, then by name alone
        clause = leading_stripped(text[start:end])
        for known, designation in self.people().items():
            if clause.startswith(known) and clause[len(known) :].startswith(cues.AFTER_NAME):
                return Subject(known, designation)
        # "这是1966年7月25日，毛泽东在…清样上的批示": a name alone, then where the note was written
        for part in reversed(re.split(r"[，,]", text[start:end])):
            m = _NAME_AT.match(leading_stripped(part))
            if m and bare_name(m.group("name")) == m.group("name") and _surnamed(m.group("name")):
                return Subject(m.group("name"), self.people().get(m.group("name"), ""))
        return None

    def _designation_of(self, name: str) -> str:
        """The designation the document first gives ``name`` (read around each mention only:
        cheaper than :meth:`people`, which reads all of the text)."""
        if self._people is not None:
            return self._people.get(name, "")
        for block in self.blocks:
            if block.role is not None:
                continue
            at = block.text.find(name)
            while at >= 0:
                window = block.text[max(0, at - 40) : at + len(name) + 2]
                if found := people([window]).get(name):
                    return found
                at = block.text.find(name, at + 1)
        return ""

    def _in_full(self, subject: Subject) -> Subject:
        """ "朱镕基总理" after "国务院总理朱镕基": a bare post is the short form of a designation the
        document gives in full elsewhere."""
        if subject.designation not in cues.POSTS:
            return subject
        fuller = self._designation_of(subject.leader)
        if fuller.endswith(subject.designation) and fuller != subject.designation:
            return Subject(subject.leader, fuller, subject.is_body)
        return subject

    # -- helpers ------------------------------------------------------------------------------
    def _add(self, block: int, subject: Subject, text: str, when: date | None, raw: str,
             verb: str, document: str | None = None) -> None:  # fmt: skip
        text = text.strip()
        if not text:
            return
        self.found.append(
            Found(
                Directive(
                    leader=subject.leader,
                    title=subject.designation,
                    date=when,
                    date_raw=raw,
                    text=text,
                    document=document,
                    verb=verb,
                ),
                block,
            )
        )

    def _free(self, i: int) -> bool:
        return 0 <= i < len(self.blocks) and self.blocks[i].role is None

    # -- forms --------------------------------------------------------------------------------
    def quoted_and_colon(self, i: int, in_section: bool) -> None:
        """``…批示：“…”`` anywhere; ``…批示：…`` and ``…批示指出，…`` unquoted: a person's anywhere,
        a body's only inside a directive section."""
        block = self.blocks[i]
        text = block.text
        if self._reported(i):
            return
        position = 0
        claimed = 0  # the end of the last directive taken from this block
        while m := _verbs().search(text, position):
            position = m.end()
            subject = self.subject(text, m.start())
            if subject is None:
                continue
            start = max(_subject_start(text, m.start()), claimed)
            above = self.blocks[i - 1].text if i else ""
            when, raw = _date_before(text, m.start(), self.reference, above)
            if m.group("when"):
                when, raw = self._dated_by(m.group("when"))
            if when is None and not raw:
                when, raw = self._introduced_on(block, start, subject.leader)
            doc = _DOCUMENT.search(text[start : m.start()]) or _DOCUMENT.search(
                m.group("doc") or ""
            )
            document = doc.group("doc") if doc else None
            verb = "批示" if "批示" in m.group("verb") else m.group("verb")
            if m.group("quote"):
                words, end = quoted(text, m.end())
                if when is None and (after := _DATE_AFTER.match(text, end)):
                    when, raw = self._dated_by(after.group("date"))
                    end = after.end()
                if end >= len(text.rstrip()):
                    when, raw = self._signed_off(i + 1, subject, when, raw)
                self._add(i, subject, words, when, raw, verb, document)
                block.mark(start, end, Role.DIRECTIVE, f"{subject.leader}{verb}（引号）")
                position = claimed = end
                continue
            rest = text[m.end() :]
            if m.group("colon") and not rest.strip() and self._free(i + 1):
                # the words stand in the next paragraph: "…作出批示：" / "“…”"
                following = self.blocks[i + 1]
                words = following.text
                if words.startswith("“"):
                    words = quoted(words, 1)[0]
                self._add(i, subject, words, when, raw, verb, document)
                block.mark(start, len(text), Role.DIRECTIVE, f"{subject.leader}{verb}")
                following.assign(Role.DIRECTIVE, f"{subject.leader}{verb}（下段）")
                return
            # "批示，要求有关部门研究落实" reports the gist, not the words: only a colon or
            # 指出/强调 introduces what the leader wrote
            words_follow = m.group("colon") or m.group("link") in cues.WORDS_LINKS
            if not words_follow and not subject.is_body:
                # "…作出重要批示。" without the words: they may follow as "某某指出，…"
                self.pending[subject.leader] = (subject, when, raw)
                continue
            if (words_follow or (in_section and m.group("link"))) and (
                in_section or not subject.is_body
            ):
                # unquoted words: to the next leader's directive in the paragraph, or its end
                end = self._next_directive(text, m.end())
                words = text[m.end() : end].lstrip("，, ")
                if end >= len(text):
                    when, raw = self._signed_off(i + 1, subject, when, raw)
                self._add(i, subject, words, when, raw, verb, document)
                cue = "批示栏目" if in_section else "无引号"
                block.mark(start, end, Role.DIRECTIVE, f"{subject.leader}{verb}（{cue}）")
                position = claimed = end

    def named_colon(self, i: int) -> bool:
        """Inside a directive section, ``区委书记某某：…``: a leader named, a colon, the words."""
        block = self.blocks[i]
        m = _NAMED_COLON.match(block.text)
        if m is None or not m.group("words").strip():
            return False
        who = m.group("who").removesuffix("同志")
        subject = parse_subject(who)
        if subject is None or subject.is_body:
            return False
        # "区委书记某某：" or "某某（区委书记）：": the name or its bracketed designation ends it
        if not re.sub(r"[（(][^（）()]*[）)]$", "", who).endswith(subject.leader):
            return False
        if not subject.designation and subject.leader not in self.people():
            return False
        subject = self._in_full(subject)
        when, raw = self._signed_off(i + 1, subject, *self._trailing_date(i + 1))
        words = m.group("words")
        if words.startswith("“") and words.rstrip().endswith("”"):
            words = quoted(words, 1)[0]
        self._add(i, subject, words, when, raw, "批示")
        block.assign(Role.DIRECTIVE, f"{subject.leader}批示（署名冒号）")
        return True

    def _signed_off(
        self, k: int, subject: Subject, when: date | None, raw: str
    ) -> tuple[date | None, str]:
        """The leader's name (and the date) under the words: "…。" / "王某某" / "2024年3月5日".

        The lines are the directive's own; their date is the directive's when it had none."""
        if not self._free(k):
            return when, raw
        line = re.sub(r"\s", "", self.blocks[k].text)
        if subject.is_body:
            return when, raw  # a body's date line under its note is the document's (signature)
        if when is None and not raw and (is_date_only(line) or SHORT_DATE.match(line)):
            return self._trailing_date(k)  # "…。" / "9月22日": the day it was signed, unnamed
        dated, dated_raw = find_date(line)
        if dated_raw:
            line = line.replace(dated_raw, "")
        name = line.removesuffix("同志")
        if name not in (subject.leader, subject.designation + subject.leader):
            return when, raw
        self.blocks[k].assign(Role.DIRECTIVE, "批示落款：署名")
        if dated is None and self._free(k + 1):
            below = re.sub(r"\s", "", self.blocks[k + 1].text)
            if is_date_only(below) or SHORT_DATE.match(below):
                dated, dated_raw = find_date(below)
                if dated is None and (md := month_day(below)):
                    dated, dated_raw = resolve_month_day(md, self.reference, forward=False), md
                self.blocks[k + 1].assign(Role.DIRECTIVE, "批示落款：日期")
        if when is None and not raw and (dated is not None or dated_raw):
            return dated, dated_raw or ""
        return when, raw

    def _introduced_on(self, block: Block, before: int, leader: str) -> tuple[date | None, str]:
        """ "6月7日，A、B、C分别作出批示。A批示：“…”": the date of the sentence introducing them
        (the text before ``before``, leaving out directives already taken from the block)."""
        taken = [(s.start, s.end) for s in block.segments if s.role is Role.DIRECTIVE]
        intro = "".join(
            ch for i, ch in enumerate(block.text[:before]) if not any(a <= i < b for a, b in taken)
        )
        for sentence in reversed(re.findall(r"[^。；]+[。；]?", intro)):
            # the sentence must name this leader: "县领导先后作出批示" dates nobody
            if ("批示" in sentence or "指示" in sentence) and leader in sentence:
                sentence = sentence.rstrip("。；")
                found = _date_before(sentence, len(sentence), self.reference)
                if found[0] is not None or found[1]:
                    return found
        return None, ""

    def _dated_by(self, raw: str) -> tuple[date | None, str]:
        full, full_raw = find_date(raw)
        if full is not None and full_raw is not None:
            return full, full_raw
        return resolve_month_day(raw, self.reference, forward=False), raw

    def _reported(self, i: int) -> bool:
        """ "骆惠宁省长指出，…" right after "骆惠宁省长…作出重要批示。": the 批示's words; or
        "批示内容为：…" (on through the paragraphs after it, up to the next dated account)."""
        text = self.blocks[i].text
        if self.pending and (cue := _WORDS_CUE.match(text)):
            leader = list(self.pending)[-1]
            subject, when, raw = self.pending.pop(leader)
            members = [i]
            while self._free(members[-1] + 1) and len(members) < 6:
                nxt = self.blocks[members[-1] + 1].text
                if _NEW_ACCOUNT.match(nxt) or not re.search("[。！？；”]$", nxt):
                    break
                members.append(members[-1] + 1)
            words = "\n".join([text[cue.end() :], *(self.blocks[j].text for j in members[1:])])
            self._add(i, subject, words, when, raw, "批示")
            for j in members:
                self.blocks[j].assign(Role.DIRECTIVE, f"{leader}批示（批示内容）")
            return True
        for leader, (subject, when, raw) in self.pending.items():
            who = rf"(?:{re.escape(subject.designation)})?{re.escape(leader)}(?:{re.escape(subject.designation)})?(?:同志)?"
            m = re.match(
                rf"^{who}(?:在批示中|批示中|在批示里)?(?:指出|强调|要求|表示)[，,：:]\s*", text
            )
            if m is None:
                continue
            self._add(i, subject, text[m.end() :], when, raw, "批示")
            self.blocks[i].assign(Role.DIRECTIVE, f"{leader}批示（转述）")
            return True
        return False

    def _next_directive(self, text: str, after: int) -> int:
        """Where the next directive with a subject begins in ``text`` (its sentence), or the end."""
        for m in _verbs().finditer(text, after):
            if self.subject(text, m.start()):  # "…也分别作出批示。" ends the words as well
                return max(_subject_start(text, m.start()), after)
        return len(text)

    def attributed(self, i: int) -> bool:
        """ "“…”" then "——县委书记某某 7月8日": a quotation and, under it, who gave it."""
        block = self.blocks[i]
        text = block.text
        if not (text.startswith("“") and self._free(i + 1)):
            return False
        words, end = quoted(text, 1)
        under = self.blocks[i + 1].text
        if end < len(text) - 1 or not under.startswith("——"):
            return False
        who = under.lstrip("—- ")
        when, raw = find_date(who)
        if when is None and (md := month_day(who)):
            raw = md
            when = resolve_month_day(md, self.reference, forward=False)
        name_part = re.split(r"\d|[一二三四五六七八九十]{1,2}月", who, maxsplit=1)[0]
        subject = parse_subject(name_part) or split_signature_name(name_part)
        if subject is None:
            return False
        self._add(i, subject, words, when, raw or "", "批示")
        block.assign(Role.DIRECTIVE, f"{subject.leader}批示（引文）")
        self.blocks[i + 1].assign(Role.DIRECTIVE, "批示署名（破折号）")
        return True

    def body_note(self, i: int) -> bool:
        """``某某党委批语：…``, ``某某办公厅按：…``, ``中央认为，…``."""
        block = self.blocks[i]
        text = block.text
        if text.startswith(cues.EDITOR_NOTE_CUES):
            return False
        if m := _body_note().match(text):
            who = m.group("who")
            subject = parse_subject(who) if not who.endswith("编者") else None
            if subject is None or who.startswith(("编者", "编")):
                return False
            when, raw = _date_before(text, m.start("verb"), self.reference)
            words = text[m.end() :]
            block.assign(Role.DIRECTIVE, f"{subject.leader}{m.group('verb')}")
            if not words and self._free(i + 1):  # "中共某某省委批语：" over its paragraph
                words = self.blocks[i + 1].text
                self.blocks[i + 1].assign(
                    Role.DIRECTIVE, f"{subject.leader}{m.group('verb')}（下段）"
                )
            if when is None and not raw:
                last = (
                    i + 1
                    if self.blocks[i + 1 : i + 2] and self.blocks[i + 1].role is Role.DIRECTIVE
                    else i
                )
                when, raw = self._trailing_date(last + 1)
            self._add(i, subject, words, when, raw, m.group("verb"))
            return True
        if m := _opinion().match(text):
            subject = parse_subject(m.group("who"))
            if subject is None or not subject.is_body:
                return False
            when, raw = self._trailing_date(i + 1)
            self._add(i, subject, text, when, raw, "认为")
            block.assign(Role.DIRECTIVE, f"{subject.leader}认为（机关意见）")
            return True
        return False

    def relay(self, i: int) -> bool:
        """``现将《…》印发给你们，请…``: the note up to its signature."""
        block = self.blocks[i]
        text = block.text
        if not any(v in text for v in cues.RELAY_VERBS):
            return False
        # the whole paragraph ("经…研究同意，现将…印发给你们，请…"), and the paragraphs between the
        # addressee and it: a notice's text is its note from the salutation on
        members = [*self._after_addressee(i), i]
        k = i + 1
        while self._free(k) and len(members) < 6:
            nxt = self.blocks[k].text
            if (
                is_organ(nxt)
                or is_date_only(nxt)
                or (len(nxt) <= 30 and not re.search("[。；]$", nxt))
                or nxt.startswith(_ATTACHMENT)
            ):
                break
            members.append(k)
            k += 1
        while self._free(k) and self.blocks[k].text.startswith(_ATTACHMENT):
            k += 1  # "附件：…" between the note and its signature
        organ, when = self._signature_at(k)
        leader = organ or self.issuer or ""
        words = "\n".join(self.blocks[j].text for j in members)
        self._add(members[0], Subject(leader, "", is_body=True), words, when, "", "转发")
        block.assign(Role.DIRECTIVE, "转发按语：…给你们")
        for j in members:
            if j != i:
                self.blocks[j].assign(Role.DIRECTIVE, "转发按语（续）")
        return True

    def _after_addressee(self, i: int) -> list[int]:
        """Free paragraphs right after an addressee line and before block ``i``."""
        before: list[int] = []
        j = i - 1
        while self._free(j) and len(before) < 3 and re.search("[。；]$", self.blocks[j].text):
            before.insert(0, j)
            j -= 1
        if self._free(j) and is_salutation(self.blocks[j].text):
            return [j, *before]  # "各同志：" opens the note: it is the note's own
        if before and j >= 0 and is_addressee(self.blocks[j].text):
            return before
        return []

    def _trailing_date(self, k: int) -> tuple[date | None, str]:
        """A date standing right after a directive ("（10月18日）", "中央 / 一九六四年十月八日"),
        claimed as the directive's own."""
        if not self._free(k):
            return None, ""
        text = re.sub(r"\s", "", self.blocks[k].text)
        if not (is_date_only(text) or SHORT_DATE.match(text)):
            _organ, when = self._signature_at(k)
            return when, ""
        found, raw = find_date(text)
        if found is None and (md := month_day(text)):
            found, raw = resolve_month_day(md, self.reference, forward=False), md
        self.blocks[k].assign(Role.DIRECTIVE, "批示日期")
        return found, raw or ""

    def _signature_at(self, k: int) -> tuple[str | None, date | None]:
        """Who signs at block ``k`` and when; bodies signing together stand one over the other
        ("中共某某镇委员会" / "某某镇人民政府" / date) and are joined with 、."""
        organ: str | None = None
        for j in range(k, min(k + 4, len(self.blocks))):
            text = re.sub(r"\s", "", self.blocks[j].text)
            when, raw = find_date(text)
            if when is not None and raw is not None:
                rest = text.replace(raw, "")
                return (rest if is_organ(rest) else organ), when
            if (md := month_day(text)) and (
                m := CN_MONTH_DAY.search(text) or MONTH_DAY.search(text)
            ):
                rest = text[: m.start()]
                if is_organ(rest) or (not rest and organ):
                    return (rest or organ), resolve_month_day(md, self.reference, forward=False)
            if is_organ(text):
                organ = f"{organ}、{text}" if organ else text
                continue
            break
        return organ, None

    def headed(self, heading: int, end: int) -> None:
        """A section whose heading names the leader and whose text has no directive of its own:
        the section's paragraphs are the directive ("★林远山书记批示" / "请县住建局…")."""
        inside = [f.block for f in self.found if heading < f.block < end]
        subject = heading_subject(self.blocks[heading].text)
        # the heading's own leader's words come first; another leader's may follow in the section
        stop = min(inside) if inside else end
        members = [j for j in range(heading + 1, stop) if self._free(j)]
        if subject is None or not members:
            return
        when, raw = self._trailing_date(members[-1] + 1)
        if when is None and not raw and SHORT_DATE.match(self.blocks[members[-1]].text):
            members = members[:-1]
            when, raw = self._trailing_date(members[-1] + 1) if members else (None, "")
        text = "\n".join(self.blocks[j].text for j in members)
        if when is None and not raw and (dated := _DATE_TAIL.search(text)):
            when, raw = self._dated_by(dated.group("date"))  # "“…”（8月8日）"
            text = text[: dated.start()]
        if text.startswith("“") and text.endswith("”"):
            text = quoted(text, 1)[0]
        self._add(members[0], subject, text, when, raw, "批示")
        for j in members:
            self.blocks[j].assign(
                Role.DIRECTIVE, f"{subject.designation}{subject.leader}批示（栏目标题署名）"
            )

    def signed(self, first: int, i: int) -> bool:
        """Paragraphs ``first..i-1`` followed by a name (block ``i``) and a date: a signed note."""
        if i - first < 1 or not self._free(i):
            return False
        text = re.sub(r"\s", "", self.blocks[i].text)
        when: date | None = None
        raw = ""
        found, found_raw = find_date(text)
        if found is not None and found_raw is not None:  # "林某某 2024年4月5日"
            when, raw, text = found, found_raw, text.replace(found_raw, "")
        subject = split_signature_name(text)
        if subject is None or subject.is_body:
            return False
        if not subject.designation and subject.leader in self.people():
            # "乌日根旗长批示" over the note, "乌日根" under it
            subject = Subject(subject.leader, self.people()[subject.leader])
        date_block = None
        if when is None and self._free(i + 1):
            nxt = re.sub(r"\s", "", self.blocks[i + 1].text)
            if is_date_only(nxt) or SHORT_DATE.match(nxt):
                found, found_raw = find_date(nxt)
                if found is None and (md := month_day(nxt)):
                    found = resolve_month_day(md, self.reference, forward=False)
                    found_raw = md
                # a month and day alone is resolved once the document's own date is known
                when, raw, date_block = found, found_raw or nxt, i + 1
        if when is None and not raw:
            return False
        members: list[int] = []
        for j in range(i - 1, max(first, i - 6) - 1, -1):
            if (
                not self._free(j)
                or heading_kind(self.blocks[j].text)
                or as_section_heading(self.blocks[j].text)
            ):
                break
            members.insert(0, j)
        if not members:
            return False
        words = "\n".join(self.blocks[j].text for j in members)
        self._add(members[0], subject, words, when, raw, "批示")
        for j in members:
            self.blocks[j].assign(Role.DIRECTIVE, f"{subject.leader}签批（无引号）")
        self.blocks[i].assign(Role.DIRECTIVE, "批示落款：署名")
        if date_block is not None:
            self.blocks[date_block].assign(Role.DIRECTIVE, "批示落款：日期")
        return True


def claim(
    blocks: list[Block], reference: date | None, issuer: str | None
) -> tuple[list[Directive], dict[int, int]]:
    """Directives in document order, and the directive sections (heading index -> end index)."""
    finder = Finder(blocks, reference, issuer)
    section_heads: dict[int, int] = {}
    section: int | None = None  # the heading of the directive section we are in
    first = 0  # where the current run of paragraphs began (for signed notes)

    def close(end: int) -> None:
        nonlocal section
        if section is not None:
            finder.headed(section, end)
            section_heads[section] = end
        section = None

    for i, block in enumerate(blocks):
        if block.role is not None and block.role is not Role.DIRECTIVE:
            if block.role in (Role.MASTHEAD, Role.SIGNATURE, Role.COLOPHON):
                first = i + 1
            continue
        if block.role is Role.DIRECTIVE:
            first = i + 1
            continue
        text = block.text
        if _body_note().match(text) and finder.body_note(i):
            close(i)
            first = i + 1
            continue
        kind = heading_kind(text)
        if kind is not None and len(text) <= 30:
            named = heading_subject(text)
            if named is not None and named.leader and named.designation:
                finder.people().setdefault(named.leader, named.designation)
            close(i)
            block.assign(Role.HEADING, "批示栏目标题")
            section, first = i, i + 1
            continue
        bare = text.lstrip(cues.BULLET_MARKS + " ")
        if as_section_heading(bare) is not None or (bare.startswith("【") and bare.endswith("】")):
            close(i)
            first = i + 1
            continue
        if section is not None and i > section + 1 and _ends_section(text):
            close(i)
            first = i
        if finder.signed(first, i):
            first = i + 2
            continue
        if finder.attributed(i) or finder.body_note(i) or finder.relay(i):
            first = i + 1
            continue
        if section is not None and finder.named_colon(i):
            first = i + 1
            continue
        finder.quoted_and_colon(i, section is not None)
    close(len(blocks))
    ordered = sorted(finder.found, key=lambda f: f.block)
    return [f.directive for f in ordered], section_heads
