"""How the engine reads a question: every regular expression, compiled in one place.

The word lists these patterns work with are data (``bot/lexicon/``); what a question asks
(who-is, who-said, speech, a name slot, a quantity, a definition) is decided by these patterns
alone, so a reader can see at once what the engine recognises.
"""

from __future__ import annotations

import re

from bot import lexicon

WHO_IS = re.compile(
    r"(?:^|\b)\s*(?:who\s*(?:is|was|s|are)|whos|tell\s+me\s+(?:more\s+)?about|describe|introduce|"
    r"what\s+(?:is|was)\s+(?:the\s+)?(?:role|position|job|title)\s+of)\b"
    r"|\b(?:role|position|job|profile|biography|bio|background)\b"
    r"|\bwho\s*$"  # "Sanaei who?"
)
WHO_SAID = re.compile(
    r"^\s*(?:who|whom|whose|anyone|anybody|did\s+any(?:one|body)|which\s+(?:speakers?|"
    r"participants?|officials?|attendees?|persons?|one|delegates?|politicians?|members?|"
    r"experts?|representatives?|guests?|analysts?|side|country|diplomats?|"
    r"\w+(?:ian|ean|ese|ish|i)))\b"  # "which Iranian ...", "which Kazakh(i) ...": a demonym
    r"|\b(?:who|someone|somebody|anyone|anybody)\b.*\b(?:say|said|says|mention|mentioned|talk|"
    r"talked|spoke|speak|call|called|stress|stressed|want|wants|think|thinks)\b"
    r"|\b(?:say|said|says|mention|mentioned|talk|talked|spoke|speak|called|stressed)\b.*\bwho\b")
SPEECH = re.compile(
    r"\b(?:say|says|said|saying|sayings|think|thinks|thought|quote|quotes|quoted|statement|"
    r"statements|remark|remarks|words|talk|talked|talks|speak|spoke|mention|mentioned|stress|"
    r"stressed|note|noted|add|added|tell|told|comment|comments|view|views|opinion|position|"
    r"claim|claims|claimed|believe|believes|explain|explained|warn|warned|want|wants|argue|"
    r"argued|discuss|discussed|point|points|message|take|stance|thoughts|"
    r"argument|arguments|highlights|takeaways|summarize|summarise|summary|recap|remarks|"
    r"convey|conveyed|assert|asserted|contend|contended|maintain|maintained|indicate|"
    r"indicated|observe|observed|voice|voiced|emphasise|emphasised|emphasize|emphasized|"
    r"stated|insist|insisted|describe|described|answer|answered|respond|responded|reply|"
    r"replied|react|reacted|threat|threats|threaten|threatened|warning|warnings|demand|demands|"
    r"demanded|promise|promised|promises|accuse|accused|accusation|accusations|urge|urged|deny|"
    r"denied|denial|assurance|assurances)\b"
)
# "what did X say", "did X mention", "who is X": where a name is expected, for unknown names.
NAME_SLOTS = (
    re.compile(r"^\s*(?:who\s*(?:is|was|s)|whos|tell\s+me\s+about)\s+(?P<x>.+?)\s*$"),
    re.compile(r"\b(?:what|how)\s+(?:did|does|do|has|had|have|would|will)\s+(?P<x>.+?)\s+"
               r"(?:say|said|think|tell|mention|talk|speak|stress|note|add|want|propose|"
               r"suggest|believe|claim|state|warn|explain|comment|feel|respond|react|reply|"
               r"answer)\b"),
    re.compile(r"^\s*(?:did|does|has|had)\s+(?P<x>.+?)\s+(?:say|mention|talk|speak|comment|"
               r"discuss|stress|note|warn|explain|claim|state|respond|react|reply|answer)\b"),
    re.compile(r"\baccording\s+to\s+(?P<x>.+?)\s*$"),
    # "X on Y" ("the CSS guy on BRICS"), not a question that starts with a question word
    re.compile(r"^(?!\s*(?:who|whom|what|which|where|when|how|why|did|does|do|is|are|was|were|"
               r"has|have|can|could|would|will|tell|anything|anyone)\b)"
               r"\s*(?:the\s+)?(?P<x>(?:\w+\s+){0,2}\w+?)\s+(?:on|about)\s+\w+"),
)
# "who founded the party, according to Kobakhidze?", "by his account", "in Fidan's view": whose
# account the question asks for; the one named there speaks, and is not asked about
SOURCE = re.compile(r"\b(?:according\s+to|in\s+the\s+(?:words|view|opinion|eyes)\s+of|as\s+told\s+by|"
                    r"by\s+the\s+account\s+of)\s+(?P<x>[^,?]+)"
                    r"|\b(?:by|in)\s+(?P<y>his|her|their|(?:the\s+)?\w+(?:\s+\w+)?(?:'s|s')?)\s+"
                    r"(?:own\s+)?(?:account|view|opinion|words|telling)\b")
