"""Knowledge loader: the real knowledge base, integrity errors, lint warnings, reload diffs.

Small knowledge bases are written to ``tmp_path`` by the ``make_kb`` factory from one minimal
valid article (:data:`MINI_YAML` + :data:`MINI_SOURCE`); each test changes one thing with
:func:`variant` and checks the exact problem, its file and its line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge import (
    KnowledgeBase,
    KnowledgeError,
    Problem,
    diff_knowledge,
    format_changes,
    inspect_knowledge,
    load_knowledge,
    normalise_verbatim,
)

REAL_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

# The source deliberately uses curly quotes, a curly apostrophe and a line break inside a quote,
# while MINI_YAML quotes it with straight marks on one line: the verbatim check must tolerate it.
MINI_SOURCE = """\
Mini partners meet

The round table, opened by Dan Delta, was held today at the Mini Hall in Smallton.

Ann Alpha said that trade with \u201cour neighbours\u201d is growing. "We want more trade
with our neighbours, and we want it now," she added. "It\u2019s time," Ann Alpha said.

Ben Beta said that sanctions hurt everyone.
"""

MINI_YAML = """\
# A minimal valid article for the loader tests.
article:
  id: mini
  title: Mini partners meet
  outlet: Mini Times
  source: sources/mini.txt
  summary: Two people talk about trade and sanctions.
  event:
    title: Mini round table
    kind: round table
    place: the Mini Hall
    city: Smallton
    date: today
    organizers: [the Mini Hall]
    attendees: [Ann Alpha, Ben Beta]

topics:
  - id: trade
    name: Trade
    synonyms: [trade, commerce]
  - id: sanctions
    name: Sanctions
    synonyms: [sanctions, embargo]

people:
  - id: ann
    name: Ann Alpha
    nationality: Testian
    roles: [Minister of Trade]
    aliases: [Ann, Alpha]
    role_aliases: [the minister]
  - id: ben
    name: Ben Beta
    roles: [Ambassador]
    aliases: [Ben, Beta]
  - id: dan
    name: Dan Delta
    roles: [host of the round table]

statements:
  - id: ann-trade-growing
    speaker: ann
    kind: reported
    text: trade with "our neighbours" is growing
    attribution: Ann Alpha said
    cites: null
    topics: [trade]
    questions: [is trade growing]
  - id: ann-more-trade
    speaker: ann
    kind: quote
    text: We want more trade with our neighbours, and we want it now
    attribution: she added
    topics: [trade]
  - id: ann-time
    speaker: ann
    kind: quote
    text: It's time
    attribution: Ann Alpha said
    topics: [trade]
  - id: ben-sanctions
    speaker: ben
    kind: reported
    text: sanctions hurt everyone
    attribution: Ben Beta said
    cites: null
    topics: [sanctions]

facts:
  - id: event-place
    answer: The round table was held at the Mini Hall.
    quote: opened by Dan Delta, was held today at the Mini Hall
    questions: [where was the round table held]
    keywords: [where, venue]
    topics: []
"""

# A second, independent article file for multi-file tests (its ids differ from MINI_YAML's).
OTHER_YAML = """\
article:
  id: other
  title: Another article
  outlet: Other Times
  source: sources/mini.txt
  summary: The same text, seen again.
  event:
    title: Mini round table
    kind: round table
    place: the Mini Hall
people:
  - id: zed
    name: Ben Beta
    roles: [Ambassador]
"""

MakeKb = Callable[..., Path]


@pytest.fixture
def make_kb(tmp_path: Path) -> MakeKb:
    """A factory: write one article file (and the source) into a knowledge folder, return it."""

    def make(yaml_text: str = MINI_YAML, *, source: str = MINI_SOURCE, name: str = "mini.yaml",
             folder: str = "kb") -> Path:
        root = tmp_path / folder
        (root / "sources").mkdir(parents=True, exist_ok=True)
        (root / "sources" / "mini.txt").write_text(source, encoding="utf-8")
        (root / name).write_text(yaml_text, encoding="utf-8")
        return root

    return make


def variant(old: str, new: str, base: str = MINI_YAML) -> str:
    """``base`` with the one occurrence of ``old`` replaced (fails loudly if not exactly one)."""
    assert base.count(old) == 1, f"{old!r} must occur exactly once in the base text"
    return base.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the only line of ``text`` that is ``needle`` (else contains it)."""
    numbered = list(enumerate(text.splitlines(), 1))
    lines = [n for n, line in numbered if line.strip() == needle.strip()]
    lines = lines or [n for n, line in numbered if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}, expected exactly one"
    return lines[0]


