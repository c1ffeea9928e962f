"""The semantic model and the policy that uses it: real weights, example tables, hard rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.engine import Engine
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.policy import KEEP, Action, SemanticIndex, Tunables, _sentences, answer_kinds, refine
from bot.results import Match, Result, Status
from bot.semantic import MiniLM, SemanticModelError, shared_model


@pytest.fixture(scope="module")
def model() -> MiniLM:
    """The bundled model, once for the module (it loads in about a tenth of a second)."""
    return shared_model()


# ------------------------------------------------------------------------------ the model

def test_vectors_are_unit_length_and_follow_the_texts(model: MiniLM) -> None:
    texts = ["Sanctions against Iran were lifted.", "", "🙂🙂🙂", "Санкции", "x" * 5000]
    vectors = model.embed(texts)
    assert vectors.shape == (5, model.dimensions)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(model.embed_one(texts[0]), vectors[0], atol=1e-5)
    assert model.embed([]).shape == (0, model.dimensions)


def test_texts_batched_by_length_get_the_vectors_they_get_alone(model: MiniLM) -> None:
    """Indexing groups texts of about the same length into one pass: padding is masked out, so
    each text's vector is the one it gets on its own."""
    texts = [f"The minister said the talks on trade {'and energy ' * n}would go on."
             for n in range(12)] + ["Yes.", "Sanctions against Iran were lifted."]
    together = model.embed(texts)
    alone = np.stack([model._forward([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_a_statement_of_several_sentences_is_as_close_as_its_whole_and_its_closest_one(
        model: MiniLM) -> None:
    """"This is a truly historic event. We have demonstrated ...": each sentence says something
    of its own; the statement's closeness is the mean of its whole's and its closest
    sentence's, never less than its whole's."""
    kb = load_knowledge(Path(__file__).resolve().parent / "articles"
                        / "kyrgyz-uzbek-border-delimitation-complete" / "knowledge")
    index = SemanticIndex.build(kb, model)
    long = [i for i, s in enumerate(kb.statements) if len(_sentences(s.text)) > 1]
    assert long and index.parts is not None and set(index.part_of) == set(long)
    question = model.embed_one(_sentences(kb.statements[long[0]].text)[-1])
    sims = index.similarities(question)
    whole = index.vectors @ question
    best = max(float(index.parts[k] @ question) for k, i in enumerate(index.part_of)
               if i == long[0])
    assert sims[long[0]] == pytest.approx(max(whole[long[0]], (whole[long[0]] + best) / 2))
    assert np.all(sims >= whole - 1e-6)


@pytest.mark.parametrize(("question", "closer", "farther"), [
    ("Who thinks the peace talks are stuck?", "No progress has been made in the negotiations.",
     "The weather in Moscow was sunny."),
    ("what did he say about oil output", "Kazakhstan will cut its crude production.",
     "The football team won the cup."),
    ("who wants more visas for businessmen", "We must simplify the visa regime for entrepreneurs.",
     "The central bank raised interest rates."),
])
def test_meaning_is_closer_than_unrelated_words(model: MiniLM, question: str, closer: str,
                                                farther: str) -> None:
    q, near, far = model.embed([question, closer, farther])
    assert float(q @ near) > float(q @ far) + 0.2


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SemanticModelError, match="cannot load the semantic model"):
        MiniLM(tmp_path / "missing.onnx", tmp_path / "missing.json")


# ------------------------------------------------------------------------------ the policy

def _index(sims: dict[str, tuple[str, float]]) -> tuple[SemanticIndex, np.ndarray]:
    ids = tuple(sims)
    index = SemanticIndex(ids, tuple("statement" for _ in ids),
                          tuple(sims[i][0] for i in ids), tuple(None for _ in ids),
                          np.zeros((len(ids), 4), dtype=np.float32))
    return index, np.array([sims[i][1] for i in ids], dtype=np.float32)


def _lexical(status: Status, *matches: Match) -> Result:
    return Result("q", status, matches, "", (), "")


STATEMENT = Match("a1", "statement", "alice", 60.0)
PERSON = Match("alice", "person", "alice", 60.0)


@pytest.mark.parametrize(("lexical", "sims", "speakers", "expected"), [
    # a lexical answer stands, however close something else is
    (_lexical(Status.ANSWER, STATEMENT), {"a1": ("alice", 0.2), "b1": ("bob", 0.9)}, [], None),
    # "which of these people?" stands: a name is missing, not a meaning
    (_lexical(Status.CLARIFY, PERSON), {"a1": ("alice", 0.9), "b1": ("bob", 0.1)}, [], None),
    # silent lexically, but one entry is close and clearly ahead: it answers
    (_lexical(Status.NO_ANSWER), {"a1": ("alice", 0.80), "b1": ("bob", 0.40)}, [], "a1"),
    # close but not ahead: no answer stands
    (_lexical(Status.NO_ANSWER), {"a1": ("alice", 0.80), "b1": ("bob", 0.75)}, [], None),
    # ahead but not close: no answer stands
    (_lexical(Status.NO_ANSWER), {"a1": ("alice", 0.50), "b1": ("bob", 0.10)}, [], None),
    # a named speaker: only their words can answer, at the lower bar for named questions
    (_lexical(Status.NO_ANSWER), {"a1": ("alice", 0.65), "b1": ("bob", 0.30)}, ["alice"], "a1"),
    # ...never someone else's, however close
    (_lexical(Status.NO_ANSWER), {"a1": ("alice", 0.30), "b1": ("bob", 0.95)}, ["alice"], None),
    # ...and not when someone else's words are closer still (the lexical "not quoted" stands)
    (_lexical(Status.NO_ANSWER), {"a1": ("alice", 0.65), "a2": ("alice", 0.2),
                                  "b1": ("bob", 0.75)}, ["alice"], None),
    # a lexical clarify among statements is settled at a lower bar
    (_lexical(Status.CLARIFY, STATEMENT), {"a1": ("alice", 0.62), "b1": ("bob", 0.40)}, [],
     "a1"),
])
def test_refine(lexical: Result, sims: dict[str, tuple[str, float]], speakers: list[str],
                expected: str | None) -> None:
    index, vector = _index(sims)
    decision = refine(lexical, index, vector, speakers, Tunables())
    if expected is None:
        assert decision == KEEP
    else:
        assert decision.action is Action.ANSWER and decision.ids == (expected,)


# ------------------------------------------------------------------- through the engine

def test_a_paraphrase_the_words_miss_is_answered_by_meaning(tiny_kb: KnowledgeBase,
                                                            model: MiniLM) -> None:
    lexical, semantic = Engine(tiny_kb), Engine(tiny_kb, model)
    question = "who believes restrictive sanctions harm every side"
    assert lexical.answer(question).status is not Status.ANSWER
    result = semantic.answer(question)
    assert result.status is Status.ANSWER
    assert result.matches[0].speaker == "bob"
    assert "Sanctions hurt everyone" in result.text


@pytest.mark.parametrize("question", [
    "what did Carol say about sanctions",  # Carol is named but never quoted
    "what did the Tiny Institute say about trade",  # an institution no one speaks for
    "What is the capital of France?",
    "",
    "🙂",
])
def test_meaning_never_puts_words_in_the_wrong_mouth(tiny_kb: KnowledgeBase, model: MiniLM,
                                                     question: str) -> None:
    result = Engine(tiny_kb, model).answer(question)
    assert result.status is not Status.ANSWER or all(
        m.kind == "person" for m in result.matches), result.text


@pytest.mark.parametrize(("question", "quoted"), [
    ("who warned that sanctions harm every side", True),  # a reporting verb: a quote
    ("who thinks restrictive sanctions harm every side", True),
    ("who won the sanctions fight", False),  # about the world, not about what was said
    ("who won the trade battle", False),
])
def test_who_questions_get_a_quote_only_when_they_ask_what_was_said(
        tiny_kb: KnowledgeBase, model: MiniLM, question: str, quoted: bool) -> None:
    result = Engine(tiny_kb, model).answer(question)
    said = result.status is Status.ANSWER and any(m.kind == "statement" for m in result.matches)
    assert said is quoted, result.text


@pytest.mark.parametrize(("text", "kinds"), [
    ("More than 200 enterprises have been founded", {"quantity", "when"}),  # digits: either
    ("trade should reach ten billion dollars", {"quantity"}),
    ("Uzbekistan is one of the largest partners", set()),  # "one of" is no number
    ("the talks will continue next week", {"when"}),
    ("They would evaluate documents for the next Caspian Sea summit", set()),  # no time
    ("as he said last Tuesday", {"when"}),
    ("We are satisfied with the level of cooperation", set()),
])
def test_answer_kinds(text: str, kinds: set[str]) -> None:
    assert answer_kinds(text) == kinds


def test_a_how_many_question_gets_no_quote_without_a_number(tiny_kb: KnowledgeBase,
                                                             model: MiniLM) -> None:
    engine = Engine(tiny_kb, model)
    assert engine.answer("who believes restrictive sanctions harm every side").status \
        is Status.ANSWER  # the same words, asked as a paraphrase, find Bob's quote...
    result = engine.answer("how many sanctions harm every side")
    assert result.status is not Status.ANSWER, result.text  # ...but it gives no number


def test_nearest_suggests_only_allowed_and_close_entries() -> None:
    from bot.policy import nearest

    index, vector = _index({"a1": ("alice", 0.70), "a2": ("alice", 0.30),
                            "b1": ("bob", 0.90), "b2": ("bob", 0.50)})
    assert nearest(index, vector, []) == ("b1", "a1", "b2")
    assert nearest(index, vector, ["alice"]) == ("a1",)  # a2 is not close; b1 is not hers
    assert nearest(index, vector, ["carol"]) == ()