# "what is this Interfax story about?", "summarize the article", "tl;dr": the article itself
ARTICLE_ABOUT = re.compile(
    r"^\s*(?:(?:and|so|ok|okay|but)\s+)?(?:"
    r"what(?:'s|s|\s+is|\s+was)\s+(?:this|the|that|your)\s+(?:[\w.+-]+\s+){0,2}?"
    r"(?:article|story|report|piece|news|text|item|publication|interview)\s+(?:all\s+)?"
    r"(?:about|on)"
    r"|what\s+(?:is|was)\s+this\s+(?:all\s+)?about"
    r"|(?:please\s+)?(?:summari[sz]e|sum\s+up|recap)\s+(?:the|this|that)\s+(?:\w+\s+)?"
    r"(?:article|story|report|piece|news|text)"
    r"|(?:give\s+me\s+)?(?:a\s+|the\s+)?(?:summary|gist)(?:\s+of\s+(?:the|this)\s+(?:\w+\s+)?"
    r"(?:article|story|report|piece|news|text))?"
    r"|tl\s*;?\s*dr)\s*(?:please\s*)?[?.!]*\s*$")
# "which news agency reported Peskov's comments?", "what's the source for this story?": who
# published the article, not anyone's words in it
REPORTED_BY = re.compile(
    r"\b(?:which|what)\s+(?:news\s+|media\s+|information\s+)?(?:agency|agencies|outlets?|"
    r"newspapers?|papers?|publications?|websites?|sites?|channels?|wires?|media|news\s+service)\b"
    r".*\b(?:reports?|reported|reporting|publish(?:ed|es)?|put\s+(?:\w+\s+)?out|released|ran|"
    r"carried|wrote|covered|broke|story|article|quoted|cited|interviewed|correspondents?|"
    r"journalists?|reporters?)\b(?!\s+(?:that|on|about|claims?|calls?|rumou?rs?)\b)"
    r"|\b(?:which|what)\s+(?:news|media|information)\s+(?:agency|outlet|service)\b"
    r"|\bsources?\s+(?:of|for)\s+(?:this|the|that)\s+(?:\w+\s+)?(?:story|article|report|news|"
    r"info|information|piece)\b"
    r"|\bwho\s+(?:reported|published|put\s+out|released|ran)\s+(?:this|the|that)\s+"
    r"(?:\w+\s+)?(?:story|article|report|news|info|information|piece)\b")
# "OPEC comment on ...", "Bayramov's views on ...": a speech noun after a name is a speaker slot.
SPEECH_NOUN_SLOT = re.compile(
    r"^\s*(?:what\s+(?:are|were|is|was)\s+)?(?:the\s+)?(?P<x>(?:\w+\s+){0,2}?\w+?)\s+"
    r"(?:views?|comments?|remarks?|take|position|thoughts|opinions?|stance|words)\s+"
    r"(?:on|about|regarding)\b")
