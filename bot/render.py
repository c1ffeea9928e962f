"""Turning engine results and knowledge-base entries into reply text: plain or Telegram HTML.

One layout, two markups, so the CLI and Telegram say the same thing. Every piece of article or
user text passes through ``markup.escape``.

A reply is a list of blocks (:mod:`bot.markup`): a lead, a quote with its speaker line, a
card's heading, a source line. The CLI joins them with blank lines (the ``render_*``
functions); the Telegram adapter packs them into messages without reading the HTML again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.knowledge import Article, Fact, KnowledgeBase, Person, Statement, StatementKind
from bot.markup import HTML, PLAIN, Markup, join_blocks, line_blocks, text_blocks
from bot.results import ArticleRef, LibraryResult, Note, NoteKind, Result, Status

__all__ = [  # HTML, PLAIN and Markup too: callers take them from here with the renderers
    "HTML", "PLAIN", "Markup", "about_blocks", "article_blocks", "fact_blocks", "join_names",
    "note_text", "person_blocks", "render_about", "render_person", "render_result", "render_source",
    "render_statement", "result_blocks", "short_name", "speaker_line", "statement_blocks",
]


def speaker_line(person: Person, m: Markup) -> str:
    """``Name, role`` as the article gives them."""
    return f"{m.bold(m.escape(person.name))}, {m.escape(person.role)}"


def statement_blocks(statement: Statement, kb: KnowledgeBase, m: Markup, *,
                     occasion: bool = False) -> list[str]:
    """A statement: the verbatim words, then who said them (and whom they cite). One block,
    unless the words are longer than a block: then the speaker line comes with the last part.

    ``occasion``: the question asked where or when it was said, which the article's own
    attribution ("said on Sunday in Astana") tells; it follows the speaker line."""
    person = kb.person(statement.speaker)
    words = _unwrapped(statement.text)  # the reply puts its own marks around the words
    if statement.kind is StatementKind.QUOTE and words.rstrip("\"'\u201d\u2019\u00bb)")[-1:] \
            not in {".", "!", "?", "\u2026"}:  # "... next week.\u201d" ends already
        # the article ends a quote with a comma before "he said"; show it whole
        words = words.rstrip(" ,;:") + "."
    elif statement.kind is StatementKind.REPORTED and words[:1].islower():
        words = "\u2026" + words  # an excerpt of the article's sentence, not a full one
    attribution = f"\u2014 {speaker_line(person, m)}"
    if statement.kind is StatementKind.REPORTED:
        attribution += m.escape(" (reported speech)")
    if statement.cites:
        cited = kb.find_person(statement.cites)
        attribution += m.escape(f", citing {cited.name if cited else statement.cites}")
    if occasion:
        attribution += m.escape(f"\n(\u201c{statement.attribution}\u201d)")
    return text_blocks(words, m, m.quote, tail=f"\n{attribution}")


_OPENING, _CLOSING = "\"\u201c\u00ab", "\"\u201d\u00bb"


def _unwrapped(text: str) -> str:
    """A statement's words without the quote marks the article put around all of them
    ("\u201cThis is a truly historic event ... generations,\u201d"): one pair, and only when
    no other mark inside would lose its partner."""
    inner = text.strip()
    if len(inner) > 2 and inner[0] in _OPENING and inner[-1] in _CLOSING and not any(
            mark in inner[1:-1] for mark in _OPENING + _CLOSING):
        return inner[1:-1].strip()
    return text


def render_statement(statement: Statement, kb: KnowledgeBase, m: Markup) -> str:
    """A statement as one text (see :func:`statement_blocks`)."""
    return join_blocks(statement_blocks(statement, kb, m))


def fact_blocks(fact: Fact, m: Markup) -> list[str]:
    """A fact: the short answer, then the article's own words."""
    return text_blocks(fact.quote, m, m.quote, head=f"{m.escape(fact.answer)}\n")


def person_blocks(person: Person, kb: KnowledgeBase, m: Markup, *, limit: int = 10,
                  short: bool = False) -> list[str]:
    """A speaker card: name, roles, and what they said (or that the article does not quote them).

    ``short``: "who is X?" asks who, not what: the roles and how often they are quoted.
    """
    blocks = ["\n".join([m.bold(m.escape(person.name)), *(m.escape(r) for r in person.roles)])]
    said = kb.statements_by(person.id)
    if said and short:
        times = "once" if len(said) == 1 else f"{len(said)} times"
        blocks.append(m.escape(f"Quoted {times} in the article: ask \u201cWhat did "
                               f"{short_name(person)} say?\u201d to read "
                               + ("it." if len(said) == 1 else "them.")))
    elif said:
        count = f"{len(said)} statement" + ("s" if len(said) != 1 else "")
        blocks.append(m.escape(f"Quoted in the article ({count}):"))
        for statement in said[:limit]:
            blocks += statement_blocks(statement, kb, m)
        if len(said) > limit:
            blocks.append(m.escape(f"\u2026and {len(said) - limit} more."))
    else:
        blocks.append(m.escape(f"The article names {person.name} but does not quote "
                               f"{person.name.split()[-1]}."))
    return blocks


