"""The admin's loop for a new article in Telegram: upload, draft, edit, publish; and refusals.

The real application (:func:`bot.telegram_app.build_application`) talks over HTTP to the fake
Bot API server, which also serves getFile, file downloads and sendDocument; the knowledge
service is real (engine without the semantic model), so a published draft answers questions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT, TELEGRAM_ADMIN_ID
from fake_bot_api import FakeBotApi
from telegram import Update

from bot.draft_store import DraftError, DraftStore
from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.service import KnowledgeService
from bot.settings import Settings
from bot.telegram_app import BotApplication, build_application

ARTICLE = (REPO_ROOT / "tests" / "articles" / "armenian-pm-meets-imf-lagarde" / "knowledge"
           / "sources" / "armenian-pm-meets-imf-lagarde.txt")
ARTICLE_ID = "armenian-pm-meets-imf-managing-director-in-us"
READER = 5002


@dataclass
class Loop:
    """The application, the fake server, the live service and the folders."""

    app: BotApplication
    fake: FakeBotApi
    service: KnowledgeService
    knowledge: Path
    drafts: Path

    async def dispatch(self, data: dict[str, Any]) -> None:
        update_id = self.fake.push_update(data)
        await self.app.process_update(Update.de_json({"update_id": update_id, **data},
                                                     self.app.bot))

    async def text(self, text: str, user_id: int = TELEGRAM_ADMIN_ID) -> None:
        await self.dispatch(self.fake.message_update(text, user_id=user_id))

    async def upload(self, data: bytes, name: str, user_id: int = TELEGRAM_ADMIN_ID,
                     **kwargs: Any) -> None:
        await self.dispatch(self.fake.document_update(data, name, user_id=user_id, **kwargs))

    def replies(self, chat_id: int = TELEGRAM_ADMIN_ID) -> list[str]:
        return [str(c.params["text"]) for c in self.fake.calls("sendMessage")
                if not c.failed and int(c.params["chat_id"]) == chat_id]

    def documents(self, chat_id: int = TELEGRAM_ADMIN_ID) -> list[dict[str, Any]]:
        return [m["document"] for m in self.fake.bot_messages(chat_id) if "document" in m]

    def served(self) -> set[str]:
        return {a.id for a in self.service.library.articles}

    def served_files(self) -> list[str]:
        return sorted(str(p.relative_to(self.knowledge)) for p in self.knowledge.rglob("*"))


@pytest.fixture
async def loop(fake_api: FakeBotApi, telegram_settings: Callable[..., Settings],
               tiny_knowledge: Path, tmp_path: Path) -> AsyncIterator[Loop]:
    drafts = tmp_path / "drafts"
    settings = telegram_settings(DRAFTS_PATH=str(drafts))
    service = KnowledgeService(tiny_knowledge, Engine(load_knowledge(tiny_knowledge)))
    app = build_application(settings, service)
    async with app:
        yield Loop(app, fake_api, service, tiny_knowledge, drafts)


async def test_admin_uploads_an_article_and_publishes_it(loop: Loop) -> None:
    await loop.upload(ARTICLE.read_bytes(), "lagarde.txt")
    summary = loop.replies()[-1]
    assert "Draft ready: Armenian PM meets IMF Managing Director in US" in summary
    assert "Hovik Abrahamyan" in summary and "Christine Lagarde" in summary
    assert "quotes" in summary and "to review" in summary
    [document] = loop.documents()
    assert document["file_name"] == f"{ARTICLE_ID}.yaml"
    drafted = yaml.safe_load(loop.fake.file_of(document))
    assert drafted["article"]["id"] == ARTICLE_ID and drafted["statements"]
    assert loop.served() == {"tiny-article"}  # a draft does not serve
    assert (loop.drafts / ARTICLE_ID / f"{ARTICLE_ID}.yaml").is_file()

    await loop.text(f"/publish {ARTICLE_ID}")
    assert f"Published {ARTICLE_ID}" in loop.replies()[-1]
    assert loop.served() == {"tiny-article", ARTICLE_ID}
    assert not (loop.drafts / ARTICLE_ID).exists()

    await loop.text("What did Lagarde say about Armenia?", user_id=READER)
    answer = loop.replies(READER)[-1]
    assert "Christine Lagarde" in answer and "equal member of the IMF" in answer


async def test_pasting_after_draft_and_sending_the_edited_yaml_back(loop: Loop) -> None:
    await loop.text("/draft")
    assert "Send the article's text now" in loop.replies()[-1]
    await loop.text(ARTICLE.read_text(encoding="utf-8"))
    assert "Draft ready" in loop.replies()[-1]
    drafted = yaml.safe_load(loop.fake.file_of(loop.documents()[-1]))
    drafted["article"]["outlet"] = "Edited Outlet"
    await loop.upload(yaml.safe_dump(drafted, allow_unicode=True).encode(), f"{ARTICLE_ID}.yaml")
    assert "Edited draft kept" in loop.replies()[-1]
    await loop.text(f"/publish {ARTICLE_ID}")
    assert loop.service.engine.kb.article(ARTICLE_ID).outlet == "Edited Outlet"
    # the same message text after /draft, in one message
    await loop.text("/draft " + ARTICLE.read_text(encoding="utf-8"))
    assert f"/publish {ARTICLE_ID}-2." in loop.replies()[-1]  # the served id is not reused


async def test_non_admins_are_refused_and_nothing_is_stored(loop: Loop) -> None:
    await loop.upload(ARTICLE.read_bytes(), "lagarde.txt", user_id=READER)
    await loop.text("/draft " + ARTICLE.read_text(encoding="utf-8"), user_id=READER)
    await loop.text(f"/publish {ARTICLE_ID}", user_id=READER)
    replies = loop.replies(READER)
    assert len(replies) == 3 and all("only for the bot's admins" in r for r in replies)
    assert not loop.fake.calls("getFile") and not loop.documents(READER)
    assert not loop.drafts.exists() or not any(loop.drafts.iterdir())


BOMB = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
article: {id: x, title: [*f]}
"""