# The frame of a question ("who said that", "what did X say about", "according to"), which the
# sentence model should not weigh: what is left is what the article must say.
QUESTION_FRAME = re.compile(
    r"^\s*(?:who|whom|what|which|how|did|does|do|is|was|were|has|have|according\s+to)\b.*?"
    r"\b(?:said|say|says|saying|think|thinks|thought|claim|claims|claimed|mention|mentioned|"
    r"argue|argued|believe|believes|stated|state|states|that|about|on|regarding)\b\s*",
    re.IGNORECASE)
# what may open a follow-up question before its own words: "and did he ...", "so was it ..."
_LEAD = r"^\s*(?:(?:and|so|but|ok)\s+)?"
# "did Putin say the cooperation serves the region?": whether someone said something, yes or no
CLAIM = re.compile(_LEAD + r"(?:did|does|do|has|had|have|is\s+it\s+true(?:\s+that)?"
                   r")\b(?!.*\b(?:about|regarding|concerning|on)\b)")
# "did Putin say the cooperation serves ...", "did she call Russia an ally": a verb that takes
# what was said, a clause, where "did he mention BRICS" takes a topic
SAYS_CLAUSE = re.compile(_LEAD + r"(?:did|does|do|has|had|have|is\s+it\s+true(?:\s+that)?)\b.*?"
                         r"\b(?:say|said|claim|claimed|state|stated|argue|argued|suggest|"
                         r"suggested|think|believe|insist|insisted|assert|asserted|deny|denied|"
                         r"warn|warned|call|called|describe|described)\s+(?!anything\b|"
                         r"something\b|nothing\b|much\b|about\b|on\b|regarding\b|"
                         r"concerning\b|of\b)\S")
# "did he say where the envoys will meet?", "did she mention how many": what the words must
# give. Asked yes or no only: in "what did Fidan say when he met ...", "when" is the occasion.
SAID_WH = re.compile(_LEAD + r"(?:did|does|do|has|had|have|was|is|will|"
                     r"would|could|can)\b.*?\b(?:say|said|mention|mentioned|tell|told|specify|"
                     r"specified|reveal|revealed|indicate|indicated|give|gave)\s+(?:us\s+)?"
                     r"(?:exactly\s+)?(?P<wh>when|where|how\s+(?:many|much|long))\b")
# "was it Garibashvili who said Georgia is ahead of Moldova?": did Garibashvili say it
WAS_IT = re.compile(_LEAD + r"(?:was|is)\s+it\s+(?P<x>.+?)\s+(?:who|that)\s+"
                    r"(?:(?:said|says|stated|claimed|told\s+\w+|noted|mentioned|added)\s+"
                    r"(?:that\s+)?)?(?P<rest>.+)$", re.IGNORECASE)
# "who was it that said ...?", "who is it who thinks ...?": who said ...
CLEFT = re.compile(r"^(?P<lead>\s*(?:(?:and|so|but|ok)\s+)?)who\s+(?:was|is|'s)\s+it\s+"
                   r"(?:that|who)\s+", re.IGNORECASE)
# "who is Trump in this article?", "the head of the Foreign Office mentioned in the piece",
# "according to the story, ...": the article itself, the frame of the question, not its subject
IN_THE_ARTICLE = re.compile(
    r"(?:,\s*)?\b(?:(?:that\s+(?:is|was|are|were)\s+|who\s+(?:is|was|are|were)\s+)?"
    r"(?:mentioned|named|quoted|cited|featured|referred\s+to)\s+)?"
    r"(?:in|from|according\s+to)\s+(?:this|the|that|your)\s+(?:news\s+)?"
    r"(?:article|story|piece|text|write-?up|news\s+item)\b(?:\s*,)?", re.IGNORECASE)
# "what is the name of the Iranian ambassador?" asks who he is
NAME_OF = re.compile(r"^\s*(?:what|whats|what's)\s*(?:is|was|s)?\s+(?:the\s+)?(?:full\s+)?"
                     r"names?\s+of\s+", re.IGNORECASE)
