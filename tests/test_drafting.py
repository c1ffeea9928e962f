"""Drafting a knowledge base from an article's text: what it finds, what it marks, what it refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.drafting import draft
from bot.knowledge import inspect_knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "sources" / "russia-iran-partners.txt"


def test_the_bundled_article_is_drafted_with_every_statement_attributed_right() -> None:
    """Against the hand-written knowledge base: each drafted statement is one of its texts
    (or inside one), said by the same person."""
    hand = load_knowledge(ROOT / "knowledge")
    result = draft(BUNDLED.read_text(encoding="utf-8"))
    assert {p.name for p in result.people.values()} >= {
        "Ali Akbar Velayati", "Mehdi Sanaei", "Yevgeny Lukyanov", "Gholam Reza Foruzesh"}
    by_surname = {p.name.split()[-1]: p.id for p in hand.people}
    right = 0
    for statement in result.statements:
        speaker = by_surname[result.people[statement.speaker].name.split()[-1]]
        owners = {s.speaker for s in hand.statements
                  if statement.text[:40] in s.text or s.text[:40] in statement.text}
        right += owners == {speaker}
    assert len(result.statements) >= 18
    assert right == len(result.statements)


def test_roles_as_the_article_states_them() -> None:
    people = draft(BUNDLED.read_text(encoding="utf-8")).people
    assert people["lukyanov"].roles[0] == "Deputy Secretary of the Russian Security Council"
    assert people["romanovich"].roles[0] == (
        "Deputy Chairman of the State Duma Committee on International Affairs")
    assert people["sanaei"].roles[0] == "Iranian Ambassador to Russia"


def test_draft_writes_a_knowledge_base_that_loads(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "knowledge"
    code = main(["draft", str(BUNDLED), "--out", str(out), "--id", "drafted",
                 "--outlet", "Vestnik Kavkaza", "--date", "today"])
    assert code == 0, capsys.readouterr().err
    assert (out / "drafted.yaml").is_file() and (out / "sources" / "drafted.txt").is_file()
    kb, problems = inspect_knowledge(out)
    assert kb is not None and not [p for p in problems if p.severity == "error"]
    reviews = [p for p in problems if "needs review" in p.message]
    assert reviews  # what the builder was unsure of is listed by check
    assert (kb.articles[0].outlet, kb.articles[0].date) == ("Vestnik Kavkaza", "today")
    # a second draft beside the first loads with it (ids carry the article's initials)
    shutil.copy(BUNDLED, tmp_path / "again.txt")
    assert main(["draft", str(tmp_path / "again.txt"), "--out", str(out)]) == 0
    assert {a.id for a in load_knowledge(out).articles} == {"drafted", "again"}


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01binary", "not a text article"),
    (b"", "not a text article"),
    (b"Headline\n\nNobody said anything here at all.\n", "no quote or statement"),
    (b"\xff\xfe\xfa", "cannot read"),
])
def test_a_bad_article_is_refused_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str) -> None:
    article = tmp_path / "bad.txt"
    article.write_bytes(content)
    out = tmp_path / "knowledge"
    code = main(["draft", str(article), "--out", str(out)])
    assert code != 0
    assert message in capsys.readouterr().err
    assert not (out / "bad.yaml").exists()


def test_a_huge_file_is_not_an_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "huge.txt"
    article.write_bytes(b"x" * (2 << 20))
    assert main(["draft", str(article), "--out", str(tmp_path / "k")]) == 2
    assert "not an article" in capsys.readouterr().err