def errors(folder: Path) -> list[Problem]:
    """The errors ``inspect_knowledge`` reports for ``folder`` (asserting it refused to load)."""
    kb, problems = inspect_knowledge(folder)
    found = [p for p in problems if p.severity == "error"]
    assert kb is None and found, f"expected errors, got {problems}"
    return found


def only_error(folder: Path) -> Problem:
    """The single error reported for ``folder``."""
    found = errors(folder)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def warnings(folder: Path) -> list[Problem]:
    """The warnings for ``folder``, which must still load."""
    kb, problems = inspect_knowledge(folder)
    assert kb is not None, [str(p) for p in problems]
    assert all(p.severity == "warning" for p in problems)
    return problems


# ============================================================================ the real article


def _independent_normalise(text: str) -> str:
    """A second, separately written verbatim normalisation: quote marks by Unicode name."""
    quotes = {"\"", "'", "`", "\u201e", "\u201a", "\u2032", "\u2033"}
    out = []
    for char in text:
        if char in quotes or unicodedata.category(char) in ("Pi", "Pf"):
            name = unicodedata.name(char, "")
            double = char == '"' or "DOUBLE" in name or "GUILLEMET" in name
            out.append('"' if double else "'")
        else:
            out.append(char)
    return " ".join("".join(out).split())


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    """The project's knowledge base, loaded once for this module."""
    return load_knowledge(REAL_KNOWLEDGE)


def test_real_knowledge_base_has_no_errors_and_no_warnings() -> None:
    kb, problems = inspect_knowledge(REAL_KNOWLEDGE, lint=True)
    assert [str(p) for p in problems] == []
    assert kb is not None
    assert len(kb.articles) >= 1 and kb.statements and kb.facts and kb.people and kb.topics


def test_real_statements_and_quotes_are_verbatim_in_the_source(real_kb: KnowledgeBase) -> None:
    for article in real_kb.articles:
        source_file = REAL_KNOWLEDGE / article.source_path
        source = _independent_normalise(source_file.read_text(encoding="utf-8"))
        texts = [(s.id, s.text) for s in real_kb.statements if s.article_id == article.id]
        texts += [(f.id, f.quote) for f in real_kb.facts if f.article_id == article.id]
        assert texts
        for entry_id, text in texts:
            # Three words at least, so "verbatim" cannot be satisfied by a coincidence.
            assert len(text.split()) >= 3, entry_id
            assert _independent_normalise(text) in source, f"{entry_id} is not verbatim"


def test_real_references_resolve(real_kb: KnowledgeBase) -> None:
    people = {p.id for p in real_kb.people}
    topics = {t.id for t in real_kb.topics}
    for s in real_kb.statements:
        assert s.speaker in people, s.id
        assert set(s.topics) <= topics, s.id
        assert s.topics, f"{s.id} has no topics"
        if s.cites and " " not in s.cites:
            assert s.cites in people, s.id
    for f in real_kb.facts:
        assert set(f.topics) <= topics, f.id
    every_id = [x.id for kind in (real_kb.articles, real_kb.people, real_kb.topics,
                                  real_kb.statements, real_kb.facts) for x in kind]
    assert len(every_id) == len(set(every_id))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in every_id)


def test_real_people_have_roles_and_every_quoted_person_is_listed(real_kb: KnowledgeBase) -> None:
    assert all(p.roles and p.name for p in real_kb.people)
    assert {s.speaker for s in real_kb.statements} == {p.id for p in real_kb.quoted_people()}


