"""The progress email in words. Each child's news becomes a few short plain-language lines,
built here in Python with the chunk's translations and dates remembered (one language and one
timezone per chunk), and the lists of lines are written out here as escaped HTML and as text:
the templates lay out the email around them. A template tag per rating or date costs more than
the line it prints, and a chunk renders a hundred emails (the fan-out benchmark).

Every user-facing string is marked with gettext_noop for makemessages and translated through
`Words`, which asks gettext once per string per chunk.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from goals.models import GAS_LEVELS

from ..visits.models import SessionLog

TEMPLATES = ("subject.txt", "body.txt", "body.html")

HELLO = gettext_noop("Hello %(name)s,")
SINCE = gettext_noop("Here is what has happened in therapy at %(practice)s since %(day)s.")
NOTICE = gettext_noop("There is a new progress update for you in the %(practice)s parent portal.")
NOTICE_WHY = gettext_noop(
    "To keep your family's information private, this email does not include it. Please sign "
    "in to the portal to read it."
)
NOTHING_NEW = gettext_noop("Nothing new for %(name)s this time.")
MILESTONES = gettext_noop("Milestones")
ACHIEVED = gettext_noop("Goal achieved: “%(title)s”")
EXPECTED = gettext_noop("Reached the expected outcome: “%(title)s”")
GOALS_RATED = gettext_noop("Goals rated")
WHO = {
    "care_team": gettext_noop("The care team"),
    "child": gettext_noop("%(name)s's own view"),
    "you": gettext_noop("Your view"),
    "parent": gettext_noop("A parent's view"),
}
RATING = gettext_noop("%(who)s: %(level)s, %(day)s")
RATING_MEANING = gettext_noop("%(who)s: %(level)s (“%(meaning)s”), %(day)s")
WORKED_ON = gettext_noop("What we worked on")
CORRECTION = gettext_noop("Correction: %(text)s")
SESSIONS = gettext_noop("Sessions")
SESSION = gettext_noop("%(day)s: %(status)s")
AT_HOME = gettext_noop("Practising at home")
NEW_THIS_TIME = gettext_noop("new this time")
DONE_ONE = gettext_noop("Done on %(count)s day since the last update.")
DONE_MANY = gettext_noop("Done on %(count)s days since the last update.")
NO_CHECK_INS = gettext_noop("No check-ins since the last update.")
NEXT_SESSION = gettext_noop("Next session:")
NONE_BOOKED = gettext_noop("none booked yet")

DAY = "j F"
WEEKDAY = "l j F"
WHEN = "l j F, H:i"


@dataclass
class Line:
    text: str = ""
    strong: str = ""
    sub: list[str] = field(default_factory=list)


@dataclass
class Block:
    heading: str
    lines: list[Line]


class Words:
    """gettext, ngettext and date formats, each asked once per chunk."""

    def __init__(self, tz):
        self.tz = tz
        self._texts: dict = {}
        self._dates: dict = {}

    def __call__(self, message: str, **values) -> str:
        text = self._texts.get(message)
        if text is None:
            text = self._texts[message] = gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, count: int) -> str:
        key = (singular, count)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = ngettext(singular, plural, count) % {"count": count}
        return text

    def label(self, lazy) -> str:
        """A model choice's label (a lazy translation), as text."""
        text = self._texts.get(("label", id(lazy)))
        if text is None:
            text = self._texts[("label", id(lazy))] = str(lazy)
        return text

    def date(self, value, fmt: str) -> str:
        key = (value, fmt)
        text = self._dates.get(key)
        if text is None:
            local = (
                timezone.localtime(value, self.tz)
                if isinstance(value, datetime.datetime)
                else value
            )
            text = self._dates[key] = dateformat.format(local, fmt)
        return text


LEVEL_LABELS = dict(GAS_LEVELS)
STATUS_LABELS = dict(SessionLog.Status.choices)


def section_blocks(section, words: Words) -> list[Block]:
    """A child's news, as this guardian's policy already filtered it, in lines."""
    blocks = []
    if section.milestones:
        lines = [
            Line(words(ACHIEVED if m.kind == "achieved" else EXPECTED, title=m.goal.title))
            for m in section.milestones
        ]
        blocks.append(Block(words(MILESTONES), lines))
    if section.goals:
        lines = [
            Line(
                strong=news.goal.title,
                sub=[_rating(line, section.name, words) for line in news.ratings],
            )
            for news in section.goals
        ]
        blocks.append(Block(words(GOALS_RATED), lines))
    if section.summaries:
        blocks.append(Block(words(WORKED_ON), [_summary(s, words) for s in section.summaries]))
    if section.sessions:
        lines = [
            Line(
                words(
                    SESSION,
                    day=words.date(s.scheduled_start, WEEKDAY),
                    status=words.label(STATUS_LABELS[s.status]).lower(),
                )
            )
            for s in section.sessions
        ]
        blocks.append(Block(words(SESSIONS), lines))
    if section.home_practice:
        blocks.append(Block(words(AT_HOME), [_practice(i, words) for i in section.home_practice]))
    return blocks


