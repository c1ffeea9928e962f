"""The drafter's rules of news writing, one example table each, on sentences made up for these
tests (none from the measured articles): datelines, bylines, the article's own account as
facts, people and roles, role aliases, nationality, and the reporting forms."""

from __future__ import annotations

import pytest

from bot.datelines import find_dateline
from bot.drafting import draft
from bot.drafting_facts import answers, find_outlet, without_byline
from bot.drafting_people import national_variant, nationality, role_aliases
from bot.drafting_yaml import to_yaml_data

# ------------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(("paragraph", "city", "region", "date", "agency"), [
    ("OSLO, Norway, May 4. Fishermen protested outside the parliament.", "Oslo", "Norway",
     "May 4", ""),
    ("NAIROBI - The government signed the deal on Friday.", "Nairobi", "", "", ""),
    ("LIMA, June 2. /EFE/. Ministers met behind closed doors.", "Lima", "", "June 2", "EFE"),
    ("SAN JOSE (Reuters) - Coffee prices fell again.", "San Jose", "", "", "Reuters"),
    ("Chile, Santiago / Prensa / Ana Lopez, Chile's Interior Minister says that ...",
     "Santiago", "Chile", "", "Prensa"),
    # agencies and the date inside the brackets, and no dash after them
    ("QUITO (Andes Wire / EFE - 3rd May, 2021) The prospects of the deal are dim.", "Quito", "",
     "3rd May, 2021", "Andes Wire / EFE"),
])
def test_a_dateline_gives_the_city_the_date_and_the_agency(
        paragraph: str, city: str, region: str, date: str, agency: str) -> None:
    line = find_dateline(paragraph)
    assert line is not None and paragraph.startswith(line.text)
    assert (line.city, line.region, line.date, line.agency) == (city, region, date, agency)
    assert agency not in line.place_text or not agency


@pytest.mark.parametrize("paragraph", [
    "NATO said on Monday that the exercise would go ahead.",
    "The UN warned of famine in the region.",
    "Ana Lopez, the minister, said that talks would resume.",
])
def test_an_opening_that_is_no_dateline(paragraph: str) -> None:
    assert find_dateline(paragraph) is None


@pytest.mark.parametrize(("sentence", "outlet", "byline", "source"), [
    ("Exports rose by a tenth in March, Prensa reports.", "Prensa", "Prensa reports", ""),
    ("The ferry will run twice a week, Nordic Wire reports citing the port authority.",
     "Nordic Wire", "Nordic Wire reports citing the port authority", "the port authority"),
    ("The two sides met twice, Baltic.lt reports with reference to the press office.",
     "Baltic.lt", "Baltic.lt reports with reference to the press office", "the press office"),
])
def test_the_agency_byline_is_the_outlet(sentence: str, outlet: str, byline: str,
                                         source: str) -> None:
    assert find_outlet([sentence]) == (outlet, byline, source)
    assert without_byline(sentence.rstrip(".")) == sentence.split(",")[0]


def test_the_dateline_agency_after_a_standfirst_is_the_outlet() -> None:
    paragraphs = ["Talks on the ferry line will resume, the minister says",
                  "VALLETTA, May 2. /Nordic Wire/. The minister said the ferry would run again."]
    assert find_outlet(paragraphs)[0] == "Nordic Wire"


@pytest.mark.parametrize("sentence", [
    "The minister reports to parliament every month.",  # a verb, not a byline
    "Reports of a deal were denied.",
])
def test_no_byline(sentence: str) -> None:
    assert find_outlet([sentence]) == ("", "", "")
    assert without_byline(sentence) == sentence


# ----------------------------------------------------------------- the article's own account


@pytest.mark.parametrize(("sentence", "can_answer"), [
    ("Two ferries were sold to a Danish company in 2019", {"when", "how many"}),
    ("The talks were held in Arica behind closed doors", {"where"}),
    ("On Tuesday the border crossing was closed for repairs", {"when"}),
    ("Half of the fishing fleet stayed in port", {"how many"}),
    ("The weather stayed dry and the roads were clear", set()),
])
def test_a_sentence_answers_the_question_words_its_content_allows(
        sentence: str, can_answer: set[str]) -> None:
    assert set(answers(sentence)) - {"what", "date", "place", "how much"} == can_answer


ARTICLE = (
    "Ferry line to reopen\n\n"
    "TALLINN, Estonia, May 12. The ferry line between Tallinn and Helsinki will reopen in "
    "June, Baltic Wire reports.\n\n"
    "Transport Minister Kaja Tamm said that the new ships would be faster. \"We expect a "
    "million passengers in the first year,\" Tamm said.\n\n"
    "The line was closed in 2021 after two ships ran aground near the harbour.\n\n"
    "Three ports will share the cost of the new terminal.\n")