# ======================================================================= the factory's baseline


def test_mini_knowledge_base_is_valid_and_clean(make_kb: MakeKb) -> None:
    kb, problems = inspect_knowledge(make_kb())
    assert problems == []
    assert kb is not None
    assert [s.id for s in kb.statements] == ["ann-trade-growing", "ann-more-trade", "ann-time",
                                             "ben-sanctions"]
    assert kb.statement("ann-more-trade").line == line_of(MINI_YAML, "- id: ann-more-trade")
    assert kb.article("mini").line == line_of(MINI_YAML, "  id: mini")
    assert kb.files == ("mini.yaml",)


def test_load_knowledge_accepts_a_single_file(make_kb: MakeKb) -> None:
    kb = load_knowledge(make_kb() / "mini.yaml")
    assert kb.person("ben").name == "Ben Beta"


# ============================================================================ integrity errors


def test_problem_reads_file_line_severity_message() -> None:
    assert str(Problem("a.yaml", 7, "boom")) == "a.yaml:7: error: boom"
    assert str(Problem("a.yaml", 7, "hmm", "warning")) == "a.yaml:7: warning: hmm"


def test_load_knowledge_raises_with_every_error_as_a_file_line(make_kb: MakeKb) -> None:
    text = variant("speaker: ben", "speaker: nobody")
    text = variant("topics: [sanctions]", "topics: [nothing]", text)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(make_kb(text))
    line = line_of(text, "- id: ben-sanctions")
    assert str(caught.value).splitlines() == [
        f"mini.yaml:{line}: error: statement 'ben-sanctions': unknown speaker 'nobody'",
        f"mini.yaml:{line}: error: statement 'ben-sanctions': unknown topic 'nothing'",
    ]
    assert len(caught.value.problems) == 2


def test_duplicate_id_names_both_places(make_kb: MakeKb) -> None:
    text = variant("- id: ben-sanctions", "- id: ann-more-trade")
    problem = only_error(make_kb(text))
    first = line_of(MINI_YAML, "- id: ann-more-trade")
    second = line_of(MINI_YAML, "- id: ben-sanctions")
    assert (problem.file, problem.line) == ("mini.yaml", second)
    assert problem.message == f"duplicate id 'ann-more-trade' (first at mini.yaml:{first})"


def test_duplicate_id_across_files_names_both_files(make_kb: MakeKb) -> None:
    make_kb()
    other = variant("id: zed", "id: ben", OTHER_YAML)
    problem = only_error(make_kb(other, name="other.yaml"))
    assert (problem.file, problem.line) == ("other.yaml", line_of(other, "- id: ben"))
    assert f"first at mini.yaml:{line_of(MINI_YAML, '- id: ben')}" in problem.message


def test_two_valid_files_load_together(make_kb: MakeKb) -> None:
    make_kb()
    kb = load_knowledge(make_kb(OTHER_YAML, name="other.yaml"))
    assert kb.files == ("mini.yaml", "other.yaml")
    assert kb.person("zed").article_id == "other"


def test_unknown_speaker(make_kb: MakeKb) -> None:
    problem = only_error(make_kb(variant("speaker: ben", "speaker: bob")))
    assert problem.line == line_of(MINI_YAML, "- id: ben-sanctions")
    assert problem.message == "statement 'ben-sanctions': unknown speaker 'bob'"


def test_unknown_topic_in_statement_and_fact(make_kb: MakeKb) -> None:
    text = variant("topics: [sanctions]", "topics: [sanctions, tariffs]")
    text = variant("    topics: []\n", "    topics: [weather]\n", text)
    found = errors(make_kb(text))
    assert [(p.line, p.message) for p in found] == [
        (line_of(text, "- id: ben-sanctions"),
         "statement 'ben-sanctions': unknown topic 'tariffs'"),
        (line_of(text, "- id: event-place"), "fact 'event-place': unknown topic 'weather'"),
    ]


