"""Datelines of news copy: where and when a story was filed, and by which agency.

"ASTANA, Kazakhstan, March 7.", "BAKU - ", "NEW YORK (Reuters) -", "YEREVAN, April 13. /TASS/.",
"Azerbaijan, Baku / Trend /". Shared by the drafter (a dateline is not part of what anyone
said) and its facts (the city, the date, the agency).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
DATE = rf"(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+(?:{MONTHS})(?:\s+\d{{4}})?)"
# "ASTANA, Kazakhstan, March 7.", "BAKU - ", "NEW YORK (Reuters) -", "YEREVAN, April 13. /TASS/."
_DATELINE = re.compile(
    rf"^(?P<city>[A-Z][A-Z’'.-]+(?:\s+[A-Z][A-Z’'.-]+){{0,2}})"
    rf"(?:,\s+(?P<region>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}}))?"
    rf"(?:[,.]\s+(?P<date>{DATE}))?"
    rf"(?:\s*\((?P<agency>[^()]{{2,60}})\))?"
    rf"(?:\s*(?:[.:]|\s[-–—])|(?<=\))(?=\s+[A-Z]))\s*(?:/\s*(?P<agency2>[^/]{{2,40}}?)\s*/\.?\s*)?")
# "Azerbaijan, Baku/ Trend / Marat Tajin ...": country, city, then the agency between slashes
_SLASH_DATELINE = re.compile(r"^(?P<region>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?),\s+(?P<city>[A-Z]"
                             r"[a-z]+(?:\s+[A-Z][a-z]+)?)\s*/\s*(?P<agency>[A-Z][\w.-]*(?:\s+"
                             r"[A-Z][\w.-]*){0,2})\s*/\s*")
# "Tashkent, Uzbekistan (UzDaily.com) -- ...": a city in title case, its country, the agency
# (its brackets left empty or half open in some copies) and a dash, which no sentence has there
_TITLE_DATELINE = re.compile(r"^(?P<city>[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)?),\s+(?P<region>[A-Z]"
                             r"[a-z]+(?:\s+[A-Z][a-z]+)?)\s*(?:\((?P<agency>[^()]{0,60})\)?)?"
                             r"\s*(?:-{1,2}|[–—])\s+")
# without abbreviations, where "Mar" or "Sep" could be a word
FULL_MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
               "November|December")


@dataclass(frozen=True)
class Dateline:
    """What a dateline says, and its verbatim text."""

    text: str
    city: str
    region: str = ""
    date: str = ""
    agency: str = ""
    place_text: str = ""  # the text before the agency: "Azerbaijan, Baku", "YEREVAN, April 13"


def find_dateline(paragraph: str) -> Dateline | None:
    """The dateline opening a paragraph, if any ("ASTANA, Kazakhstan, March 7.")."""
    slash = _SLASH_DATELINE.match(paragraph)
    if slash:
        return Dateline(slash.group(0).strip(), slash.group("city"), slash.group("region"),
                        agency=slash.group("agency").strip(),
                        place_text=paragraph[:slash.end("city")])
    titled = _TITLE_DATELINE.match(paragraph)
    if titled:
        return Dateline(titled.group(0).strip().rstrip("-–— ").strip(), titled.group("city"),
                        titled.group("region"), agency=(titled.group("agency") or "").strip(),
                        place_text=paragraph[:titled.end("region")])
    found = _DATELINE.match(paragraph)
    if not found or not found.group(0).strip() or len(found.group("city")) < 3:
        return None
    if not (found.group("region") or found.group("date") or found.group("agency")
            or found.group("agency2") or re.match(r"\S+(?:\s+\S+){0,2}\s+[-–—]\s", found.group(0))):
        return None  # "NATO said ..." opens a sentence; a dateline says where or when
    city = found.group("city").title()
    place_end = max(found.end(g) for g in ("city", "region", "date") if found.group(g))
    agency = (found.group("agency") or found.group("agency2") or "").strip()
    date = found.group("date") or ""
    # "(UrduPoint News / Sputnik - 21st December, 2022)": the agencies, then the date
    dated = re.match(r"^(?P<agency>.+?)\s+[-–—]\s+(?P<date>[^-–—]*\b(?:19|20)\d\d)$", agency)
    if dated and not date:
        agency, date = dated.group("agency"), dated.group("date")
    return Dateline(found.group(0).strip().rstrip("-–— ").strip(), city,
                    found.group("region") or "", date, agency, paragraph[:place_end])


def without_dateline(paragraph: str) -> str:
    """The paragraph after its dateline, if it opens with one ("TASHKENT (TCA) — Relations
    between ..." -> "Relations between ...")."""
    line = find_dateline(paragraph)
    if line is None or not paragraph.startswith(line.text):
        return paragraph
    return paragraph[len(line.text):].lstrip(" .:-–—/")