def test_the_account_facts_are_the_narrative_sentences_no_one_said() -> None:
    data = to_yaml_data(draft(ARTICLE), "ferry-line", "sources/ferry-line.txt")
    facts = {f["id"].split("-")[0]: f for f in data["facts"]}
    accounts = [f for f in data["facts"] if f["id"].startswith("account-")]
    quotes = [f["quote"] for f in accounts]
    assert quotes == [
        "The line was closed in 2021 after two ships ran aground near the harbour",
        "Three ports will share the cost of the new terminal"]
    assert {"when", "how many"} <= set(accounts[0]["keywords"])
    assert data["article"]["outlet"] == "Baltic Wire"
    assert data["article"]["event"]["city"] == "Tallinn"
    assert data["article"]["event"]["date"] == "May 12"
    # the lede is the first sentence after the dateline, without the agency's byline
    assert facts["what"]["quote"] == ("The ferry line between Tallinn and Helsinki will "
                                      "reopen in June")
    assert facts["outlet"]["quote"] == "Baltic Wire reports"
    assert not any("passengers" in q for q in quotes)  # a quote's sentences are its speaker's


def test_a_paper_named_in_quote_marks_is_no_quote() -> None:
    data = to_yaml_data(draft(
        "Fears in the islands\n\nMinister Ana Lopez spoke in Arica on Monday.\n\nThe "
        "\"Island Herald\" has reported that fishermen fear a \"witch-hunt\" after the storm "
        "in the north.\n"), "fears", "sources/fears.txt")
    quotes = [f["quote"] for f in data["facts"] if f["id"].startswith("account-")]
    assert quotes == [('The "Island Herald" has reported that fishermen fear a "witch-hunt" '
                      'after the storm in the north')]


def test_where_someone_says_something_will_happen_is_not_where_the_event_was() -> None:
    data = to_yaml_data(draft(
        "Talks end\n\nMinister Ana Lopez met the union leaders on Monday.\n\nShe also said "
        "that the next round of talks is due to be held in Lima.\n"), "talks", "sources/t.txt")
    assert not any(f["id"].startswith("where-") for f in data["facts"])


def test_where_from_the_words_around_a_quote() -> None:
    data = to_yaml_data(draft(
        "Port opens\n\n\"We waited years for this day,\" said Mayor Piet Smit during a press "
        "conference in Arica on Monday.\n"), "port", "sources/port.txt")
    where = next(f for f in data["facts"] if f["id"].startswith("where-"))
    assert where["quote"] == "said Mayor Piet Smit during a press conference in Arica on Monday"
    assert data["article"]["event"]["place"] == "Arica"


def test_no_sentence_of_a_quote_is_an_account_fact() -> None:
    data = to_yaml_data(draft(
        "Port plans\n\nMayor Piet Smit opened the terminal. \"The port has waited for this "
        "for years. Together we can turn it into jobs,\" Smit said.\n\n\"The second phase "
        "starts next spring and will cost more than the first.\n\nFishermen were not invited "
        "to the opening ceremony on the quay.\n"), "port-plans", "sources/port-plans.txt")
    quotes = [f["quote"] for f in data["facts"] if f["id"].startswith("account-")]
    assert quotes == ["Fishermen were not invited to the opening ceremony on the quay"]


# ------------------------------------------------------------------------------ people


def _people(text: str) -> dict[str, list[str]]:
    return {p.name: p.roles for p in draft("Title\n\n" + text).people.values()
            if not p.institution}


