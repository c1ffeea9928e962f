"""Reading a chat message as a move of the conversation (bot/followup.py), English and Russian.

Made-up messages, none from an evaluation file: what each move looks like, and the look-alikes
that are questions of their own.
"""

from __future__ import annotations

import pytest

from bot.followup import Move, read

MOVES = [
    # more of the same
    ("what else?", Move.MORE), ("anything else he said?", Move.MORE),
    ("anything else he added?", Move.MORE), ("what else did she note?", Move.MORE), ("more please", Move.MORE),
    ("go on", Move.MORE), ("and?", Move.MORE), ("tell me more about it", Move.MORE),
    ("did she say anything else?", Move.MORE), ("и что ещё?", Move.MORE), ("ещё что-нибудь?", Move.MORE), ("расскажи подробнее", Move.MORE),
    # the reasons
    ("why?", Move.WHY), ("but why would he say that?", Move.WHY), ("how come?", Move.WHY),
    ("а почему?", Move.WHY), ("почему он так сказал?", Move.WHY),
    # the card of whom the chat is about
    ("who's she?", Move.WHO_IS), ("and who is he again?", Move.WHO_IS),
    ("кто она?", Move.WHO_IS), ("а кто он такой?", Move.WHO_IS),
    ("what's his name?", Move.WHO_IS), ("her job?", Move.WHO_IS),
    # the last question, asked with another question word
    ("where?", Move.WH), ("and when was that?", Move.WH), ("when did that happen?", Move.WH),
    ("how many exactly?", Move.WH),
    # whoever said what was asked
    ("who did, then?", Move.WHO_SAID_IT), ("so who said it?", Move.WHO_SAID_IT),
    ("then who?", Move.WHO_SAID_IT), ("who announced that?", Move.WHO_SAID_IT),
    ("who did say that then?", Move.WHO_SAID_IT), ("а кто тогда это сказал?", Move.WHO_SAID_IT),
    # the other of two
    ("and what did the other guy think?", Move.OTHER), ("а другой?", Move.OTHER),
    # the same question of another topic or person
    ("and regarding oil?", Move.AND), ("what about the treaty?", Move.AND),
    ("and the finance minister?", Move.AND), ("а про нефть?", Move.AND),
    # questions of their own, though they look like follow-ups
    ("who said that oil prices will fall?", Move.QUESTION),
    ("who talked about oil then", Move.QUESTION),
    ("and what did he say?", Move.QUESTION),  # not "and X?" with X = "what did he say"
    ("and is the deal done?", Move.QUESTION),
    ("did they talk to each other?", Move.QUESTION),  # "each other" is not "the other one"
    ("why did the talks fail in 2019 according to the minister?", Move.QUESTION),
    ("what is his position on sanctions?", Move.QUESTION),  # a question, not his post
    ("when will he visit Baku?", Move.QUESTION), ("where is the minister from?", Move.QUESTION),
]


@pytest.mark.parametrize(("message", "move"), MOVES)
def test_a_message_is_read_as_its_move(message: str, move: Move) -> None:
    assert read(message).move is move


@pytest.mark.parametrize(("message", "subject", "about"), [
    ("and about the minister?", "the minister", True),  # what was said of the minister
    ("what about the minister?", "the minister", False),  # or what the minister said
    ("and the pipeline?", "the pipeline", False),
    ("as for Smith?", "Smith", False),
    ("а о нефти?", "oil", True),
])
def test_and_x_keeps_its_x_and_whether_it_is_a_topic(message: str, subject: str,
                                                     about: bool) -> None:
    followup = read(message)
    assert (followup.move, followup.subject, followup.about) == (Move.AND, subject, about)


@pytest.mark.parametrize(("message", "move", "text"), [
    ("what else did the governor say at the hearing?", Move.QUESTION,
     "what did the governor say at the hearing?"),
    ("who else warned about inflation?", Move.QUESTION, "who warned about inflation?"),
    ("anyone else?", Move.WHO_SAID_IT, "who said it?"),
    ("and what else about tariffs?", Move.AND, "what about tariffs?"),
    ("anything else on tariffs?", Move.AND, "what about tariffs?"),
    ("did she cite anyone else?", Move.QUESTION, "did she cite anyone?"),
    ("did he say anything else about the budget?", Move.QUESTION,
     "did he say anything about the budget?"),
])
def test_else_is_the_question_less_what_was_shown(message: str, move: Move, text: str) -> None:
    followup = read(message)
    assert (followup.move, followup.text, followup.excluding) == (move, text, True)


@pytest.mark.parametrize(("message", "head", "tail"), [
    ("the governor, did she mention tariffs?", "the governor", "did she mention tariffs?"),
    ("and her deputy, the finance chief - what did he warn about?",
     "her deputy, the finance chief", "what did he warn about?"),
    ("as for Smith: how does he see the deal?", "Smith", "how does he see the deal?"),
])
def test_a_head_says_whom_the_pronoun_after_it_means(message: str, head: str,
                                                     tail: str) -> None:
    followup = read(message)
    assert (followup.move, followup.head, followup.tail) == (Move.QUESTION, head, tail)


def test_no_head_without_a_pronoun_to_resolve() -> None:
    assert read("in 2019, what did the minister say?").head == ""


def test_a_russian_message_is_read_in_english_words() -> None:
    followup = read("а что она сказала о нефти?")
    assert followup.lang == "ru" and "she" in followup.text and "oil" in followup.text
    assert read("and what did she say about oil?").lang == "en"