def _rating(line, child_name: str, words: Words) -> str:
    rating = line.rating
    values = {
        "who": words(WHO[line.who], name=child_name)
        if line.who == "child"
        else words(WHO[line.who]),
        "level": words.label(LEVEL_LABELS[rating.level]),
        "day": words.date(rating.rated_on, DAY),
    }
    meaning = line.meaning
    return words(RATING_MEANING, meaning=meaning, **values) if meaning else words(RATING, **values)


def _summary(session, words: Words) -> Line:
    corrections = [words(CORRECTION, text=c.text) for c in session.corrections]
    day = words.date(session.scheduled_start, DAY) + ":"
    return Line(session.shared_summary, strong=day, sub=corrections)


def _practice(item, words: Words) -> Line:
    home_practice = item.home_practice
    how_often = f"({home_practice.how_often})"
    new = f" — {words(NEW_THIS_TIME)}" if item.is_new else ""
    done = (
        words.plural(DONE_ONE, DONE_MANY, item.days_done) if item.days_done else words(NO_CHECK_INS)
    )
    return Line(
        f"{how_often}{new}. {done}", strong=home_practice.title, sub=[home_practice.instructions]
    )


def _next_session(section, words: Words) -> str:
    start = section.next_session_start
    return words.date(start, WHEN) if start else words(NONE_BOOKED)


def _intro(email, practice, words: Words) -> list[str]:
    hello = words(HELLO, name=email.parent.get_short_name())
    if email.notice_only:
        return [hello, words(NOTICE, practice=practice.name), words(NOTICE_WHY)]
    return [hello, words(SINCE, practice=practice.name, day=words.date(email.period_start, DAY))]


def portal_urls() -> dict[str, str]:
    site = settings.SITE_URL.rstrip("/")
    return {
        "portal_url": site + reverse("portal_home"),
        "preferences_url": site + reverse("update_preferences"),
    }


def render_emails(emails, practice, unsubscribe_link: Callable) -> None:
    """Subject, text and HTML of each email of the chunk: the templates loaded once, every date
    in the practice's timezone, each string translated once."""
    subject, text, html = (get_template(f"emails/progress-update-{name}") for name in TEMPLATES)
    urls = portal_urls()
    with timezone.override(practice.tz), translation.override(settings.LANGUAGE_CODE):
        words = Words(practice.tz)
        for email in emails:
            _lay_out(email, words)
            context = {
                "practice": practice,
                "email": email,
                "parent": email.parent,
                "sections": [] if email.notice_only else email.sections,
                "notice_only": email.notice_only,
                "intro": _intro(email, practice, words),
                "next_session_label": words(NEXT_SESSION),
                "unsubscribe_url": unsubscribe_link(email.parent),
                **urls,
            }
            email.context = context
            email.subject = " ".join(subject.render(context).split())
            email.text = text.render(context)
            email.html = html.render(context)


def _lay_out(email, words: Words) -> None:
    if email.notice_only:  # no clinical content: nothing to lay out
        return
    for section in email.sections:
        section.blocks = section_blocks(section, words)
        section.html = blocks_html(section.blocks)
        section.text = blocks_text(section.blocks)
        section.next_session = _next_session(section, words)
        section.nothing_new = "" if section.has_news else words(NOTHING_NEW, name=section.name)


def _escape(text: str) -> str:
    """Escaped, with line breaks kept (the linebreaksbr filter's job, without the filter)."""
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def blocks_html(blocks: list[Block]) -> SafeString:
    parts = []
    for block in blocks:
        parts.append(f'<h3 class="h6 fw-semibold mt-3 mb-1">{_escape(block.heading)}</h3>\n<ul>')
        for line in block.lines:
            strong = f"<strong>{_escape(line.strong)}</strong> " if line.strong else ""
            sub = "".join(f"<li>{_escape(text)}</li>" for text in line.sub)
            parts.append(f"<li>{strong}{_escape(line.text)}{f'<ul>{sub}</ul>' if sub else ''}</li>")
        parts.append("</ul>\n")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def blocks_text(blocks: list[Block]) -> str:
    parts = []
    for block in blocks:
        parts.append(f"\n{block.heading}\n")
        for line in block.lines:
            parts.append(f"* {' '.join(part for part in (line.strong, line.text) if part)}\n")
            parts.extend(f"  - {text}\n" for text in line.sub)
    return "".join(parts)