def test_one_word_cite_must_be_a_person(make_kb: MakeKb) -> None:
    text = variant("    cites: null\n    topics: [sanctions]",
                   "    cites: carl\n    topics: [sanctions]")
    problem = only_error(make_kb(text))
    assert problem.line == line_of(text, "- id: ben-sanctions")
    assert problem.message == "statement 'ben-sanctions': unknown cited person 'carl'"


@pytest.mark.parametrize("cites", ["ann", "the Testian president",
                                   "a correspondent of Mini Times"])
def test_cite_may_be_a_person_id_or_free_text(make_kb: MakeKb, cites: str) -> None:
    text = variant("    cites: null\n    topics: [sanctions]",
                   f"    cites: {cites}\n    topics: [sanctions]")
    kb = load_knowledge(make_kb(text))
    assert kb.statement("ben-sanctions").cites == cites


def test_statement_text_not_verbatim(make_kb: MakeKb) -> None:
    problem = only_error(make_kb(variant("text: sanctions hurt everyone",
                                         "text: sanctions hurt nobody")))
    assert problem.line == line_of(MINI_YAML, "- id: ben-sanctions")
    assert problem.message == ("statement 'ben-sanctions': "
                               "text is not verbatim in the article source")


def test_fact_quote_not_verbatim(make_kb: MakeKb) -> None:
    problem = only_error(make_kb(variant("quote: opened by Dan Delta,",
                                         "quote: closed by Dan Delta,")))
    assert problem.line == line_of(MINI_YAML, "- id: event-place")
    assert problem.message == "fact 'event-place': quote is not verbatim in the article source"


def test_verbatim_check_tolerates_quote_styles_and_line_breaks(make_kb: MakeKb) -> None:
    # The other way round from the baseline: straight quotes in the source, curly in the YAML,
    # and the YAML text folded over two lines.
    source = MINI_SOURCE.replace("\u201cour neighbours\u201d", '"our neighbours"')
    text = variant('text: trade with "our neighbours" is growing',
                   "text: >-\n      trade with \u201cour\n      neighbours\u201d is growing")
    text = variant("text: It's time", "text: It\u2019s time", text)
    kb = load_knowledge(make_kb(text, source=source))
    stored = kb.statement("ann-trade-growing").text
    assert stored == "trade with \u201cour neighbours\u201d is growing"
    # ...but the words themselves must match.
    assert normalise_verbatim("\u201cour\n  neighbours\u201d") == '"our neighbours"'
    assert normalise_verbatim("It\u2019s") == normalise_verbatim("It's")
    assert normalise_verbatim("our neighbour") != normalise_verbatim("our neighbours")


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("    questions: [is trade growing]\n",
     "    questions: [is trade growing]\n    mood: upbeat\n",
     "- id: ann-trade-growing", "statement 'ann-trade-growing': unknown key 'mood'"),
    ("  outlet: Mini Times\n", "  outlet: Mini Times\n  author: Someone\n",
     "  id: mini", "article: unknown key 'author'"),
    ("    city: Smallton\n", "    city: Smallton\n    weather: sunny\n",
     "    title: Mini round table", "article event: unknown key 'weather'"),
])
def test_unknown_key_names_the_entry_and_its_line(make_kb: MakeKb, old: str, new: str,
                                                 needle: str, message: str) -> None:
    text = variant(old, new)
    problem = only_error(make_kb(text))
    assert (problem.file, problem.line, problem.message) == ("mini.yaml", line_of(text, needle),
                                                             message)


