import pytest

from briefbot.publishing import prepare
from briefbot.rouge import rouge_l, rouge_n
from tests.fixtures.builders import ALL_FORMATS
from tests.fixtures.synthetic import ALL
from tgemu.htmltext import visible_text


def test_rouge_values():
    assert rouge_n("省长批示", "省长批示", 1).f1 == 1.0
    assert rouge_n("甲乙丙丁", "甲乙戊己", 2).recall == pytest.approx(1 / 3)
    lcs = rouge_l("甲乙丙丁", "甲丙丁戊")  # LCS 甲丙丁
    assert (lcs.precision, lcs.recall) == (0.75, 0.75)
    assert rouge_l("，。！", "甲").f1 == 0.0  # punctuation does not count


@pytest.mark.parametrize("s", ALL, ids=[s.name for s in ALL])
def test_unit_message_stays_close_to_the_reference_summary(s):
    """A regression floor, not a target: bench/rouge_report.py prints the figures."""
    for fmt in ("txt-utf8", "pdf"):
        parts = prepare(ALL_FORMATS[fmt](s), "x").parts
        text = "\n".join(visible_text(p) for p in parts)
        assert rouge_l(text, s.reference).f1 >= 0.75