@pytest.mark.parametrize(("text", "name", "roles"), [
    # the word after a title's "of" is its place, not a first name
    ("Prime Minister of Chile Ana Lopez met the Foreign Minister of Peru Rosa Diaz Vega.",
     "Rosa Diaz Vega", ["Foreign Minister of Peru"]),
    ("Prime Minister of Chile Ana Lopez met the Foreign Minister of Peru Rosa Diaz Vega.",
     "Ana Lopez", ["Prime Minister of Chile"]),
    # a role phrase set off by a comma before the name, in any case
    ("However, the head of the small farmers' union, Piet Smit, said that prices fell.",
     "Piet Smit", ["head of the small farmers' union"]),
    # a party after the name
    ("Lena Berg from the “Green Future” party said that the law was rushed.", "Lena Berg",
     ["from the “Green Future” party"]),
    # an appositive holding a quoted party name
    ("Omar Haddad, an MP from the “Renewal”, criticized the budget.", "Omar Haddad",
     ["an MP from the “Renewal”"]),
    # a full title where no name follows, for the one person with its bare head
    (("Chile’s Interior Minister denied the report.\n\nMinister Ana Lopez said that the "
     "figures were wrong."), "Ana Lopez", ["Chile’s Interior Minister", "Minister"]),
    # "Speaker" is a title, not a first name
    (("Peru has named Deputy Parliament Speaker Tomas Ekberg as its envoy, spokesperson Rosa "
      "Diaz announced."), "Tomas Ekberg", ["Deputy Parliament Speaker", "its envoy"]),
    # the office someone is named to, beside the title they hold
    (("Chile has named Senator Ana Lopez as Santiago’s envoy to the border talks, and Peru "
      "named Piet Smit as its negotiator."), "Ana Lopez",
     ["Senator", "Santiago’s envoy to the border talks"]),
    (("Chile has named Senator Ana Lopez as Santiago’s envoy to the border talks, and Peru "
      "named Piet Smit as its negotiator."), "Piet Smit", ["its negotiator"]),
])
def test_roles_as_the_article_states_them(text: str, name: str, roles: list[str]) -> None:
    assert _people(text)[name] == roles


@pytest.mark.parametrize(("text", "name"), [
    # named in full once, then by surname: a person, with no title or speech verb needed
    ("The leaders met Tomas Ekberg at the port. Ekberg toured the docks later.",
     "Tomas Ekberg"),
    (("Lopez, Diaz and Ekberg signed the accord. President Ana Lopez met Rosa Diaz and "
     "Peru’s Tomas Ekberg on Monday."), "Tomas Ekberg"),
])
def test_a_person_named_without_a_title(text: str, name: str) -> None:
    assert name in _people(text)


@pytest.mark.parametrize(("text", "not_a_person"), [
    (("The ships crossed the Baltic Sea in May. Storms on the Sea delayed them. Minister Ana "
     "Lopez said that the route was safe."), "Baltic Sea"),
    ("The talks in the format “Three Coastal States” ended, said Minister Ana Lopez.",
     "Three Coastal States"),
    ("Rosa Diaz from the “For Change” party said that reforms were late.", "For Change"),
    ("The leader of New Horizon, Piet Smit, condemned the vote.", "New Horizon"),
    ('The "Island Herald" has reported that fishermen are worried.', "Island Herald"),
    (("The first plant near Lake Mavuno will open in May, Minister Ana Lopez said. Nobody "
      "asked the people of Mavuno."), "Lake Mavuno"),
    # whom one tells: a radio station is no speaker
    ("Minister Ana Lopez told Public Radio of Peru on Monday that the date will be announced.",
     "Public Radio"),
])
def test_places_parties_and_papers_are_no_one(text: str, not_a_person: str) -> None:
    assert not_a_person not in _people(text)


@pytest.mark.parametrize(("role", "aliases"), [
    ("Chilean Interior Minister", ["Chilean Interior Minister"]),
    ("Peru’s Foreign Minister", ["Peru’s Foreign Minister", "Peruvian Foreign Minister"]),
    ("Foreign Minister of Norway", ["Foreign Minister of Norway", "Norwegian Foreign Minister"]),
    ("expert on Chile", ["the expert on Chile"]),
    ("leader of the non-parliamentary opposition Green Future party", ["the leader"]),
    ("a research fellow at the Institute of Marine Studies in Bergen", ["the research fellow"]),
    ("named in the article", []),
])
def test_role_aliases_are_the_roles_as_written(role: str, aliases: list[str]) -> None:
    assert role_aliases(role) == aliases


@pytest.mark.parametrize(("role", "found", "variant"), [
    ("Chilean Interior Minister", "Chilean", ""),
    ("Peru’s Foreign Minister", "Peruvian", "Peruvian Foreign Minister"),
    ("President of the United States", "American", "American President"),
    ("Ambassador of Norway to Sweden", "Norwegian", "Norwegian Ambassador to Sweden"),
    ("Swedish expert on Norway", "Swedish", ""),
    ("expert on Norway", "", ""),  # what they know about, not where they are from
    ("from the “For Chile” party", "", ""),
    ("Managing Director of the Fund", "", ""),
])
def test_nationality_and_the_adjective_form_of_a_role(role: str, found: str,
                                                      variant: str) -> None:
    assert nationality(role) == found
    assert national_variant(role) == variant


