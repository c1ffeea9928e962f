"""Question sets and their reports: how the tests and ``article-bot eval`` measure the engine.

Two formats:

* **by id** (``tests/eval_*.yaml``): a YAML list of ``{question, kind, expect, speaker}``, where
  ``expect`` names knowledge-base ids (any of them as the first match), ``no_answer`` or
  ``clarify``. Written against one knowledge base.
* **blind** (``tests/articles/<id>/questions.yaml``): ``{article, questions: [...]}`` where each
  question says what a right reply contains in the article's own terms: the speaker's name and
  a verbatim fragment of the answering sentence. Writers see only the article text, never the
  knowledge base, so these sets judge any knowledge base of that article, hand-written or
  drafted.

A folder of articles (``DIR/<id>/knowledge/`` + ``DIR/<id>/questions.yaml``) is run article by
article, each with its own knowledge base, and reported per article and per kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from rapidfuzz import fuzz

from bot.knowledge import KnowledgeBase, Person, load_knowledge
from bot.results import Match, NoteKind, Result, Status
from bot.text import fold, words


class EvalError(Exception):
    """A question file that cannot be read; the message names the file and the item."""


class Answerer(Protocol):
    """What an evaluation needs of an engine."""

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base the engine answers from."""

    def answer(self, question: str) -> Result:
        """The engine's reply to one question."""


AnswererT = TypeVar("AnswererT", bound=Answerer)


# --------------------------------------------------------------------------------- reports


