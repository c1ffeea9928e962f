"""Who a description means, read with the shared lexicons of places and offices (made-up people)."""

from __future__ import annotations

import pytest

from bot import describing
from bot.engine import Engine
from bot.knowledge import Person, load_knowledge
from bot.semantic import shared_model


def person(pid: str, name: str, roles: tuple[str, ...], nationality: str = "",
           aliases: tuple[str, ...] = ()) -> Person:
    return Person(pid, name, roles, aliases, (), nationality, "a", "a.yaml", 1)


PEOPLE = (
    person("pm", "Arno Velt", ("Prime Minister of Moldova",), "Moldovan"),
    person("fm", "Dana Orlo", ("Foreign Minister of Moldova",), "Moldovan"),
    person("fin", "Ion Sarbu", ("Finance Minister",), "Moldovan"),
    person("pres", "Petru Lanc", ("President of Romania",), "Romanian"),
    person("amb", "Oleg Trim", ("Romanian ambassador to Moldova",), "Romanian"),
    person("spox", "Ana Bors", ("Spokeswoman of the Romanian government",), "Romanian"),
    person("imf", "Lise Grant", ("Managing Director of the International Monetary Fund",)),
    person("exp", "Mark Holt", ("political scientist at a Bucharest university",), "Romanian"),
)


@pytest.mark.parametrize(("description", "expected"), [
    ("the Moldovan premier", ["pm"]),
    ("Chisinau's top diplomat", ["fm"]),
    ("Moldova's chief diplomat", ["fm"]),
    ("the Moldovan head of government", ["pm"]),
    ("the treasury chief", ["fin"]),
    ("Bucharest's envoy", ["amb"]),
    ("the Romanian leader", ["pres"]),
    ("the head of state", ["pres"]),
    ("the IMF chief", ["imf"]),
    ("the Fund's boss", ["imf"]),
    ("the Romanian press secretary", ["spox"]),
    ("the Romanian expert", ["exp"]),
    ("the analyst", ["exp"]),
    ("the Romanian official", ["pres", "amb", "spox", "exp"]),
    ("the guy from the IMF", ["imf"]),
    # a place no one here belongs to, or an office no one holds: no one
    ("Venezuela's oil minister", []),
    ("the Moldovan defence minister", []),
    ("the Romanian premier", []),
])
def test_a_description_fits_the_people_whose_roles_say_it(description: str,
                                                          expected: list[str]) -> None:
    assert describing.fits(describing.read(description), PEOPLE) == expected


def test_places_joined_by_and_are_either_place() -> None:
    # "the Moldovan and Romanian presidents" are one president of each, not one of both
    assert describing.fits(describing.read("the Romanian and Moldovan prime ministers"),
                           PEOPLE) == ["pm"]
    assert describing.fits(describing.read("the Moldovan and Romanian officials"),
                           PEOPLE) == ["pm", "fm", "fin", "pres", "amb", "spox", "exp"]
    assert describing.fits(describing.read("the Moldovan Romanian official"), PEOPLE) == ["amb"]


def test_a_place_a_role_is_about_is_not_the_persons_own() -> None:
    moldova = describing.read("Moldova").places[0]
    romania = describing.read("Romania").places[0]
    ambassador = PEOPLE[4]  # Romanian ambassador to Moldova
    assert describing.belongs(ambassador, moldova)  # Moldova is in the role ...
    assert not describing.belongs_as_own(ambassador, moldova)  # ... as the host, not home
    assert describing.belongs_as_own(ambassador, romania)
    assert describing.belongs_as_own(PEOPLE[0], moldova)  # Prime Minister of Moldova
    assert describing.only_places(describing.read("the US and Moldova"))
    assert not describing.only_places(describing.read("the Moldovan premier"))