def test_unknown_top_level_key(make_kb: MakeKb) -> None:
    problem = only_error(make_kb(MINI_YAML + "quotes: []\n"))
    assert problem.message == "unknown top-level key 'quotes'"


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("topics: [sanctions]", "topics: sanctions", "- id: ben-sanctions",
     "statement 'ben-sanctions': 'topics' must be a list of strings"),
    ("text: sanctions hurt everyone", "text: 42", "- id: ben-sanctions",
     "statement 'ben-sanctions': 'text' must be a non-empty string"),
    ("kind: reported\n    text: sanctions", "kind: speech\n    text: sanctions",
     "- id: ben-sanctions", "statement 'ben-sanctions': kind must be 'quote' or 'reported'"),
    ("summary: Two people talk about trade and sanctions.", "summary: [two, people]",
     "  id: mini", "article: 'summary' must be a non-empty string"),
    ("synonyms: [sanctions, embargo]", "synonyms: {a: b}", "- id: sanctions",
     "topic 'sanctions': 'synonyms' must be a list of strings"),
    ("synonyms: [sanctions, embargo]", "synonyms: [sanctions, 2.50]", "- id: sanctions",
     "topic 'sanctions': 'synonyms' must be a list of strings (put numbers in quotes: \"2.5\")"),
    ("- id: ben-sanctions", "- id: Ben_Sanctions", "- id: Ben_Sanctions",
     ("statement 'Ben_Sanctions': id must be lower-case letters, digits and '-', "
      "at most 48 characters")),
])
def test_wrong_type(make_kb: MakeKb, old: str, new: str, needle: str, message: str) -> None:
    text = variant(old, new)
    problem = only_error(make_kb(text))
    assert (problem.line, problem.message) == (line_of(text, needle), message)


def test_a_whole_number_in_a_list_of_words_is_its_digits(make_kb: MakeKb) -> None:
    kb = load_knowledge(make_kb(variant("synonyms: [sanctions, embargo]",
                                        "synonyms: [sanctions, 2024]")))
    assert kb.topic("sanctions").synonyms == ("sanctions", "2024")
    # a yes or no is no word written as a number: still an error
    problem = only_error(make_kb(variant("synonyms: [sanctions, embargo]",
                                         "synonyms: [sanctions, yes]")))
    assert problem.message == ("topic 'sanctions': 'synonyms' must be a list of strings (yes, no, "
                               "on and off read as true or false: put them in quotes)")


def test_wrong_type_of_a_section_and_of_a_list_item(make_kb: MakeKb) -> None:
    text = MINI_YAML.split("facts:")[0] + "facts: {id: event-place}\n"
    text = variant("topics:\n  - id: trade", "topics:\n  - just a string\n  - id: trade", text)
    found = errors(make_kb(text))
    assert {p.message for p in found} == {"'facts' must be a list",
                                          "topics[0] must be a mapping"}


def test_missing_required_key(make_kb: MakeKb) -> None:
    text = variant("    speaker: ben\n", "")
    problem = only_error(make_kb(text))
    assert (problem.line, problem.message) == (line_of(text, "- id: ben-sanctions"),
                                               "statement 'ben-sanctions': missing 'speaker'")


def test_missing_article(make_kb: MakeKb) -> None:
    text = variant("article:\n", "articles:\n")
    found = errors(make_kb(text))
    assert {(p.file, p.line, p.message) for p in found} == {
        ("mini.yaml", 1, "unknown top-level key 'articles'"),
        ("mini.yaml", 1, "missing 'article' mapping"),
    }


@pytest.mark.parametrize("source", ["../outside.txt", "sources/../../outside.txt"])
def test_source_outside_the_folder_is_refused(make_kb: MakeKb, tmp_path: Path,
                                              source: str) -> None:
    (tmp_path / "outside.txt").write_text(MINI_SOURCE, encoding="utf-8")  # valid, but outside
    problem = only_error(make_kb(variant("source: sources/mini.txt", f"source: {source}")))
    assert problem.line == line_of(MINI_YAML, "  id: mini")
    assert problem.message == ("article: source is outside the knowledge folder or missing "
                               f"(symlinks are resolved) ({source})")