@dataclass
class EvalReport:
    """The outcome of an evaluation run."""

    total: int = 0
    correct: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    out_of_scope: int = 0
    declined: int = 0
    misattributions: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of questions answered right, in percent."""
        return 100.0 * self.correct / self.total if self.total else 0.0

    def kind_accuracy(self, kind: str) -> float:
        """Accuracy on one kind of question, in percent (100 when there are none)."""
        correct, total = self.by_kind.get(kind, [0, 0])
        return 100.0 * correct / total if total else 100.0

    @property
    def decline_rate(self) -> float:
        """Share of the questions the article does not answer that were declined, in percent."""
        return 100.0 * self.declined / self.out_of_scope if self.out_of_scope else 100.0

    def tally(self, kind: str, ok: bool, *, declinable: bool, declined: bool) -> None:
        """Count one question."""
        self.total += 1
        self.correct += ok
        row = self.by_kind[kind]
        row[0] += ok
        row[1] += 1
        if declinable:
            self.out_of_scope += 1
            self.declined += declined

    def merge(self, other: EvalReport, label: str) -> None:
        """Add another report's counts (a folder's total), its lines prefixed with ``label``."""
        self.total += other.total
        self.correct += other.correct
        self.out_of_scope += other.out_of_scope
        self.declined += other.declined
        for kind, (correct, total) in other.by_kind.items():
            row = self.by_kind[kind]
            row[0] += correct
            row[1] += total
        self.misattributions += [f"{label}: {m}" for m in other.misattributions]
        self.failures += [f"{label}: {f}" for f in other.failures]


def format_report(report: EvalReport) -> str:
    """The evaluation as a table by kind, totals and failures."""
    lines = [f"{'kind':<22}{'correct':>8}{'total':>7}{'accuracy':>10}"]
    for kind in sorted(report.by_kind):
        correct, total = report.by_kind[kind]
        lines.append(f"{kind:<22}{correct:>8}{total:>7}{100 * correct / total:>9.1f}%")
    lines.append(f"{'overall':<22}{report.correct:>8}{report.total:>7}{report.accuracy:>9.1f}%")
    if report.out_of_scope:
        lines.append(f"out-of-scope declined: {report.declined}/{report.out_of_scope} "
                     f"({report.decline_rate:.1f}%)")
    lines.append(f"misattributions: {len(report.misattributions)}")
    lines += [f"  {m}" for m in report.misattributions]
    if report.failures:
        lines.append(f"failures ({len(report.failures)}):")
        lines += [f"  {f}" for f in report.failures]
    return "\n".join(lines)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise EvalError(f"{path}: cannot read: {exc}") from None


# ------------------------------------------------------------------------------ by id


@dataclass
class EvalItem:
    """One evaluation question and what a right reply is."""

    question: str
    kind: str
    expect_ids: tuple[str, ...]  # any of these as the first match; empty with a status
    expect_status: Status
    speaker: str | None  # the person the question attributes words to, if any
    line: int


def load_eval(path: Path) -> list[EvalItem]:
    """Read an evaluation file by id: a YAML list of {question, expect, kind, speaker}."""
    data = _read_yaml(path)
    if not isinstance(data, list):
        raise EvalError(f"{path}: expected a list of questions")
    items = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("question"), str):
            raise EvalError(f"{path}: item {index + 1}: needs a 'question' string")
        expect = entry.get("expect")
        ids: tuple[str, ...] = ()
        status = Status.ANSWER
        if expect in ("no_answer", "clarify"):
            status = Status(expect)
        elif isinstance(expect, str):
            ids = (expect,)
        elif isinstance(expect, list) and expect and all(isinstance(e, str) for e in expect):
            ids = tuple(expect)
        else:
            raise EvalError(f"{path}: item {index + 1}: 'expect' must be an id, a list of ids, "
                            "'no_answer' or 'clarify'")
        kind = str(entry.get("kind") or ("out_of_scope" if status is Status.NO_ANSWER
                                         else "other"))
        items.append(EvalItem(entry["question"], kind, ids, status, entry.get("speaker"),
                              index + 1))
    return items


def evaluate(engine: Answerer, items: list[EvalItem]) -> EvalReport:
    """Ask every question and score the replies."""
    kb = engine.kb
    report = EvalReport()
    for item in items:
        result = engine.answer(item.question)
        first = result.matches[0].id if result.matches else None
        if item.expect_status is Status.ANSWER:
            ok = result.status is Status.ANSWER and first in item.expect_ids
        else:
            ok = result.status is item.expect_status
        wrong = _misattributed(kb, item, result)
        if wrong:
            report.misattributions.append(f"{item.question!r}: {wrong}")
        report.tally(item.kind, ok, declinable=item.expect_status is Status.NO_ANSWER,
                     declined=result.status is Status.NO_ANSWER)
        if not ok:
            got = ", ".join(m.id for m in result.matches[:3]) or "-"
            want = ", ".join(item.expect_ids) or item.expect_status.value
            report.failures.append(f"[{item.kind}] {item.question!r}: got "
                                   f"{result.status.value} ({got}); want {want}")
    return report


def _misattributed(kb: KnowledgeBase, item: EvalItem, result: Result) -> str:
    """Words shown under the wrong speaker (empty if none).

    When the question names a speaker (``speaker:``), every statement shown must be theirs
    or cite them. Otherwise the answer's first statement must be by one of the expected
    statements' speakers; a topic question may rightly list others after it.
    """
    if result.status is not Status.ANSWER:
        return ""
    statements = [kb.statement(m.id) for m in result.matches if m.kind == "statement"]
    if item.speaker:
        allowed = {item.speaker}
    else:
        allowed = {kb.statement(i).speaker for i in item.expect_ids
                   if any(s.id == i for s in kb.statements)}
        statements = statements[:1]
    if not allowed:
        return ""
    for statement in statements:
        if statement.speaker not in allowed and statement.cites not in allowed:
            return f"showed {statement.id} ({statement.speaker})"
    return ""


# ------------------------------------------------------------------------------ blind

BLIND_KINDS = ("plain", "paraphrase", "out_of_scope", "misattribution")
BLIND_TYPES = ("what_said", "who_said", "who_is", "all_said", "fact", "none")
FRAGMENT_MATCH = 90.0  # fuzz.partial_ratio of a fragment to an entry's text that counts as it
SHOWN_LIMIT = 3  # a right entry must be among the first three shown


@dataclass(frozen=True)
class BlindItem:
    """One blind question: what a right reply contains, in the article's own terms."""

    question: str
    kind: str  # plain | paraphrase | out_of_scope | misattribution
    type: str  # what_said | who_said | who_is | all_said | fact | none
    speaker: str  # a name as the article writes it, or ""
    quote: str  # a verbatim fragment of the answering sentence, or ""
    index: int

    @property
    def declinable(self) -> bool:
        """The article does not answer it: the right reply is no answer."""
        return self.kind in ("out_of_scope", "misattribution")


