"""Tasks and problems: 一是…二是… sequences, and outline items （一）…（二）….

A sequence introduced by talk of shortcomings lists problems, not tasks.
"""

from __future__ import annotations

import re

from briefbot.briefing import cues
from briefbot.briefing.blocks import Block, Role
from briefbot.briefing.model import Task
from briefbot.briefing.numerals import parse_number

_ORDINALS = "一二三四五六七八九十"
_ORDINAL_AT = re.compile(rf"(?:^|(?<=[。；;，,：:！]))(?P<ord>[{_ORDINALS}]{{1,2}})是")
_OUTLINE = re.compile(
    rf"^[（(](?P<ord>[{_ORDINALS}]{{1,3}})[）)]\s*(?P<head>[^。；！]{{2,40}})[。；！]?"
)


def first_sentence(text: str) -> str:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        elif ch in "。！？" and depth == 0:
            return text[: i + 1]
    return text


def _sequences(text: str) -> list[list[re.Match[str]]]:
    sequences: list[list[re.Match[str]]] = []
    for hit in _ORDINAL_AT.finditer(text):
        n = parse_number(hit.group("ord"))
        if n == 1:
            sequences.append([hit])
        elif sequences and n == len(sequences[-1]) + 1:
            sequences[-1].append(hit)
    return [s for s in sequences if len(s) >= 2]


def claim(blocks: list[Block]) -> tuple[tuple[Task, ...], tuple[str, ...]]:
    tasks: list[Task] = []
    problems: list[str] = []
    for block in blocks:
        if block.role is not None:
            continue
        text = block.text
        for seq in _sequences(text):
            intro_start = max(0, text.rfind("。", 0, max(0, seq[0].start() - 1)) + 1)
            intro = text[intro_start : seq[0].start()]
            is_problem = any(cue in intro for cue in cues.PROBLEM_CUES)
            for idx, hit in enumerate(seq):
                end = seq[idx + 1].start() if idx + 1 < len(seq) else len(text)
                chunk = text[hit.end() : end]
                if is_problem:
                    problems.append(re.split(r"[。，,；]", chunk, maxsplit=1)[0])
                    continue
                heading = first_sentence(chunk)
                tasks.append(
                    Task(
                        ordinal=idx + 1,
                        heading=heading.rstrip("。；"),
                        body=chunk[len(heading) :].strip(),
                    )
                )
                block.mark(hit.start(), end, Role.TASK, f"任务：{hit.group('ord')}是")
    # outline items: at least two consecutive （一）（二） blocks
    # (a bare short heading over its own paragraph is a news headline, not a task)
    outline = [
        (i, m)
        for i, b in enumerate(blocks)
        if b.role is None and (m := _OUTLINE.match(b.text)) and not _headline_only(b.text)
    ]
    run: list[tuple[int, re.Match[str]]] = []
    for i, m in outline:
        n = parse_number(m.group("ord"))
        if run and n == len(run) + 1:
            run.append((i, m))
            continue
        _outline_tasks(blocks, run, tasks)
        run = [(i, m)] if n == 1 else []
    _outline_tasks(blocks, run, tasks)
    return tuple(tasks), tuple(problems)


def _headline_only(text: str) -> bool:
    return len(text) <= 40 and text[-1] not in "。；！"


def _outline_tasks(
    blocks: list[Block], run: list[tuple[int, re.Match[str]]], tasks: list[Task]
) -> None:
    if len(run) < 2:
        return
    for n, (i, m) in enumerate(run, start=1):
        block = blocks[i]
        tasks.append(
            Task(ordinal=n, heading=m.group("head").strip(), body=block.text[m.end() :].strip())
        )
        block.assign(Role.TASK, f"任务：（{m.group('ord')}）")
