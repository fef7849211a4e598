"""Who instructed: designations read structurally from the lexicon, in both orders, chained."""

from __future__ import annotations

import pytest

from briefbot.briefing.designation import Subject, parse_subject, people, split_signature_name

CASES = [
    ("市委副书记、市长林某某在", Subject("林某某", "市委副书记、市长")),
    ("省委常委、常务副省长许某某在《报告》上", Subject("许某某", "省委常委、常务副省长")),
    ("易炼红省长对下一步", Subject("易炼红", "省长")),
    ("王某某副市长在会上", Subject("王某某", "副市长")),
    ("11月19日，县委书记陈立新在", Subject("陈立新", "县委书记")),
    ("会上传达了市委副书记、市长林致远在", Subject("林致远", "市委副书记、市长")),
    ("中共中央书记处书记、中宣部部长丁关根", Subject("丁关根", "中共中央书记处书记、中宣部部长")),
    ("省发展和改革委员会主任张三", Subject("张三", "省发展和改革委员会主任")),
    ("盟委书记巴特尔", Subject("巴特尔", "盟委书记")),
    ("旗长乌力吉当即", Subject("乌力吉", "旗长")),
    ("街道党工委书记周敏", Subject("周敏", "街道党工委书记")),
    ("县人大常委会主任刘某", Subject("刘某", "县人大常委会主任")),
    ("市政协主席韩某某", Subject("韩某某", "市政协主席")),
    ("州纪委书记、监委主任马某", Subject("马某", "州纪委书记、监委主任")),
    ("朱镕基总理竟注意到了这篇短文，当即", Subject("朱镕基", "总理")),
    ("中共青川省委", Subject("中共青川省委", "", is_body=True)),
    ("某某省委办公厅", Subject("某某省委办公厅", "", is_body=True)),
]


@pytest.mark.parametrize(("clause", "expected"), CASES, ids=[c for c, _ in CASES])
def test_subjects(clause, expected):
    assert parse_subject(clause) == expected


@pytest.mark.parametrize("clause", ["县长批示", "省委主要领导", "各地各部门认真", "会议要求"])
def test_no_person_without_a_name(clause):
    found = parse_subject(clause)
    assert found is None or found.is_body


def test_signature_lines():
    assert split_signature_name("林某某") == Subject("林某某", "")
    assert split_signature_name("林某某（市委书记）") == Subject("林某某", "市委书记")
    assert split_signature_name("某某县人民政府办公室") is None
    assert split_signature_name("某某办公室编") is None
    assert (
        split_signature_name("〔2〕 国务院一九五五年九月八日关于召开粮食工作汇报会议的通知") is None
    )


def test_people_named_earlier_are_remembered():
    found = people(["近日，县委副书记、县长何卫东、副县长陈晓岚分别作出批示。"])
    assert found["何卫东"] == "县委副书记、县长"
    assert found["陈晓岚"] == "副县长"


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("蒲某某（市卫健委党组书记、主任）在", Subject("蒲某某", "市卫健委党组书记、主任")),
        ("学院院长、副校长甘某某在", Subject("甘某某", "学院院长、副校长")),
        ("集团董事长项某某", Subject("项某某", "集团董事长")),
        ("韦某某同志（州委副书记、州长）在", Subject("韦某某", "州委副书记、州长")),
    ],
)
def test_bracketed_designations_and_the_heads_of_universities_and_enterprises(clause, expected):
    assert parse_subject(clause) == expected
    named = people([f"据悉，{clause}"])
    assert named[expected.leader] == expected.designation and "市卫" not in named