@dataclass(frozen=True)
class BlindSet:
    """A blind question set for one article."""

    article: str
    items: tuple[BlindItem, ...]


def load_blind(path: Path) -> BlindSet:
    """Read a blind question file: ``{article, questions: [{question, kind, type, ...}]}``."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise EvalError(f"{path}: expected a mapping with 'article' and a 'questions' list")
    items = load_blind_items(data["questions"], str(path))
    return BlindSet(str(data.get("article") or path.parent.name), items)


def is_blind_file(path: Path) -> bool:
    """Whether a question file is in the blind format (a mapping with 'questions')."""
    data = _read_yaml(path)
    return isinstance(data, dict) and "questions" in data


def _same_text(fragment: str, text: str) -> bool:
    a, b = " ".join(fold(fragment).split()), " ".join(fold(text).split())
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return fuzz.partial_ratio(short, long_) >= FRAGMENT_MATCH


def _is_person(person: Person, name: str) -> bool:
    """Whether a knowledge-base person is the one a writer named."""
    wanted = fold(name).split()
    if not wanted:
        return False
    names = {fold(person.name), *(fold(a) for a in person.aliases)}
    return " ".join(wanted) in names or wanted[-1] in {w for n in names for w in n.split()}


def _entry_texts(kb: KnowledgeBase, match: Match, note: NoteKind = NoteKind.NONE) -> list[str]:
    """The article's words a reply shows for an entry (a statement's attribution too, when
    the reply tells where or when it was said)."""
    if match.kind == "statement":
        statement = kb.statement(match.id)
        return [statement.text] + ([statement.attribution] if note is NoteKind.SAID_AT else [])
    if match.kind == "fact":
        fact = kb.fact(match.id)
        return [fact.quote, fact.answer]
    if match.kind == "article":
        article = kb.article(match.id)
        return [article.title, article.summary]
    return []


def judge_blind(kb: KnowledgeBase, item: BlindItem, result: Result) -> tuple[bool, str]:
    """Whether a reply is right, and the misattribution it makes (empty if none)."""
    answered = result.status is Status.ANSWER
    shown = result.matches[:SHOWN_LIMIT] if answered else ()
    wrong = _blind_misattribution(kb, item, result) if answered else ""
    if item.declinable:
        return result.status is Status.NO_ANSWER, wrong
    if not answered:
        return False, wrong
    if item.type == "who_is":
        first = result.matches[0]
        return first.kind == "person" and _is_person(kb.person(first.id), item.speaker), wrong
    if item.type == "all_said":
        people = {m.speaker for m in result.matches if m.speaker}
        return (len(people) == 1
                and _is_person(kb.person(next(iter(people))), item.speaker)), wrong
    if item.type == "fact":
        return any(_same_text(item.quote, t) for m in shown
                   for t in _entry_texts(kb, m, result.note.kind)), wrong
    for match in shown:
        if match.kind == "person" and item.type == "who_said":
            person = kb.person(match.id)
            if _is_person(person, item.speaker) and any(
                    _same_text(item.quote, s.text) for s in kb.statements_by(person.id)):
                return True, wrong
        # "who said ...?" quoting the article's sentence that names who ("X announced on
        # Saturday"): the statement it introduces, under the right name, answers it
        note = NoteKind.SAID_AT if item.type == "who_said" else result.note.kind
        for text in _entry_texts(kb, match, note):
            if _same_text(item.quote, text) and (
                    match.kind == "fact" or _is_person(kb.person(match.speaker or ""),
                                                       item.speaker)):
                return True, wrong
    return False, wrong


def _wanted(item: BlindItem) -> str:
    """What a blind item wants, for a failure line: whose words, or no answer."""
    if item.declinable:
        return "no_answer"
    return item.speaker + (f": {item.quote[:40]}" if item.quote else "")


def _blind_misattribution(kb: KnowledgeBase, item: BlindItem, result: Result) -> str:
    """Words shown under a name the question did not ask for, or the right words misnamed."""
    statements = [kb.statement(m.id) for m in result.matches if m.kind == "statement"]
    if item.speaker and item.type in ("what_said", "all_said"):
        for statement in statements:
            person = kb.person(statement.speaker)
            # words by someone else are fine when they cite the person asked about, or speak
            # of them by name (the reply then says whose words they are)
            if not _is_person(person, item.speaker) and not _cites(kb, statement.cites,
                                                                     item.speaker) \
                    and not _cites(kb, statement.text, item.speaker):
                return f"showed {statement.id} ({person.name})"
    if item.quote and item.speaker:
        for statement in statements[:1]:
            person = kb.person(statement.speaker)
            if _same_text(item.quote, statement.text) and not _is_person(person, item.speaker):
                return f"showed {statement.id} under {person.name}"
    return ""


def _cites(kb: KnowledgeBase, cites: str | None, name: str) -> bool:
    """Whether a statement's ``cites`` (a person id or the article's free text) names them."""
    if not cites:
        return False
    cited = kb.find_person(cites)
    if cited is not None:
        return _is_person(cited, name)
    surname = fold(name).split()[-1:] or [""]
    return surname[0] in words(cites)


def evaluate_blind(engine: Answerer, blind: BlindSet) -> EvalReport:
    """Ask every blind question of one article's engine and score the replies."""
    report = EvalReport()
    for item in blind.items:
        result = engine.answer(item.question)
        ok, wrong = judge_blind(engine.kb, item, result)
        if wrong:
            report.misattributions.append(f"{item.question!r}: {wrong}")
        report.tally(item.kind, ok, declinable=item.declinable,
                     declined=result.status is Status.NO_ANSWER)
        if not ok:
            got = ", ".join(m.id for m in result.matches[:3]) or "-"
            report.failures.append(f"[{item.kind}/{item.type}] {item.question!r}: got "
                                   f"{result.status.value} ({got}); want {_wanted(item)}")
    return report