def render_person(person: Person, kb: KnowledgeBase, m: Markup, *, limit: int = 10,
                  short: bool = False) -> str:
    """A speaker card as one text (see :func:`person_blocks`)."""
    return join_blocks(person_blocks(person, kb, m, limit=limit, short=short))


def render_source(article: Article, m: Markup) -> str:
    """Where the words come from: outlet, title, and the date and link when known."""
    cited = f"Source: {article.outlet}, \u201c{article.title}\u201d"
    cited += "".join(f", {x}" for x in (article.date, article.url) if x)
    return m.italic(m.escape(cited))


def about_blocks(kb: KnowledgeBase, m: Markup) -> list[str]:
    """The article, outlet and event; for each article a heading, its summary, its event."""
    return [block for article in kb.articles for block in article_blocks(article, kb, m)]


def article_blocks(article: Article, kb: KnowledgeBase, m: Markup) -> list[str]:
    """One article: its title and outlet, its summary, its event and who is quoted."""
    event = article.event
    dated = ", ".join(x for x in (article.outlet, article.date) if x)
    blocks = [f"{m.bold(m.escape(article.title))}\n{m.escape(dated)}"]
    blocks += text_blocks(article.summary, m)
    where = ", ".join(x for x in (event.place, event.city) if x)
    lines = [f"Event: {event.kind} \u201c{event.title}\u201d" + (f", {where}" if where else "")]
    if event.organizers:
        lines.append("Organised by: " + "; ".join(event.organizers))
    quoted = ", ".join(p.name for p in kb.quoted_people() if p.article_id == article.id)
    if quoted:
        lines.append(f"Quoted: {quoted}")
    if article.url:
        lines.append(article.url)
    return blocks + line_blocks(lines, m)


def render_about(kb: KnowledgeBase, m: Markup) -> str:
    """The article, outlet and event as one text (see :func:`about_blocks`)."""
    return join_blocks(about_blocks(kb, m))


def result_blocks(result: Result, kb: KnowledgeBase, m: Markup) -> list[str]:
    """The reply for one engine result, as blocks."""
    blocks = []
    if result.lead:
        blocks += text_blocks(result.lead, m)
    if result.status is Status.ANSWER:
        articles = []
        for match in result.matches:
            if match.kind == "statement":
                statement = kb.statement(match.id)
                blocks += statement_blocks(statement, kb, m,
                                           occasion=result.note.kind is NoteKind.SAID_AT)
                articles.append(statement.article_id)
            elif match.kind == "fact":
                fact = kb.fact(match.id)
                blocks += fact_blocks(fact, m)
                articles.append(fact.article_id)
            elif match.kind == "article":
                blocks += article_blocks(kb.article(match.id), kb, m)
            elif match.kind == "person":
                person = kb.person(match.id)
                blocks += person_blocks(person, kb, m, short=result.note.kind in (
                    NoteKind.WHO_IS, NoteKind.SPEAKER_COUNT))
                articles.append(person.article_id)
        for article_id in dict.fromkeys(articles):
            blocks.append(render_source(kb.article(article_id), m))
    elif result.suggestions:
        heading = _HEADINGS[result.lang][result.status is Status.CLARIFY]
        blocks += line_blocks([heading, *(f"\u2022 {s.question}" for s in result.suggestions)],
                              m)
    return blocks


def render_result(result: Result, kb: KnowledgeBase, m: Markup) -> str:
    """The whole reply for one engine result as one text (see :func:`result_blocks`)."""
    return join_blocks(result_blocks(result, kb, m))


# ------------------------------------------------------------------------------ notes


def join_names(items: Iterable[object], conjunction: str = "and") -> str:
    """ "A", "A and B", "A, B and C" (each once); ``conjunction`` in the reply's language."""
    names = list(dict.fromkeys(str(i) for i in items))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def short_name(person: Person) -> str:
    """The name people use: the surname as the article writes it."""
    return person.name.split()[-1] if person.name else person.id


_HEADINGS = {"en": ("Try:", "Did you mean:"), "ru": ("Попробуйте:", "Вы имели в виду:")}


