"""The engine says what happened (a typed note); render.py alone words it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase
from bot.render import join_names, note_text
from bot.results import Note, NoteKind

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("note", "expected"), [
    (Note(NoteKind.NONE), ""),
    (Note(NoteKind.TOO_LONG, count=10_000, limit=500),
     ("That message is 10,000 characters long. Please ask one short question (up to 500 "
      "characters).")),
    (Note(NoteKind.NOT_QUOTED, subject="OPEC"), "The article does not quote OPEC."),
    (Note(NoteKind.NOT_QUOTED_ON, ("alice",), ("bob",), "sanctions"),
     "The article does not quote Alice Example on sanctions. Bob Sample spoke about it."),
    (Note(NoteKind.NOT_QUOTED_ON, ("alice",), subject="sanctions"),
     "The article does not quote Alice Example on sanctions."),
    # a claim asked yes or no has no subject
    (Note(NoteKind.NOT_QUOTED_ON, ("alice",), ("bob",)),
     "The article does not quote Alice Example saying that. Bob Sample spoke about it."),
    (Note(NoteKind.NAMED_NOT_QUOTED, ("carol",)),
     "The article names Carol Absent (an observer) but does not quote Absent."),
    (Note(NoteKind.CITED_BY, ("carol",), ("alice", "bob")),
     ("The article does not quote Carol Absent directly; Alice Example and Bob Sample cited "
      "Carol Absent:")),
    (Note(NoteKind.SPOKE_ABOUT, others=("bob",), subject="Sanctions"),
     "Bob Sample spoke about Sanctions:"),
    (Note(NoteKind.SPOKE_ABOUT, others=("bob",)), "Said by Bob Sample:"),
    (Note(NoteKind.GREETING),
     ("Hello! I answer questions about the article \u201cTrade & <Tariffs> in the tiny "
      "article\u201d.")),
])
def test_note_text(tiny_kb: KnowledgeBase, note: Note, expected: str) -> None:
    assert note_text(note, tiny_kb) == expected


def test_every_note_kind_has_words(tiny_kb: KnowledgeBase) -> None:
    for kind in NoteKind:
        text = note_text(Note(kind, ("alice",), ("bob",), "trade", 1, 1), tiny_kb)
        assert bool(text) is (kind not in (NoteKind.NONE, NoteKind.WHO_IS)), kind


def test_join_names() -> None:
    assert [join_names([]), join_names(["A"]), join_names(["A", "B"]),
            join_names(["A", "B", "C", "A"])] == ["", "A", "A and B", "A, B and C"]


def test_the_engine_writes_no_sentence_of_its_own() -> None:
    """No string literal in the engine reads as an English sentence ("The article ...").

    Suggested questions ("What did X say about Y?") are still built in the engine, since it
    answers them as asked; they are the one exception, and the next thing to move.
    """
    tree = ast.parse((ROOT / "bot" / "engine.py").read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    sentences = [node.value for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and id(node) not in docstrings and node.value[:1].isupper()
                 and " " in node.value and node.value.rstrip().endswith((".", ":", "?", "!"))
                 and not node.value.startswith(("What did", "Who is", "Who talked"))]
    assert sentences == []
