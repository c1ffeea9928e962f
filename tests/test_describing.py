"""Who a description means, read with the shared lexicons of places and offices (made-up people)."""

from __future__ import annotations

import pytest

from bot import describing
from bot.knowledge import Person


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
    # a place no one here belongs to, or an office no one holds: no one
    ("Venezuela's oil minister", []),
    ("the Moldovan defence minister", []),
    ("the Romanian premier", []),
])
def test_a_description_fits_the_people_whose_roles_say_it(description: str,
                                                          expected: list[str]) -> None:
    assert describing.fits(describing.read(description), PEOPLE) == expected


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