def test_the_articles_own_role_nouns_become_aliases_and_shared_ones_are_dropped() -> None:
    result = draft(
        "Ministers meet\n\n"
        "Chilean Foreign Minister Ana Lopez met Peruvian Foreign Minister Rosa Diaz in Lima."
        "\n\n"
        "\"We agreed on a joint patrol of the coast,\" the top Chilean diplomat said.\n\n"
        "\"Fishing boats will be checked by both navies,\" the minister added.\n")
    people = {p.name: p.role_aliases for p in result.people.values()}
    assert "the top chilean diplomat" in people["Ana Lopez"]
    assert "the top chilean diplomat" not in people["Rosa Diaz"]
    # two ministers: "the minister" names neither, and "ministers" in a text names no one
    assert not any(a.casefold() == "the minister" for a in (*people["Ana Lopez"],
                                                            *people["Rosa Diaz"]))


# ---------------------------------------------------------------------- reporting forms


def _said(text: str) -> dict[str, str]:
    result = draft("Title\n\n" + text)
    return {s.text: result.people[s.speaker].name for s in result.statements}


@pytest.mark.parametrize(("text", "statement", "speaker"), [
    # an auxiliary before the speech verb
    (("Ana Lopez, Ambassador of Chile to Peru, has called not to trust rumours about the "
     "border."), "called not to trust rumours about the border", "Ana Lopez"),
    # "appealed" is a speech act; its verb stays in the text
    ("Opposition leader Piet Smit appealed to the President to call early elections.",
     "appealed to the President to call early elections", "Piet Smit"),
    # the role first, then the name set off by commas
    (("However, the leader of the farmers' union, Piet Smit, said that prices would fall "
     "by winter."), "prices would fall by winter", "Piet Smit"),
    # a report of a report: "the agency adds that he also said that ..."
    (("President Ana Lopez spoke in Arica. The Andes Wire adds that she also said that the "
     "port would be expanded next year."), "the port would be expanded next year",
     "Ana Lopez"),
    # the attribution after the statement, a long title, the outlet's byline at the end, and
    # the dateline before it, which is no one's words
    (("LIMA (AW) — Trade with Chile has had its ups and downs, but a good time has come, Peru "
      "Foreign Trade Minister Ana Lopez said in an interview with Canal 5, the Andes Wire "
      "agency reported."), "Trade with Chile has had its ups and downs, but a good time has come",
     "Ana Lopez"),
    # "was quoted ... as saying in <month> that ..."
    (("Piet Smit, commander of the port guard, was quoted by local media as saying in May "
      "that the number of patrol boats would almost double."),
     "the number of patrol boats would almost double", "Piet Smit"),
    # what someone's statement said, named by its noun
    (("Ana Lopez spoke on Monday. The vote followed Mayor Piet Smit's warning that the bridge "
      "would close for a year."), "the bridge would close for a year", "Piet Smit"),
    # the role in the article's words after the statement, with a capitalised adjective, and
    # a gender-neutral form of the role noun
    (("Chilean Foreign Ministry Spokesman Piet Smit said the talks would resume. They would "
      "also review the fishing quotas, the Chilean spokesperson noted."),
     "They would also review the fishing quotas", "Piet Smit"),
    # "Additionally," goes on with the same speaker's words
    (("Ana Lopez, the minister, said that the port would be expanded next year. "
      "Additionally, the ferry line will get two new ships by spring."),
     "Additionally, the ferry line will get two new ships by spring", "Ana Lopez"),
])
def test_reported_statements_in_more_forms(text: str, statement: str, speaker: str) -> None:
    assert _said(text)[statement] == speaker


def test_a_quote_opened_and_never_closed_ends_at_its_attribution() -> None:
    said = _said("President Ana Lopez visited the port. \"Everyone here should know that the "
                 "ships will come back, the head of the state said at the harbour.\n")
    assert said == {"Everyone here should know that the ships will come back":
                    "Ana Lopez"}


def test_a_quote_over_two_paragraphs_is_the_closing_paragraphs_speakers() -> None:
    said = _said("Minister Ana Lopez spoke in Lima.\n\n\"The port was a proposal of the other "
                 "side. We have not got any documents from them.\n\nIt is just an idea to "
                 "widen some docks,\" the minister added.")
    assert said == {"The port was a proposal of the other side. We have not got any documents "
                    "from them.": "Ana Lopez",
                    "It is just an idea to widen some docks": "Ana Lopez"}


def test_said_on_a_weekday_after_the_statement() -> None:
    said = _said("QUITO (Andes Wire / EFE - 3rd May, 2021) The prospects of the deal will depend "
                 "on the terms, Ecuador's Deputy Foreign Minister Ana Lopez said Wednesday.")
    assert said == {"The prospects of the deal will depend on the terms": "Ana Lopez"}