def test_absolute_source_outside_the_folder_is_refused(make_kb: MakeKb, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(MINI_SOURCE, encoding="utf-8")
    problem = only_error(make_kb(variant("source: sources/mini.txt", f"source: {outside}")))
    assert "source is outside the knowledge folder" in problem.message


def test_missing_source_file(make_kb: MakeKb) -> None:
    problem = only_error(make_kb(variant("source: sources/mini.txt", "source: sources/gone.txt")))
    assert problem.message.startswith("article: source is outside the knowledge folder or missing")


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not an article\n", encoding="utf-8")
    kb, problems = inspect_knowledge(tmp_path)
    assert kb is None
    assert [p.message for p in problems] == ["no .yaml files in the knowledge folder"]
    with pytest.raises(KnowledgeError, match=r"no \.yaml files"):
        load_knowledge(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    kb, problems = inspect_knowledge(tmp_path / "nowhere")
    assert kb is None
    assert [p.message for p in problems] == ["no such file or folder"]


@pytest.mark.parametrize("text", ["- article\n- people\n", "just a sentence\n", "", "# only\n",
                                  "42\n"])
def test_top_level_must_be_a_mapping(make_kb: MakeKb, text: str) -> None:
    problem = only_error(make_kb(text))
    assert (problem.file, problem.line) == ("mini.yaml", 1)
    assert problem.message == "the file must be a mapping with an 'article' key"


def test_invalid_yaml_names_the_line(make_kb: MakeKb) -> None:
    text = variant("    aliases: [Ben, Beta]\n", "    aliases: [Ben, Beta\n")
    problem = only_error(make_kb(text))
    assert problem.message.startswith("invalid YAML")
    # The parser notices the unclosed list somewhere after its opening line.
    assert problem.line >= line_of(text, "aliases: [Ben, Beta")


def test_every_error_is_reported_not_just_the_first(make_kb: MakeKb) -> None:
    text = variant("speaker: ben", "speaker: bob")
    text = variant("text: It's time", "text: It is not time", text)
    text = variant("  outlet: Mini Times\n", "  outlet: Mini Times\n  author: X\n", text)
    found = errors(make_kb(text))
    assert len(found) == 3
    assert [p.line for p in found] == sorted(p.line for p in found)


# ============================================================================ lint warnings


def test_near_duplicate_statements_warn(make_kb: MakeKb) -> None:
    extra = ("  - id: ann-more-trade-again\n    speaker: ann\n    kind: quote\n"
             "    text: want more trade with our neighbours, and we want it now\n"
             "    topics: [trade]\n")
    text = variant("  - id: ben-sanctions\n", extra + "  - id: ben-sanctions\n")
    (found,) = warnings(make_kb(text))
    assert found.line == line_of(text, "- id: ann-more-trade-again")
    assert re.fullmatch(
        r"statement 'ann-more-trade-again': near-duplicate \(9\d%\) of 'ann-more-trade' "
        rf"\(mini.yaml:{line_of(text, '- id: ann-more-trade')}\)", found.message)


def test_identical_statement_text_is_called_a_duplicate(make_kb: MakeKb) -> None:
    extra = ("  - id: ben-sanctions-2\n    speaker: ben\n    kind: reported\n"
             "    text: sanctions hurt everyone.\n    topics: [sanctions]\n")
    text = MINI_YAML.replace("facts:", extra + "\nfacts:")
    (found,) = warnings(make_kb(text))
    assert found.message.startswith("statement 'ben-sanctions-2': duplicate of 'ben-sanctions'")


def test_alias_claimed_by_two_people_warns(make_kb: MakeKb) -> None:
    text = variant("aliases: [Ben, Beta]", "aliases: [Ben, Beta, ALPHA]")
    (found,) = warnings(make_kb(text))
    assert found.line == line_of(text, "- id: ben")
    assert found.message == (f"person 'ben': alias 'alpha' is also claimed by 'ann' "
                             f"(mini.yaml:{line_of(text, '- id: ann')})")


def test_statement_without_topics_warns(make_kb: MakeKb) -> None:
    text = variant("    topics: [sanctions]\n", "")
    (found,) = warnings(make_kb(text))
    assert (found.line, found.message) == (
        line_of(text, "- id: ben-sanctions"),
        "statement 'ben-sanctions': no topics (topic questions will not find it)")


def test_person_never_referenced_warns(make_kb: MakeKb) -> None:
    cat = "  - id: cat\n    name: Cat Gamma\n    roles: [observer]\n"
    text = variant("  - id: dan\n", cat + "  - id: dan\n")
    (found,) = warnings(make_kb(text))
    assert (found.line, found.message) == (
        line_of(text, "- id: cat"), "person 'cat': never referenced by a statement or fact")
    # Dan Delta speaks nowhere but a fact quote names him: not a warning (baseline is clean).


def test_warnings_do_not_block_loading(make_kb: MakeKb) -> None:
    folder = make_kb(variant("    topics: [sanctions]\n", ""))
    kb = load_knowledge(folder)
    assert kb.statement("ben-sanctions").topics == ()
    assert inspect_knowledge(folder, lint=False)[1] == []
    problems = inspect_knowledge(folder)[1]
    assert [p.severity for p in problems] == ["warning"]
    assert str(problems[0]).startswith(f"mini.yaml:{line_of(MINI_YAML, '- id: ben-sanctions')}: "
                                       "warning: ")


# ============================================================================ reload diffs


def test_diff_reports_added_removed_and_changed_per_file(make_kb: MakeKb) -> None:
    old = load_knowledge(make_kb(folder="old"))
    text = variant("  - id: ben-sanctions\n",
                   "  - id: ben-everyone\n    speaker: ben\n    kind: reported\n"
                   "    text: hurt everyone\n    topics: [sanctions]\n"
                   "  - id: ben-sanctions\n")
    text = variant("role_aliases: [the minister]", "role_aliases: [the minister, the trader]",
                   text)
    text = text.split("facts:")[0] + "facts: []\n"
    new = load_knowledge(make_kb(text, folder="new"))
    (change,) = diff_knowledge(old, new)
    assert change.file == "mini.yaml"
    assert change.added == {"statements": ("ben-everyone",), "people": (), "facts": (),
                            "topics": ()}
    assert change.removed == {"statements": (), "people": (), "facts": ("event-place",),
                              "topics": ()}
    assert change.changed == {"statements": (), "people": ("ann",), "facts": (), "topics": ()}
    assert not change.is_empty()
    assert format_changes([change]) == (
        "mini.yaml: added 1 statements; removed 1 facts; changed 1 people")


def test_moving_entries_is_not_a_change(make_kb: MakeKb) -> None:
    old = load_knowledge(make_kb(folder="old"))
    block_start = MINI_YAML.index("  - id: ann-trade-growing")
    block_end = MINI_YAML.index("  - id: ann-more-trade")
    moved = MINI_YAML[:block_start] + MINI_YAML[block_end:]
    moved = moved.replace("\nfacts:", "\n" + MINI_YAML[block_start:block_end] + "\nfacts:")
    moved = "# a new comment\n# shifts every line\n\n" + moved
    new = load_knowledge(make_kb(moved, folder="new"))
    assert new.statement("ann-trade-growing").line != old.statement("ann-trade-growing").line
    assert [s.id for s in new.statements][-1] == "ann-trade-growing"
    changes = diff_knowledge(old, new)
    assert all(c.is_empty() for c in changes)
    assert format_changes(changes) == "mini.yaml: no change"


def test_diff_covers_added_and_removed_files(make_kb: MakeKb) -> None:
    old = load_knowledge(make_kb(folder="one"))
    make_kb(folder="two")
    new = load_knowledge(make_kb(OTHER_YAML, name="other.yaml", folder="two"))
    forward = {c.file: c for c in diff_knowledge(old, new)}
    assert forward["mini.yaml"].is_empty()
    assert forward["other.yaml"].added["people"] == ("zed",)
    backward = {c.file: c for c in diff_knowledge(new, old)}
    assert backward["other.yaml"].removed["people"] == ("zed",)
    assert format_changes(diff_knowledge(old, new)) == (
        "mini.yaml: no change\nother.yaml: added 1 people")
    assert format_changes([]) == "no files"


def test_an_event_the_article_does_not_place_needs_no_place(make_kb: MakeKb) -> None:
    # an admin must not have to invent a venue the article never gives
    kb = load_knowledge(make_kb(variant("    place: the Mini Hall\n", "")))
    assert kb.articles[0].event.place == ""
    assert kb.articles[0].event.city == "Smallton"