def test_what_an_office_is_for_narrows_but_never_rules_out() -> None:
    envoys = (person("a", "Ara Lenz", ("Yerevan's envoy to the normalization talks with Turkey",
                                       "Deputy Speaker of the Armenian parliament"), "Armenian"),
              person("t", "Tan Kor", ("Ankara's envoy to the talks with Armenia",
                                      "former ambassador to the United States"), "Turkish"))
    # whose envoy: the place before the office is their own, the one after it the other side
    assert describing.fits(describing.read("Armenia's envoy"), envoys) == ["a"]
    assert describing.fits(describing.read("the Turkish envoy"), envoys) == ["t"]
    # words no role holds after "for" / "to" do not rule anyone out ...
    assert describing.fits(describing.read("Armenia's envoy for the negotiations"),
                           envoys) == ["a"]
    # ... those a role holds narrow it
    assert describing.fits(describing.read("the envoy to the normalization process"),
                           envoys) == ["a"]
    # and words before the office still must be held: no one is the defence envoy
    assert describing.fits(describing.read("the defence envoy"), envoys) == []


def test_chief_means_the_highest_office_among_those_who_fit() -> None:
    # both are Romanian; "chief" is the president, not the ambassador or the spokeswoman
    assert describing.fits(describing.read("the Romanian chief"), PEOPLE) == ["pres"]


@pytest.mark.parametrize(("description", "office", "elsewhere"), [
    ("the Moldovan premier", True, False),
    ("Moldova", False, False),  # a country, not someone
    ("the Iranian side", False, True),  # "side" is no office; Iran is no one's here
    ("Venezuela's oil minister", True, True),
])
def test_what_a_description_names(description: str, office: bool, elsewhere: bool) -> None:
    read = describing.read(description)
    assert read.office is office
    assert read.from_elsewhere(PEOPLE) is elsewhere


# ------------------------------------------------------------------- in the engine, made-up

SOURCE = ("Lev Dorn, spokesman of Moldova's Foreign Ministry, said the talks would start soon. "
          "The Romanian Foreign Ministry said that Romania will fully support the talks. "
          "Ina Vass, Prime Minister of Moldova, said trade with Romania is growing.")

YAML = """\
article:
  id: talks
  title: Talks to start soon
  outlet: Test Times
  source: sources/talks.txt
  summary: Moldova and Romania on the talks.
  event:
    title: talks
    kind: talks
people:
  - id: dorn
    name: Lev Dorn
    nationality: Moldovan
    roles: [spokesman of Moldova's Foreign Ministry]
    aliases: [Dorn]
  - id: romania-fm
    name: Romanian Foreign Ministry
    nationality: Romanian
    roles: [Foreign Ministry of Romania]
    aliases: [Romania, Romanian Ministry of Foreign Affairs]
  - id: vass
    name: Ina Vass
    nationality: Moldovan
    roles: [Prime Minister of Moldova]
    aliases: [Vass]
statements:
  - id: dorn-soon
    speaker: dorn
    kind: reported
    text: the talks would start soon
    attribution: said
  - id: romania-support
    speaker: romania-fm
    kind: reported
    text: Romania will fully support the talks
    attribution: said that
  - id: vass-trade
    speaker: vass
    kind: reported
    text: trade with Romania is growing
    attribution: said
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("kb")
    (root / "sources").mkdir()
    (root / "sources" / "talks.txt").write_text(SOURCE, encoding="utf-8")
    (root / "talks.yaml").write_text(YAML, encoding="utf-8")
    return Engine(load_knowledge(root), shared_model())


@pytest.mark.parametrize(("question", "speakers"), [
    ("what did the Moldovan premier say?", {"vass"}),
    ("what did Chisinau's head of government say about trade?", {"vass"}),
    # "Moldova's foreign ministry" is not Romania's, though both are foreign ministries
    ("what did the man from Moldova's foreign ministry say?", {"dorn"}),
    # a name after the speaker's verb is spoken of, not a second speaker; and the claim is
    # Romania's words, so none of Dorn's answer it (the reply says whose words they are)
    ("did Dorn say Romania will support the talks?", set()),
    ("did Vass say Romania is growing its trade?", {"vass"}),
])
def test_words_shown_are_only_those_of_whom_the_question_means(
        engine: Engine, question: str, speakers: set[str]) -> None:
    result = engine.answer(question)
    shown = {m.speaker for m in result.matches if m.kind == "statement"}
    assert shown == speakers, (question, result.text)  # never Romania's words
    if not speakers:
        assert "does not quote Lev Dorn saying that" in result.text