@pytest.mark.parametrize(("data", "name", "extra", "reply"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "article.txt", {}, "binary file"),
    (b"Title\n\nx", "huge.txt", {"file_size": 50 * 1024 * 1024}, "at most 1.0 MiB"),
    (b"A quiet day\n\nThe weather was mild and the market opened late.\n", "calm.txt", {},
     "no quote or statement"),
    ("Заголовок\n\n«Мы рады», сказал он.".encode("cp1251"), "ru.txt", {}, "not UTF-8"),
    (BOMB, "bomb.yaml", {}, "alias bomb"),
    (b"[" * 5000 + b"]" * 5000, "deep.yaml", {}, "YAML"),
    (b"article: {id: tiny, title: [unclosed\n", "broken.yaml", {}, "invalid YAML"),
    (b"article: {id: tiny-article, source: sources/tiny-article.txt}\n", "clash.yaml", {},
     "already served"),
    (b"article: {id: ../../etc/passwd, source: x}\n", "evil.yaml", {}, "not a draft id"),
    (b"\x7fELF\x02\x01\x01", "run.exe", {"mime_type": "application/octet-stream"},
     "Send an article as a .txt file"),
])
async def test_hostile_uploads_get_a_clear_reply_and_change_nothing(
        loop: Loop, data: bytes, name: str, extra: dict[str, Any], reply: str) -> None:
    before = loop.served_files()
    engine = loop.service.engine
    await loop.upload(data, name, **extra)
    assert reply in loop.replies()[-1]
    assert loop.service.engine is engine and loop.served_files() == before
    assert not loop.documents()
    if "file_size" in extra:
        assert not loop.fake.calls("getFile")  # refused on the reported size, not downloaded


async def test_publish_refuses_traversal_missing_and_colliding_drafts(loop: Loop) -> None:
    before = loop.served_files()
    await loop.text("/publish ../knowledge/tiny")
    assert "not a draft id" in loop.replies()[-1]
    await loop.text("/publish nothing-here")
    assert "no draft 'nothing-here'" in loop.replies()[-1]
    await loop.text("/publish")
    assert "Usage: /publish" in loop.replies()[-1]
    # a draft whose person ids collide with a served article's: refused before anything moves
    await loop.upload(ARTICLE.read_bytes(), "lagarde.txt")
    drafted = yaml.safe_load(loop.fake.file_of(loop.documents()[-1]))
    old, drafted["people"][0]["id"] = drafted["people"][0]["id"], "alice"
    for statement in drafted["statements"]:
        if statement["speaker"] == old:
            statement["speaker"] = "alice"
    await loop.upload(yaml.safe_dump(drafted, allow_unicode=True).encode(), "edited.yaml")
    await loop.text(f"/publish {ARTICLE_ID}")
    assert "Not published" in loop.replies()[-1]
    assert loop.served() == {"tiny-article"} and loop.served_files() == before


async def test_a_command_while_an_article_is_awaited_is_not_drafted(loop: Loop) -> None:
    await loop.text("/draft")
    await loop.dispatch(loop.fake.message_update("/publish", user_id=TELEGRAM_ADMIN_ID,
                                                 entities=[]))  # no bot_command entity
    assert "Usage: /publish" in loop.replies()[-1]
    await loop.text("/draft")
    await loop.text("/help")  # another command ends the wait too
    await loop.text("Who attended?")
    assert not loop.drafts.exists() or not any(loop.drafts.iterdir())  # a question, not drafted


def test_publishing_into_a_single_file_knowledge_base_is_refused(tiny_knowledge: Path,
                                                                 tmp_path: Path) -> None:
    single = tiny_knowledge / "tiny.yaml"
    store = DraftStore(tmp_path / "drafts", KnowledgeService(single, Engine(
        load_knowledge(single))))
    summary = store.create(ARTICLE.read_text(encoding="utf-8"))
    with pytest.raises(DraftError, match="single file"):
        store.publish(summary.article_id)
    assert (store.folder / summary.article_id).is_dir()  # the draft is kept
