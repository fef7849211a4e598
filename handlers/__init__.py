"""Every handler registration, in the one order that matters.

Order (PTB stops at the first matching handler in a group):
1. errors — not a handler, but registered first so nothing runs without it;
   traffic — group -1, before every handler: a chat that is neither the office nor a unit gets
   one answer an hour and is otherwise ignored (anyone can add the bot to a group and flood it);
2. office commands — /status, /publish, /late, /remind, /export and the preview buttons check
   the chat and the admin list themselves, so that anyone else gets a polite refusal rather than
   silence;
   corrections — the preview's 编辑 button and the replies to its prompt: a text-reply handler
   that returns at once for anything but a reply to a live prompt in the office chat; before
   ack/help, none of which handles plain (non-command) text;
3. acknowledgements — /ack in groups and the "ack:<id>" button;
4. help — /start, /help, and /ack in a private chat (the group /ack above has already matched
   groups, so this only sees private chats);
   notices — /notices in the office (admins) or a unit group, and its paging/签收单 buttons,
   registered with the office views (its own callback prefixes nl:/nx: clash with nothing);
5. the catch-all for callback payloads we never issued: last, so it sees only what nothing
   else claimed.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers import (
    ack,
    corrections,
    errors,
    feedback,
    help,
    notices,
    office,
    office_views,
    roster,
    traffic,
)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    errors.register(app)
    traffic.register(app)
    office.register(app)
    corrections.register(app)
    office_views.register(app)
    notices.register(app)
    roster.register(app)
    feedback.register(app)
    ack.register(app)
    help.register(app)
    ack.register_fallbacks(app)