# ---------------------------------------------------------------------- article folders


@dataclass(frozen=True)
class ArticleCase:
    """One article of an evaluation folder: its knowledge base and its question file."""

    article: str
    knowledge: Path
    questions: Path


def article_cases(folder: Path, questions_name: str = "questions.yaml") -> list[ArticleCase]:
    """The articles of a folder laid out as ``<id>/knowledge/`` and ``<id>/<questions_name>``."""
    cases = [ArticleCase(d.name, d / "knowledge", d / questions_name)
             for d in sorted(folder.iterdir()) if d.is_dir()
             and (d / "knowledge").is_dir() and (d / questions_name).is_file()]
    if not cases:
        raise EvalError(f"{folder}: no <article>/knowledge/ with <article>/{questions_name}")
    return cases


EngineFactory = Callable[[KnowledgeBase], Answerer]


def evaluate_folder(cases: Iterable[ArticleCase], make_engine: EngineFactory
                    ) -> dict[str, EvalReport]:
    """Run each article's blind set against an engine built on its own knowledge base."""
    reports = {}
    for case in cases:
        engine = make_engine(load_knowledge(case.knowledge))
        reports[case.article] = evaluate_blind(engine, load_blind(case.questions))
    return reports


def combined(reports: dict[str, EvalReport]) -> EvalReport:
    """All articles' reports added up."""
    total = EvalReport()
    for article, report in reports.items():
        total.merge(report, article)
    return total


def format_folder_report(reports: dict[str, EvalReport]) -> str:
    """One row per article (accuracy by kind, declines, misattributions), then the totals."""
    kinds = BLIND_KINDS
    header = f"{'article':<48}{'n':>4}" + "".join(f"{k[:10]:>12}" for k in kinds) + \
        f"{'overall':>9}{'misattr':>8}"
    lines = [header]
    for article, report in reports.items():
        cells = "".join(f"{report.kind_accuracy(k):>11.1f}%" for k in kinds)
        lines.append(f"{article[:47]:<48}{report.total:>4}{cells}{report.accuracy:>8.1f}%"
                     f"{len(report.misattributions):>8}")
    lines.append("")
    lines.append(format_report(combined(reports)))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- conversations