def note_text(note: Note, kb: KnowledgeBase, lang: str = "en") -> str:
    """A note in plain words (markup is applied by the caller), in English or Russian."""
    if lang == "ru":
        return _note_text_ru(note, kb)
    people = join_names(kb.person(p).name for p in note.people)
    others = join_names(kb.person(p).name for p in note.others)
    first = kb.person(note.people[0]) if note.people else None
    kind = note.kind
    if kind in (NoteKind.NONE, NoteKind.WHO_IS):
        return ""
    if kind is NoteKind.ENGINE_ERROR:
        return "Sorry, I could not read that question. Please rephrase it."
    if kind is NoteKind.TOO_LONG:
        return (f"That message is {note.count:,} characters long. Please ask one short "
                f"question (up to {note.limit} characters).")
    if kind is NoteKind.NO_WORDS:
        return "Please ask a question in words about the article."
    if kind is NoteKind.EMPTY:
        return "Ask me anything about the article."
    if kind is NoteKind.NOT_ENGLISH:
        return "I can answer questions in English about the article."
    if kind is NoteKind.GREETING:
        return f"Hello! I answer questions about the article \u201c{kb.articles[0].title}\u201d."
    if kind is NoteKind.NOT_MENTIONED:
        return f"The article does not mention {note.subject}."
    if kind is NoteKind.NOT_QUOTED:
        return f"The article does not quote {note.subject}."
    if kind is NoteKind.NOT_QUOTED_ON:
        said = f" {others} spoke about it." if note.others else ""
        if not note.subject:  # a claim, asked yes or no
            return f"The article does not quote {people} saying that.{said}"
        return f"The article does not quote {people} on {note.subject}.{said}"
    if kind is NoteKind.NAMED_NOT_QUOTED and first:
        return (f"The article names {first.name} ({first.role}) but does not quote "
                f"{short_name(first)}.")
    if kind is NoteKind.SAID_AT:
        return "Where and when, as the article puts it:"
    if kind is NoteKind.NOT_SAID_ABOUT and first:
        return f"The article does not say that about {first.name} ({first.role})."
    if kind is NoteKind.CITED_BY:
        return f"The article does not quote {people} directly; {others} cited {people}:"
    if kind is NoteKind.NO_QUESTION:
        return "I could not find a question about the article in that."
    if kind is NoteKind.NOT_IN_ARTICLE:
        return _not_in_article(kb)
    if kind is NoteKind.SPEAKER_COUNT:
        return f"The article quotes {note.count} {'person' if note.count == 1 else 'people'}:"
    if kind is NoteKind.NO_MORE:
        if not note.people:  # "what else did the president say?", of no one quoted
            return "That is all the article has on that."
        on = f" on {note.subject}" if note.subject else ""
        return f"That is all the article quotes of {people}{on}."
    if kind is NoteKind.NOT_UNDERSTOOD:
        return f"I could not read \u201c{note.subject}\u201d in that question."
    if kind is NoteKind.SPOKE_ABOUT:
        return f"{others} spoke about {note.subject}:" if note.subject else f"Said by {others}:"
    if kind is NoteKind.QUOTING_ON:
        return f"{others} on {people}:"
    if kind is NoteKind.UNSURE:
        return "I am not sure which part of the article you mean."
    if kind is NoteKind.WHOM:
        return "Whom do you mean?"
    return ""


def _not_in_article(kb: KnowledgeBase) -> str:
    quoted = join_names(p.name for p in kb.quoted_people())
    events = join_names(f"the {a.event.kind} \u201c{a.event.title}\u201d" for a in kb.articles
                        if a.event.title)
    return "The article does not answer that." + (
        f" It quotes {quoted}" + (f" at {events}" if events else "") + "." if quoted else "")


