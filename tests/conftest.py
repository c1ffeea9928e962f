"""Shared fixtures. Keep each group together and say which tests it serves."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# tests/ has no __init__.py, so pytest puts it on sys.path (rootdir-style test folder).
from fake_bot_api import FakeBotApi

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.settings import Settings, load_settings

# ============================================================================================
# Telegram adapter (tests/test_handlers.py, tests/test_telegram_e2e.py)
# ============================================================================================

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_KNOWLEDGE = REPO_ROOT / "knowledge"
TELEGRAM_ADMIN_ID = 7001  # a user id listed in ADMIN_IDS by the Telegram fixtures

# A tiny article whose text needs escaping everywhere it appears ("&", "<", ">").
TINY_SOURCE = """\
Trade & <Tariffs> in the tiny article

The round table was held at the Tiny Institute in Testville today. Carol Absent, an observer, \
attended.

"We will expand trade & <investment> with our partners," Alice Example said. "Trade is the \
future," she added.

"Sanctions hurt everyone," Bob Sample said.
"""

TINY_YAML = """\
article:
  id: tiny-article
  title: Trade & <Tariffs> in the tiny article
  outlet: Tiny Times
  source: sources/tiny.txt
  summary: A tiny article about trade & sanctions, for tests.
  event:
    title: Tiny round table
    kind: round table
    place: the Tiny Institute
    city: Testville
    date: today
    organizers: [the Tiny Institute]
    attendees: [Alice Example, Bob Sample, Carol Absent]

topics:
  - id: trade
    name: Trade & <investment>
    synonyms: [trade, investment]
  - id: sanctions
    name: Sanctions
    synonyms: [sanctions]

people:
  - id: alice
    name: Alice Example
    nationality: Testian
    roles: [Minister of Trade & <Markup>]
    aliases: [Alice]
  - id: bob
    name: Bob Sample
    roles: [Ambassador]
    aliases: [Bob]
  - id: carol
    name: Carol Absent
    roles: [an observer]

statements:
  - id: alice-trade
    speaker: alice
    kind: quote
    text: We will expand trade & <investment> with our partners
    attribution: Alice Example said
    topics: [trade]
    questions: [what did Alice say about trade]
  - id: alice-future
    speaker: alice
    kind: quote
    text: Trade is the future
    attribution: she added
    topics: [trade]
    questions: [what is the future]
  - id: bob-sanctions
    speaker: bob
    kind: quote
    text: Sanctions hurt everyone
    attribution: Bob Sample said
    topics: [sanctions]
    questions: [what did Bob say about sanctions]

facts:
  - id: event-place
    answer: The round table was held at the Tiny Institute.
    quote: The round table was held at the Tiny Institute
    questions: [where was the round table held]
    keywords: [where, venue]
    topics: []
"""


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A started fake Bot API server on 127.0.0.1, stopped afterwards."""
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def tiny_knowledge(tmp_path: Path) -> Path:
    """A folder holding the tiny test article (tiny.yaml + sources/tiny.txt)."""
    folder = tmp_path / "knowledge"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "tiny.txt").write_text(TINY_SOURCE, encoding="utf-8")
    (folder / "tiny.yaml").write_text(TINY_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def real_knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the project's knowledge folder (tests may edit and reload it)."""
    folder = tmp_path / "real-knowledge"
    shutil.copytree(REAL_KNOWLEDGE, folder)
    return folder


def telegram_environ(fake: FakeBotApi, knowledge: Path, data: Path,
                     **extra: str) -> dict[str, str]:
    """Environment variables for a bot talking to ``fake`` (see .env.example)."""
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "KNOWLEDGE_PATH": str(knowledge),
        "DATA_PATH": str(data),
        "ADMIN_IDS": str(TELEGRAM_ADMIN_ID),
        "LOG_LEVEL": "DEBUG",
        **extra,
    }


@pytest.fixture
def telegram_settings(fake_api: FakeBotApi, tiny_knowledge: Path,
                      tmp_path: Path) -> Callable[..., Settings]:
    """A factory: Settings for the fake server and the tiny article; keywords override env."""
    def make(**extra: str) -> Settings:
        environ = telegram_environ(fake_api, tiny_knowledge, tmp_path / "questions.sqlite3",
                                   **extra)
        return load_settings(environ=environ, env_file=None)

    return make


@pytest.fixture
def tiny_kb(tiny_knowledge: Path) -> KnowledgeBase:
    """The tiny test article, loaded."""
    return load_knowledge(tiny_knowledge)
