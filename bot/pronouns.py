"""Whom "he" or "she" can mean: a person's grammatical gender, as the article shows it.

Nothing in a knowledge base says it; the article does. Its roles may ("spokeswoman", "Mr"),
and the pronouns that follow the person's name in the article's own sentences do ("... said
Nazeli Baghdasaryan. She pointed out ..."). When they disagree or say nothing, the gender is
unknown and any singular pronoun may mean the person.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.knowledge import KnowledgeBase, Person
from bot.text import fold

Gender = Literal["m", "f"]

_MALE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_FEMALE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_MALE_ROLES = re.compile(r"\b(?:mr|spokesman|chairman|congressman|businessman|king|prince|"
                         r"sir|father|son|brother|husband)\b", re.IGNORECASE)
_FEMALE_ROLES = re.compile(r"\b(?:mrs|ms|miss|madam|spokeswoman|chairwoman|congresswoman|"
                           r"businesswoman|woman|queen|princess|mother|daughter|sister|"
                           r"wife)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“«])")
DOMINANCE = 2  # one gender's pronouns must outnumber the other's this many times over


def gender_of(kb: KnowledgeBase, person: Person) -> Gender | None:
    """"m" or "f" when the article shows it without doubt, else None (a group named by its
    members, "Asatryan and Israelyan", has none)."""
    if re.search(r"\s(?:and|&)\s", person.name):
        return None
    roles = " ".join(person.roles + person.role_aliases)
    male, female = len(_MALE_ROLES.findall(roles)), len(_FEMALE_ROLES.findall(roles))
    if bool(male) != bool(female):
        return "m" if male else "f"
    names = [fold(n) for n in {person.name, *person.aliases} if len(n) >= 3]
    if not names:
        return None
    named = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    # their own article's sentences only (of thousands, the one that names them)
    sentences = _SENTENCE.split(kb.article(person.article_id).source_text)
    for index, sentence in enumerate(sentences):
        folded = fold(sentence)
        found = named.search(folded)
        if found is None:
            continue
        # the rest of the sentence that names them, and the next one
        after = folded[found.end():] + " " + (sentences[index + 1]
                                              if index + 1 < len(sentences) else "")
        male += len(_MALE.findall(after))
        female += len(_FEMALE.findall(after))
    if male > DOMINANCE * female:
        return "m"
    if female > DOMINANCE * male:
        return "f"
    return None


def pronoun_gender(text: str) -> Gender | None:
    """The gender a question's singular pronouns give ("what did she say?"), if one."""
    male, female = bool(_MALE.search(text)), bool(_FEMALE.search(text))
    if male == female:
        return None
    return "m" if male else "f"
