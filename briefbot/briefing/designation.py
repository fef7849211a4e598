"""Who instructed: a person's designation chain and name, or a body, read structurally.

``市委副书记、市长林某某`` → designation ``市委副书记、市长``, name ``林某某``;
``易炼红省长`` → ``省长``, ``易炼红``; ``中共某某省委`` → the body itself. A designation is a chain
of elements joined by 、, each an organ (a place and a body or department, possibly empty) and a
post from :mod:`briefbot.briefing.cues`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from briefbot.briefing import cues

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"


@dataclass(frozen=True)
class Subject:
    leader: str  # the person's name, or the body
    designation: str  # "" for a body or a bare name
    is_body: bool = False


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    posts = _alternation(cues.POSTS)
    bodies = _alternation(cues.BODIES)
    levels = _alternation(cues.LEVELS)
    departments = _alternation(cues.DEPARTMENT_ENDINGS)
    # an organ written out: free text up to a body or department ending (lazy: shortest first)
    # it never holds a particle or a verb that ends the clause before it ("会上传达了市委书记")
    stop = "了的在对把被将是有"
    organ = rf"(?:[^\W\d_{stop}与和及](?:(?![{stop}])[{_CJK}“”‘’（）()·]){{0,15}}?)?"
    element = rf"{organ}(?:{posts})"
    # two or three characters; four only after a compound surname; minority names joined by ·
    compound = _alternation(cues.COMPOUND_SURNAMES)
    name = (
        rf"(?P<name>(?:{compound})[{_CJK}]{{1,2}}|[{_CJK}]{{2,3}}?|[{_CJK}]{{1,6}}·[{_CJK}]{{1,6}})"
    )
    # after a title, what follows bounds the name: Mongolian, Tibetan and Uyghur names run longer
    # (no character of it may begin a post, and it may not begin like an organ word or a verb)
    not_post = rf"(?:(?!{posts})[{_CJK}])"
    long_name = (
        rf"(?P<name>(?![{cues.NOT_NAME_STARTS}])(?:(?:{compound})[{_CJK}]{{1,2}}|{not_post}{{2,6}}?"
        rf"|[{_CJK}]{{1,6}}·[{_CJK}]{{1,6}}))"
    )
    after = rf"(?={_alternation(cues.AFTER_NAME + cues.DIRECTIVE_VERBS)}|[，,、：:（(]|\d|$)"
    # elements are chained with 、, and a second group of posts after a comma
    # ("市委常委、秘书长，市直机关工委书记邵启文")
    title_first = re.compile(rf"(?P<chain>(?:{element}[、，,])*{element}){long_name}{after}")
    # a name before its title: the organ must be a known body or a place + body ("易炼红省长")
    free = rf"(?:(?![{stop}])[{_CJK}])"
    known_organ = (
        rf"(?:(?:{free}{{1,6}}?(?:{levels}))?(?:{bodies})|{free}{{1,8}}?(?:{departments}))?"
    )
    # a post owning something is no subject: "接到总理的批示后" names nobody
    name_first = re.compile(
        rf"{name}(?P<chain>(?:{known_organ}(?:{posts})、)*{known_organ}(?:{posts}))(?!的)"
    )
    # a name with its designation in brackets after it ("周某某（区委副书记、区长）", "…同志（…）")
    bracketed = re.compile(
        rf"(?P<name>(?:{compound})[{_CJK}]{{1,2}}|[{_CJK}]{{2,3}}|[{_CJK}]{{1,6}}·[{_CJK}]{{1,6}})"
        rf"(?:同志)?[（(](?P<chain>(?:{element}[、，,])*{element})[）)]"
    )
    # joint bodies are joined by 、: "市委、市政府", "省委办公厅、省政府办公厅"
    # a leader named by post only stands as a body does ("市委主要领导", "省政府分管负责同志")
    by_post = _alternation(cues.LEADERS_BY_POST)
    body = re.compile(
        rf"^(?P<body>[{_CJK}“”（）()、]{{0,30}}?(?:{bodies}|{departments}|会议)(?:{by_post})?)$"
    )
    return title_first, name_first, body, bracketed


_LEADING = re.compile(
    r"^(?:\d{1,4}年)?(?:\d{1,2}月\d{1,2}日)?(?:[上下]午|晚上?)?[，,、\s]*"
    r"|^(?:近日|日前|近期|最近|此前|随后|同时|另外|此外|对此|为此)[，,、\s]*"
)


def _is_name(name: str) -> bool:
    return (
        name not in cues.NOT_NAMES
        and name[0] not in cues.NOT_NAME_STARTS
        and not any(ch in name for ch in "了的在批示")
        and not name.endswith(cues.POSTS)
        and not name.endswith(cues.BODIES)
        and not name.endswith(cues.LEVELS)
        and "委" not in name
    )


_BOUNDARY = "，,、。；;：:“”‘’（）() \u3000"


def _clean_chain(chain: str) -> bool:
    return not re.search(r"[了的在是有]", chain.split("、")[0][:2])


def parse_subject(clause: str) -> Subject | None:
    """The subject at the start of ``clause`` (the words before 批示/批语/按 in one sentence)."""
    clause = _LEADING.sub("", clause.strip(), count=1).strip("，,、 ")
    if not clause:
        return None
    title_first, name_first, body, bracketed = _patterns()
    # the leftmost place where a designation and a name stand, skipping words before them
    for start in range(len(clause)):
        # a name before its title starts the clause or follows punctuation ("易炼红省长对…")
        boundary = start == 0 or clause[start - 1] in _BOUNDARY
        before: tuple[re.Pattern[str], ...] = (title_first,)
        if boundary:
            brackets = "（" in clause or "(" in clause
            before = (bracketed, title_first, name_first) if brackets else (title_first, name_first)
        for pattern in before:
            m = pattern.match(clause, start)
            if m and _is_name(m.group("name")) and _clean_chain(m.group("chain")):
                return Subject(m.group("name"), m.group("chain"))
    # a bare post chain with the name elsewhere ("省委主要领导") is no subject; a body is
    cut = re.split(r"(?:在|对|于|就|作出|做出)", clause, maxsplit=1)[0].strip("，,、 ")
    if cut and (m := body.match(cut)):
        return Subject(m.group("body"), "", is_body=True)
    return None


def people(texts: list[str]) -> dict[str, str]:
    """Everyone named with a designation anywhere in the document: name -> designation.

    "县委副书记、县长何卫东" early on lets a later bare "何卫东批示：“…”" be attributed.
    """
    title_first, name_first, _, bracketed = _patterns()
    found: dict[str, str] = {}
    for text in texts:
        inside: set[int] = set()  # within "某某（…）": no other reading starts there
        brackets = "（" in text or "(" in text
        for pattern in (
            (bracketed, title_first, name_first) if brackets else (title_first, name_first)
        ):
            for start in range(len(text)):
                if pattern is not title_first and start and text[start - 1] not in _BOUNDARY:
                    continue
                m = pattern.match(text, start)
                if (
                    m
                    and start not in inside
                    and _is_name(m.group("name"))
                    and _clean_chain(m.group("chain"))
                ):
                    found.setdefault(m.group("name"), m.group("chain"))
                    if pattern is bracketed:
                        inside.update(range(start + 1, m.end()))
    return found


def leading_stripped(clause: str) -> str:
    """The clause without a leading date or time word ("9月23日晚，", "近日，")."""
    return _LEADING.sub("", clause.strip(" ”’"), count=1).strip("，,、 ")


def bare_name(clause: str) -> str | None:
    """A clause that is only a person's name ("何卫东", "何卫东同志"; a longer name is written
    with · between its parts, "阿不都·热合曼": "某某农业大学" is no name)."""
    clause = _LEADING.sub("", clause.strip(" ”’"), count=1).strip("，,、 ").removesuffix("同志")
    if re.fullmatch(
        f"[{_CJK}]{{2,4}}|(?:{_alternation(cues.COMPOUND_SURNAMES)})[{_CJK}]{{1,2}}"
        f"|[{_CJK}]{{1,6}}(?:·[{_CJK}]{{1,6}})+",
        clause,
    ) and _is_name(clause):
        return clause
    return None


def subject_before(text: str, end: int) -> Subject | None:
    """The subject of the clause that ends at ``end`` (the start of a directive verb)."""
    start = max(text.rfind(ch, 0, end) for ch in "。；;！？\n：:")
    # a comma ends the subject only when it does not separate a date ("11月19日，省长…")
    clause = text[start + 1 : end]
    parts = re.split(r"[，,]", clause)
    for k in range(len(parts)):
        candidate = "，".join(parts[k:])
        found = parse_subject(candidate)
        if found is not None:
            return found
    return None


@cache
def post_pattern() -> re.Pattern[str]:
    return re.compile(_alternation(cues.POSTS))


def split_signature_name(line: str) -> Subject | None:
    """A signature line of a signed note: "林某某", "市长 林某某", "林某某（市委书记）"."""
    text = re.sub(r"\s+", "", line)
    text = re.sub(r"^(.{2,20}?)[:：]", r"\1", text)  # "镇党委书记：钟立国"
    if re.fullmatch(r"[（(][^（）()]+[）)]", text):
        text = text[1:-1]
    if len(text) > 24 or text.endswith(cues.EDITED_BY) or text.endswith(cues.ISSUER_ENDINGS):
        return None
    text = re.sub(r"[（(]([^）)]+)[）)]$", r"，\1", text)
    if "，" in text:  # name, (designation)
        name, designation = text.split("，", 1)
        if re.fullmatch(f"[{_CJK}·]{{2,4}}", name) and post_pattern().search(designation):
            return Subject(name, designation)
    if re.fullmatch(f"[{_CJK}·]{{2,4}}", text) and _is_name(text):
        if post_pattern().fullmatch(text) or text.endswith(tuple(cues.ISSUER_ENDINGS)):
            return None
        return Subject(text, "")
    return parse_subject(text) if post_pattern().search(text) else None
