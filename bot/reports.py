"""The question log's figures in words: unanswered questions, answers marked 👎, usage stats.

Plain text for the CLI and for admins in Telegram (who escape it for HTML); the log itself
(:mod:`bot.storage`) holds the data and writes no sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from bot.storage import STATUSES, ArticleUsage, Disliked, Stats, UnansweredGroup

TITLE_WIDTH = 48  # an article's title is cut to this many characters in the stats


def format_unanswered(
    groups: Sequence[UnansweredGroup],
    disliked: Sequence[Disliked] = (),
    speakers: Mapping[str, str] | None = None,
) -> str:
    """Render groups, then the answers marked 👎, as plain text (escape it yourself for HTML).

    ``speakers`` maps entry ids to whom they quote (or are about), shown beside each id.
    """
    text = _format_groups(groups)
    if disliked:
        text += "\n\n" + format_disliked(disliked, speakers)
    return text


def format_disliked(disliked: Sequence[Disliked], speakers: Mapping[str, str] | None = None,
                    ) -> str:
    """Render the answers marked 👎: the question, then what the answer showed."""
    speakers = speakers or {}
    lines = [f"Answers marked \U0001f44e ({len(disliked)}):"]
    for item in disliked:
        lines.append(f"{item.count:>3}\u00d7  {_one_line(item.question)}"
                     f"   (last {_when(item.last_at)})")
        shown = ", ".join(f"{i} ({speakers[i]})" if i in speakers else i for i in item.shown)
        lines.append(f"      shown: {shown or 'nothing'}")
    return "\n".join(lines)


def _format_groups(groups: Sequence[UnansweredGroup]) -> str:
    if not groups:
        return "Nothing unanswered \u2014 every question got an answer."
    lines: list[str] = []
    for group in groups:
        statuses = ", ".join(group.statuses)
        lines.append(
            f"{group.count:>3}\u00d7  {_one_line(group.question)}"
            f"   ({statuses}; last {_when(group.last_at)})"
        )
        if group.examples:
            wordings = ", ".join(f'"{_one_line(e, 60)}"' for e in group.examples)
            lines.append(f"      also asked as: {wordings}")
    return "\n".join(lines)


def format_stats(stats: Stats, names: Mapping[str, str] | None = None,
                 titles: Mapping[str, str] | None = None, served: int | None = None) -> str:
    """Render stats as plain text; ``names`` maps person and topic ids to display names,
    ``titles`` article ids to titles; ``served``: how many articles the bot serves.

    A few lines whatever the size of the library: the articles asked about most and those
    leaving the most questions unanswered (at most ``top`` of each, see ``QuestionLog.stats``).
    """
    names = names or {}
    period = f"since {_when(stats.since)}" if stats.since is not None else "all time"
    if stats.total == 0:
        return f"No questions yet ({period})."
    labels = {"answer": "answered", "clarify": "asked to clarify", "no_answer": "no answer"}
    lines = [f"Questions ({period}): {stats.total}"]
    for status in STATUSES:
        count = stats.by_status.get(status, 0)
        lines.append(f"  {labels[status] + ':':<19}{_percent(count, stats.total):>5}  ({count})")
    lines.append(f"Distinct users: {stats.users}")
    lines += _article_lines(stats, titles or {}, served)
    for title, ranking in (("people", stats.top_people), ("topics", stats.top_topics)):
        listed = ", ".join(f"{names.get(ref, ref)} ({count})" for ref, count in ranking)
        lines.append(f"Most asked {title}: {listed or 'none yet'}")
    return "\n".join(lines)


def _article_lines(stats: Stats, titles: Mapping[str, str], served: int | None) -> list[str]:
    """Articles: how many were asked about, the most asked, the most often unanswered."""
    if not stats.articles and not served:
        return []
    of = f" of {served:,} served" if served is not None else ""
    lines = [f"Articles asked about: {stats.articles:,}{of}"]
    listed = {usage.article for usage in stats.top_articles}
    unlisted = [u for u in stats.most_unanswered if u.article not in listed]
    for heading, usages in (("most asked", stats.top_articles),
                            ("most unanswered", unlisted)):
        if usages:
            lines.append(f"  {heading} (questions, unanswered):")
            lines += [_article_line(usage, titles) for usage in usages]
    return lines


def _article_line(usage: ArticleUsage, titles: Mapping[str, str]) -> str:
    title = titles.get(usage.article)
    label = f"{_one_line(title, TITLE_WIDTH)} ({usage.article})" if title else usage.article
    return f"  {usage.questions:>6,} {usage.unanswered:>6,}  {label}"


def _one_line(text: str, width: int = 120) -> str:
    """Collapse whitespace and shorten ``text`` for a one-line listing."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def _when(moment: datetime) -> str:
    """Return ``moment`` as ``YYYY-MM-DD HH:MM UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _percent(count: int, total: int) -> str:
    """Return ``count`` as a whole percentage of ``total``; tiny non-zero shares show as <1%."""
    share = 100 * count / total
    return "<1%" if 0 < share < 1 else f"{share:.0f}%"