@dataclass(frozen=True)
class Conversation:
    """A blind conversation: turns of one article, each judged like a blind question."""

    article: str
    turns: tuple[BlindItem, ...]


def load_conversations(path: Path) -> list[Conversation]:
    """Read conversations: a list of ``{article, turns: [...]}``, or one article's
    ``{article, conversations: [{turns: [...]}]}``; each turn is a blind question."""
    data = _read_yaml(path)
    article = ""
    if isinstance(data, dict) and isinstance(data.get("conversations"), list):
        article, data = str(data.get("article") or ""), data["conversations"]
    if not isinstance(data, list):
        raise EvalError(f"{path}: expected a list of conversations")
    out = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("turns"), list):
            raise EvalError(f"{path}: conversation {number}: needs 'article' and 'turns'")
        blind = load_blind_items(entry["turns"], f"{path}: conversation {number}")
        out.append(Conversation(str(entry.get("article") or article), blind))
    return out


def is_conversation_file(path: Path) -> bool:
    """Whether a question file holds conversations (either shape of :func:`load_conversations`)."""
    data = _read_yaml(path)
    if isinstance(data, dict):
        return isinstance(data.get("conversations"), list)
    return isinstance(data, list) and bool(data) and all(
        isinstance(e, dict) and "turns" in e for e in data)


def format_conversation_report(report: ConversationReport) -> str:
    """Conversations right in every turn, then the turns' report."""
    return (f"conversations right in every turn: {report.resolved}/{report.conversations}\n"
            + format_report(report.turns))


def load_blind_items(entries: list[Any], where: str) -> tuple[BlindItem, ...]:
    """Blind questions from parsed YAML entries (``where`` names them in errors)."""
    items = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("question"), str):
            raise EvalError(f"{where}: question {index}: needs a 'question' string")
        kind, kind_type = entry.get("kind"), entry.get("type", "none")
        if kind not in BLIND_KINDS or kind_type not in BLIND_TYPES:
            raise EvalError(f"{where}: question {index}: kind must be one of {BLIND_KINDS} and "
                            f"type one of {BLIND_TYPES}")
        items.append(BlindItem(entry["question"], kind, kind_type,
                               str(entry.get("speaker") or ""), str(entry.get("quote") or ""),
                               index))
    return tuple(items)


@dataclass
class ConversationReport:
    """Conversations right in every turn, turns right, and misattributions."""

    conversations: int = 0
    resolved: int = 0
    turns: EvalReport = field(default_factory=EvalReport)


def evaluate_conversations(conversations: Iterable[Conversation],
                           engines: Mapping[str, AnswererT],
                           talk: Callable[[AnswererT, str, Any], tuple[Result, Any]],
                           start: Any) -> ConversationReport:
    """Play every conversation, turn by turn, through ``talk`` (the conversation adapter)."""
    report = ConversationReport()
    for number, conversation in enumerate(conversations, start=1):
        engine = engines[conversation.article]
        context = start
        all_right = True
        for item in conversation.turns:
            result, context = talk(engine, item.question, context)
            ok, wrong = judge_blind(engine.kb, item, result)
            all_right &= ok
            if wrong:
                report.turns.misattributions.append(f"#{number} {item.question!r}: {wrong}")
            report.turns.tally(item.kind, ok, declinable=item.declinable,
                               declined=result.status is Status.NO_ANSWER)
            if not ok:
                got = ", ".join(m.id for m in result.matches[:3]) or "-"
                report.turns.failures.append(f"#{number} [{item.kind}/{item.type}] "
                                             f"{item.question!r}: got {result.status.value} "
                                             f"({got}); want {_wanted(item)}")
        report.conversations += 1
        report.resolved += all_right
    return report