def _note_text_ru(note: Note, kb: KnowledgeBase) -> str:
    """The Russian lead: short, the article's English names kept as they are."""
    people = join_names((kb.person(p).name for p in note.people), "и")
    others = join_names((kb.person(p).name for p in note.others), "и")
    kind = note.kind
    texts = {
        NoteKind.NONE: "Из статьи (цитаты на английском):",
        NoteKind.ENGINE_ERROR: "Не удалось прочитать вопрос. Сформулируйте его иначе.",
        NoteKind.TOO_LONG: (f"Сообщение слишком длинное ({note.count:,} символов). Задайте "
                            f"один короткий вопрос (до {note.limit} символов).")
        .replace(",", "\u00a0"),
        NoteKind.NO_WORDS: "Задайте вопрос словами.",
        NoteKind.EMPTY: "Спросите что-нибудь о статье.",
        NoteKind.NOT_ENGLISH: "Задайте вопрос по-русски или по-английски.",
        NoteKind.GREETING: f"Здравствуйте! Я отвечаю на вопросы о статье \u00ab"
                           f"{kb.articles[0].title}\u00bb.",
        NoteKind.NOT_MENTIONED: f"В статье не упоминается {note.subject}.",
        NoteKind.NOT_QUOTED: f"В статье нет слов {note.subject}.",
        NoteKind.NOT_QUOTED_ON: f"В статье {people} не говорит об этом."
                                + (f" Об этом говорил(а) {others}." if note.others else ""),
        NoteKind.NAMED_NOT_QUOTED: f"{people} упоминается в статье, но не цитируется.",
        NoteKind.NOT_SAID_ABOUT: f"В статье нет этого о {people}.",
        NoteKind.SAID_AT: "Где и когда, по словам статьи (на английском):",
        NoteKind.CITED_BY: f"{people} не цитируется напрямую; {others} ссылается на него:",
        NoteKind.NO_QUESTION: "Я не нашёл в этом вопроса о статье.",
        NoteKind.NOT_IN_ARTICLE: "В статье нет ответа на этот вопрос.",
        NoteKind.SPOKE_ABOUT: f"Об этом говорил(а) {others} (цитата на английском):",
        NoteKind.QUOTING_ON: f"{others} о {people}:",
        NoteKind.UNSURE: "Я не уверен, какую часть статьи вы имеете в виду.",
        NoteKind.WHOM: "Кого вы имеете в виду?",
        NoteKind.SPEAKER_COUNT: f"В статье цитируются {note.count} {_ru_people(note.count)}:",
        NoteKind.NO_MORE: f"Больше {people} в статье ничего не говорит"
        + (" об этом." if note.subject else ".") if note.people
        else "Больше в статье об этом ничего нет.",
        NoteKind.NOT_UNDERSTOOD: f"Я не понял слова \u00ab{note.subject}\u00bb в вопросе. "
                                 "Спросите иначе или по-английски.",
    }
    return texts.get(kind, "")


def _ru_people(count: int) -> str:
    """ "человек" in the form a number takes: 1 человек, 2-4 человека, 5 человек."""
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "человека"
    return "человек"


# ------------------------------------------------------------------------------ libraries


def article_label(article: ArticleRef) -> str:
    """ "Title" (Outlet, date): how a reply names one article of a library."""
    details = ", ".join(x for x in (article.outlet, article.date) if x)
    return f"\u201c{article.title}\u201d" + (f" ({details})" if details else "")


def library_blocks(result: LibraryResult, kb_of: Callable[[str], KnowledgeBase],
                   m: Markup) -> list[str]:
    """A library's reply, as blocks: each article's reply (under its title when there are
    several), then how many more articles may answer, or which other articles answer what this
    one does not. ``kb_of`` gives an article id's knowledge base."""
    first = result.parts[0]
    blocks = result_blocks(first.result, kb_of(first.article.id), m)
    if len(result.parts) > 1:
        blocks = [_in_article(first.article, m), *blocks]
    return blocks + library_extra_blocks(result, kb_of, m)


def render_library_result(result: LibraryResult, kb_of: Callable[[str], KnowledgeBase],
                          m: Markup) -> str:
    """A library's reply as one text (see :func:`library_blocks`)."""
    return join_blocks(library_blocks(result, kb_of, m))


def library_extra_blocks(result: LibraryResult, kb_of: Callable[[str], KnowledgeBase],
                         m: Markup) -> list[str]:
    """What a library's reply adds after its first article's reply (nothing, often): the other
    articles' replies, how many more may answer, which answer what the first does not."""
    blocks: list[str] = []
    for part in result.parts[1:]:
        blocks.append(_in_article(part.article, m))
        blocks += result_blocks(part.result, kb_of(part.article.id), m)
    if result.more:
        other = "article" if result.more == 1 else "articles"
        blocks += text_blocks(f"{result.more:,} more {other} may answer this too: "
                              "/articles lists them.", m)
    if result.elsewhere:
        blocks += line_blocks(["Other articles answer this:", *(
            f"\u2022 {article_label(a)}" for a in result.elsewhere)], m)
    return blocks


def _in_article(article: ArticleRef, m: Markup) -> str:
    return m.bold(m.escape("In " + article_label(article) + ":"))


def article_list_blocks(articles: Iterable[ArticleRef], m: Markup, *,
                        current: str | None = None) -> list[str]:
    """The articles a library serves, one a line, the current one marked."""
    lines = [f"\u2022 {article_label(a)}{' (current)' if a.id == current else ''} \u2014 {a.id}"
             for a in articles]
    return line_blocks(["Articles:", *lines], m)


def render_article_list(articles: Iterable[ArticleRef], m: Markup, *,
                        current: str | None = None) -> str:
    """The articles a library serves as one text (see :func:`article_list_blocks`)."""
    return join_blocks(article_list_blocks(articles, m, current=current))
