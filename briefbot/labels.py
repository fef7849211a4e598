"""How a notice is named to people: ``#3《标题 第7期》``, saying when it is a correction or
was superseded by one, so that an original and its correction are never confused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefbot.ledger import NoticeInfo
from briefbot.render import Html, html_message

if TYPE_CHECKING:
    from briefbot.store import Store


def correction_mark(correction_of: int | None, superseded_by: int | None) -> str:
    if superseded_by is not None:
        return f"（原通知，已被更正通知 #{superseded_by} 取代）"
    if correction_of is not None:
        return f"（更正版，更正 #{correction_of}）"
    return ""


def notice_label(store: Store, notice: NoticeInfo) -> Html:
    mark = correction_mark(
        store.notices.correction_of(notice.id), store.notices.superseded([notice.id]).get(notice.id)
    )
    return html_message("#{id}《{label}》{mark}", id=notice.id, label=notice.label, mark=mark)