# "about the event": what follows is a topic, even in the words that name the occasion
# "where was he at the time?", "what did she say back then?": the time already spoken of, a
# pointer like "then", not a subject
AT_THE_TIME = re.compile(r"\b(?:at\s+(?:the|that|this)\s+(?:time|moment|point)|back\s+then|by\s+then)\b")
THE_TIME_WORDS = frozenset({"time", "moment", "point", "back", "then"})
ABOUT = re.compile(r"\b(?:about|regarding|concerning|of)\b")
# "how many ...", and "what is the trade turnover": a measure noun asks for a figure too
QUANTITY = re.compile(r"\bhow\s+(?:many|much|long|often|big|old)\b|^\s*(?:what|which)\s+"
                      r"(?:(?:is|was|are|were|now|currently)\s+)*(?:the\s+)?(?:current\s+)?"
                      r"(?:\w+\s+){0,2}?(?:turnover|volume|amount|figure|total)\b")
ANSWER_TYPES = frozenset({"where", "when"})  # a fact must be curated to answer these
# "What is OPEC?", "what is the capital of Iran?": a definition, which quotes rarely give.
DEFINITION = re.compile(r"^\s*(?:what|whats)\s+(?:is|was|are|were|does)\b")
GRAMMAR = lexicon.words("grammar")
PRONOUN_SUBJECT = re.compile(r"\b(?:did|does|has|had|would|will)\s+(?:he|she)\b")
PRONOUN = re.compile(r"\b(?:he|she|they|him|her|them|his|the other(?: one)?|that guy|"
                      r"this guy|that person|someone|somebody)\b")
# "who is X", "who was the ambassador"; not "who was satisfied with the event".
IDENTITY = re.compile(r"^\s*(?:who\s*(?:is|s|are)|whos|who\s+(?:was|were)\s+(?:the|a|an)"
                       r")\b")
ROLE_QUERY = lexicon.words("role_query")
NAMING_VERBS = lexicon.words("naming_verbs")
PERSON_NOUNS = lexicon.words("person_nouns")
ASKER_NOUNS = lexicon.words("asker_nouns")
EVERYONE = lexicon.words("everyone")
GROUP_NOUNS = lexicon.words("group_nouns")
OBJECT_MARKERS = lexicon.words("object_markers")
NOT_SOMEONE = lexicon.words("not_someone")
GREETINGS = lexicon.words("greetings")
SOURCE_WORDS = lexicon.words("source_words")
REPORTING_VERBS = lexicon.words("reporting_verbs")
# "everything Lagarde said", "all Pashinyan's statements", "every quote of ...": all of it
ALL_SAID = re.compile(r"\b(?:everything|all|every|full\s+list|complete\s+list|each)\b"
                      r"(?:\s+\w+){0,4}?\s+(?:said|say|says|says|statements?|quotes?|remarks?|"
                      r"words|comments?|he|she)\b|\b(?:everything|all)\s+(?:of\s+)?\w+\s+said\b")
# "how many people spoke?", "how many speakers were there?": a count of who is quoted
SPEAKER_COUNT = re.compile(
    r"\bhow\s+many\s+(?:(?:people|persons|speakers|officials|experts|participants|guests)\s+"
    r"(?:\w+\s+){0,3}?(?:spoke|speak|talked|talk|quoted|commented|gave|made|said)\b"
    r"|speakers\b|people\s+(?:are|were)\s+quoted\b)")
# "Garibashvili's words", "Aliyev's statement": a name whose words are the subject, not a speaker
POSSESSED_WORDS = re.compile(
    r"\b([A-Za-z][\w-]*)['\u2019]s\s+(?:\w+\s+)?(?:words|statements?|remarks?|comments?|claims?|"
    r"assertions?|interview|speech|message|accusations?|allegations?|position|views|criticism)\b",
    re.IGNORECASE)