def test_a_speaker_set_off_by_commas_inside_the_sentence() -> None:
    said = _said("President Ana Lopez spoke in Lima. Such claims, Lopez noted, are part of "
                 "“a campaign that the north has waged for years.”")
    assert said == {"Such claims, Lopez noted, are part of “a campaign that the north has waged "
                    "for years.”": "Ana Lopez"}


def test_the_lead_in_of_a_quote_is_no_statement_of_its_own() -> None:
    said = _said("Minister Ana Lopez said the other day that “the old government could have "
                 "trained the smugglers on the coast.”")
    assert said == {"the old government could have trained the smugglers on the coast.":
                    "Ana Lopez"}


@pytest.mark.parametrize(("text", "statement", "speaker"), [
    # a dateline with a full stop before the date, then the speaker
    (("QUITO. Feb 3 (Andes Wire) - Ecuador's Prime Minister Ana Lopez believes Ecuador "
      "deserves a seat at the talks."), "Ecuador deserves a seat at the talks", "Ana Lopez"),
    # a title in lower case between the party and the name, after the statement
    (("The report confirms what the government has said for a year, Green Future ruling party "
      "chairman Piet Smit said."), "The report confirms what the government has said for a year",
     "Piet Smit"),
    # a second statement after "noting that"
    (("In addition, the ministers will meet again in May, Minister Ana Lopez said, noting that "
      "the talks covered a wide range of areas."), "the talks covered a wide range of areas",
     "Ana Lopez"),
])
def test_statements_after_datelines_titles_and_noting(text: str, statement: str,
                                                     speaker: str) -> None:
    assert _said(text)[statement] == speaker


def test_when_commenting_is_the_occasion_not_a_statement() -> None:
    said = _said("\"The report shows the progress made by our country in its integration,\" "
                 "Minister Ana Lopez said on Friday when commenting on the report.")
    assert set(said) == {"The report shows the progress made by our country in its integration"}


def test_after_a_quote_its_speaker_adding_that_is_a_statement_too() -> None:
    said = _said("Minister Ana Lopez spoke in Lima. \"The visit is very important for the future "
                 "of our ties,\" she stressed, adding that a large part of the ties is regional "
                 "trade.")
    assert said == {"The visit is very important for the future of our ties": "Ana Lopez",
                    "a large part of the ties is regional trade": "Ana Lopez"}


def test_a_group_the_article_makes_speak_is_one_speaker_named_by_all_its_words() -> None:
    """"Norwegian fisheries officials denied Monday that ...": the group speaks, marked for
    review; its words keep the verb that gives them their sense and the group itself (it has
    no name to show), and "officials" alone names no one."""
    result = draft("Quotas cut\n\nPresident Ana Lopez spoke in Lima.\n\nNorwegian fisheries "
                   "officials denied Monday that they plan to cut the cod quota next year.")
    group = next(p for p in result.people.values() if p.group)
    assert group.name == "Norwegian fisheries officials"
    [said] = [s for s in result.statements if s.speaker == group.id]
    assert said.text == ("Norwegian fisheries officials denied Monday that they plan to cut the "
                         "cod quota next year")
    assert said.review
    data = to_yaml_data(result, "quotas-cut", "sources/quotas-cut.txt")
    [person] = [p for p in data["people"] if p["name"] == group.name]
    assert person["aliases"] == [group.name]


def test_a_bare_plural_or_a_pronoun_is_no_group() -> None:
    result = draft("Quotas cut\n\nOfficials said that the quota would be cut next year.")
    assert not any(p.group for p in result.people.values())


def test_an_abstract_noun_ending_a_portfolio_is_no_first_name() -> None:
    """"Minister of Land Administration and Infrastructure Ana Lopez": "Infrastructure" ends
    the portfolio (an English abstract noun), it does not begin her name."""
    result = draft("Roads\n\nChile's Minister of Land Administration and Infrastructure Ana "
                   "Lopez met the ambassador.\n\nThe minister said that the roads would be "
                   "repaired by May.")
    assert [p.name for p in result.people.values()] == ["Ana Lopez"]
    assert _said("Ana Lopez, Minister of Planning and Infrastructure, spoke. The minister said "
                 "that the roads would be repaired by May.") == {
        "the roads would be repaired by May": "Ana Lopez"}


def test_this_was_stated_by_makes_the_sentence_before_a_statement() -> None:
    said = _said("The two countries have completed the talks on the new border. This was "
                 "stated by the President of Chile Ana Lopez during a meeting in Lima.")
    assert said == {"The two countries have completed the talks on the new border": "Ana Lopez"}
