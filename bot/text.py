"""Text normalisation shared by the engine's index and its questions.

Both sides go through the same functions, so a word in the knowledge base and the same word in a
question always meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata

# Words that carry no meaning for matching. Speech verbs and question scaffolding are here too:
# "what did X say about Y" is about X and Y only.
_STOPWORD_TEXT = """
a about above according actually after again against all also am an and any anybody anyone
anything are around as at be been being between both but by can could currently did do does
doing done during each either else even ever every for from further get gets give given go
going got had has have having he her here hers him his how however i if in including indeed
into is it its itself just kind know let like made make many may me mention mentioned
mentioning mentions might more most much must my near need no nor not now of off often on once
one only or other our ours out over own particular particularly please quite rather re really
regarding respect s said same say saying says see seem shall she should show so some someone
something speak speaking spoke spoken such t talk talked talking talks tell telling tells than
thank thanks that the their theirs them themselves then there these they thing things think
thinks this those though thought through to told too toward towards u under until up upon us
very via want was way we were what whatever whats which while whom whose why will with within
without would yes yet you your yours
comment commented comments discuss discussed discusses express expressed opinion opinions
remark remarked remarks state stated statement statements view views word words quote quoted
quotes quoting claim claimed claims note noted noting add added adds stress stressed explain
explained believe believes believed feel feels felt reckon reckons cite cites cited citing
convey conveys conveyed assert asserts asserted contend contends contended maintain maintains
maintained indicate indicates indicated observe observes observed voice voiced emphasise
emphasised emphasize emphasized underline underlined state states stated insist insisted
hi hello hey ok okay everything anything stuff else whole entire
take takes took taken concerning summarize summarise summary recap overview
top brought bring brings bringing two three four list provide account complete full
deal heard hear hears guy guys man men folks person people persons thing nutshell true truth
point points key basically exactly precisely honestly simply briefly quick quickly question
questions ask asking asked answer info information detail details wonder wondering curious
interested mean means meant bit lot lots maybe perhaps probably hmm um uh yeah well main
message messages highlight highlights takeaway takeaways argument arguments thoughts stance
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Chat spellings too short for typo correction (one edit from too many real words).
CHAT_SPELLINGS = {
    "wat": "what", "wht": "what", "wut": "what", "whta": "what", "abt": "about",
    "bout": "about", "abut": "about", "u": "you", "r": "are", "ur": "your", "pls": "please",
    "plz": "please", "thx": "thanks", "ty": "thanks", "hw": "how", "whr": "where",
    "wen": "when", "y": "why", "teh": "the", "da": "the", "dat": "that", "abot": "about",
    "sed": "said", "sez": "says", "wats": "whats", "whats": "what", "n": "and", "bc": "because",
    "cuz": "because", "coz": "because", "gonna": "going", "wanna": "want", "gotta": "must",
    "prez": "president", "pres": "president", "org": "organisation", "orgs": "organisations",
    "govt": "government", "gov": "government", "intl": "international", "econ": "economy",
    "petrochem": "petrochemical", "petrochems": "petrochemicals", "tech": "technology",
    "w": "with", "wrt": "regarding", "re": "regarding", "abt.": "about",
}

# Words that mean the same thing here, folded onto one stem on both sides (the knowledge base
# and the question), so "problems got fixed" meets "problems ... were solved".
_EQUIVALENT_GROUPS = (
    ("problem", "difficulty", "trouble", "obstacle", "hurdle"),
    ("solve", "fix", "resolve"),
    ("help", "assist", "assistance", "aid"),
    ("fair", "fairer", "equitable", "equal"),
    ("world", "global", "globe"),
    ("country", "nation", "nations"),
    ("trust", "rely", "reliance", "reliable", "trustworthy", "faith"),
    ("expand", "intensify", "increase", "boost", "strengthen", "enhance", "deepen", "grow",
     "broaden", "widen", "step"),
    ("easy", "simple", "simplify", "simplification", "simplified"),
    ("economy", "economic", "economics"),
    ("important", "crucial", "vital", "essential", "significant"),
    ("effective", "productive", "fruitful", "rewarding", "successful", "good", "best"),
    ("region", "regional"),
    ("difficult", "hard", "harder", "tough"),
    ("together", "joint", "jointly", "mutual"),
    ("create", "creat", "creation", "build", "cause", "caus", "construct", "establish"),
    ("contribute", "contribution"),
    ("continue", "continu", "continuation", "ongoing"),
    ("lift", "remov", "remove", "removal", "scrap", "drop"),
    ("production", "produce", "output"),
    ("consultation", "consult", "coordinate", "coordination", "coordinat"),
    ("result", "outcome", "benefit", "fruit"),
    ("seen", "visible", "evident", "noticeable"),
    # British and American spellings
    ("center", "centre"), ("organization", "organisation"), ("program", "programme"),
    ("defense", "defence"), ("favor", "favour"), ("labor", "labour"), ("analyze", "analyse"),
    # adjective and noun: "industrial spheres" answers "industry"
    ("industry", "industrial"), ("agriculture", "agricultural"), ("technology", "technological"),
    ("finance", "financial"), ("politics", "political"), ("diplomacy", "diplomatic"),
    ("history", "historical", "historic"), ("strategy", "strategic"),
    ("commerce", "commercial"), ("science", "scientific"), ("culture", "cultural"),
)
EQUIVALENTS: dict[str, str] = {}  # filled below, once _stem exists

# Common verbs, adjectives and adverbs of questions: when the article never uses one, it is
# phrasing ("did the meeting occur", "which speaker voiced doubt"), and weighs less than an
# unknown noun, which is usually the real subject ("the weather", "football", "the editor").
_SOFT_TEXT = """
accept achieve acknowledge act address admit advise affect agree aim allow announce answer
anticipate appear apply approach argue arise arrange assert assess assume attach attempt avoid
become begin believe belong carry cause change characterise characterize choose claim clarify
comment communicate compare complain concern conclude conduct confirm consider contain convene
convey criticise criticize deal decide declare deliver demand deny depend describe deserve
determine develop differ discuss display do doubt emphasise emphasize enable encourage engage
ensure establish estimate evaluate examine exist expect experience explain explore express face
fail feel find focus follow forecast gain give happen highlight hint hold hope identify
illustrate imply include indicate insist intend introduce involve join judge keep know last
lead learn leave let like look maintain make manage matter mean meet mention mind need note
notice obtain occur offer outline participate perceive perform point portray predict prefer
prepare present press prevent proceed produce progress promise propose protect prove provide
pursue put question raise reach react read realise realize receive recognise recognize
recommend record refer reflect regard reject relate rely remain remark remember repeat reply
report represent request require respond result reveal review say see seek seem send serve
share show signal speak stand state stay stress struggle suggest support suppose take talk tell
tend think treat try underline understand urge use value view voice want warn welcome wish
wonder work worry write actual additional basic broad certain clear close common current
different direct due early easy entire exact general given high large late likely low main
major minor new next old overall particular past personal possible potential present previous
recent related relevant serious several short significant similar simple small special specific
strong sure various whole wide ago almost already also always certainly clearly currently
directly especially exactly finally generally largely later likely mainly mostly nearly often
only particularly perhaps personally previously primarily probably quite rather really recently
simply soon specifically still together usually yet
"""
# Chat interjections: dropped before anything reads the question ("who tf is foruzesh").
INTERJECTIONS = frozenset({"lol", "lmao", "rofl", "tf", "wtf", "omg", "btw", "idk", "imo", "imho",
                           "pls", "plz", "um", "uh", "hmm"})

# Question words: not content for statements, but facts ("where was it held") use them.
QUESTION_WORDS = frozenset({"who", "where", "when", "how", "why", "what", "which", "whom"})

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_NON_WORD = re.compile(r"[^\w']+|_+")
_US = re.compile(r"(?<![\w.])(?:U\.?S\.?A?\.?)(?![\w])")  # "US", "U.S.", "USA" in capitals


# Contractions, before the possessive "'s" is dropped: "who's" is "who is", "Iran's" is Iran.
_CONTRACTIONS = (
    (re.compile(r"\b(who|what|where|when|how|why|which|that|it|he|she|there|here)'s\b"),
     r"\1 is"),
    (re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"), (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"), (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"), (re.compile(r"\bi'm\b"), "i am"),
)


def fold(text: str) -> str:
    """Compatibility-normalised, case-folded, Cyrillic transliterated, control characters gone."""
    text = unicodedata.normalize("NFKC", text)
    text = _US.sub(" usa ", text)  # before case folding: "US" the country, not "us" the pronoun
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = text.casefold().translate(_TRANSLIT).translate(_APOSTROPHES)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def words(text: str) -> list[str]:
    """The words of a text, folded, possessives dropped ("Iran's" -> "iran")."""
    out = []
    for raw in _NON_WORD.split(fold(text)):
        token = raw.strip("'").removesuffix("'s").replace("'", "")
        token = CHAT_SPELLINGS.get(token, token)
        if token and token not in INTERJECTIONS:
            out.append(token)
    return out


def stem(word: str) -> str:
    """A light English stemmer: plurals and the commonest verb endings, nothing clever.

    Light on purpose: names ("Velayati", "Lukyanov") must survive untouched, and both the index
    and the question use the same function, so consistency matters more than linguistics.
    """
    if word in EQUIVALENTS:
        return EQUIVALENTS[word]
    base = _stem(word)
    return EQUIVALENTS.get(base, base)


def _stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ied", "y")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    if word.endswith("ly") and len(word) > 5:  # "actively" -> "active"
        return word[:-2]
    if word.endswith("ing") and len(word) > 5:
        base = word[:-3]
        return base[:-1] if len(base) > 2 and base[-1] == base[-2] else base
    if word.endswith("ed") and len(word) > 4:
        base = word[:-2]
        return base[:-1] if len(base) > 2 and base[-1] == base[-2] else base
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Every form of an equivalent word, as typed and as stemmed, to its group's first word.
EQUIVALENTS.update({form: group[0] for group in _EQUIVALENT_GROUPS for word in group
                    for form in (word, _stem(word))})


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS]


SOFT_WORDS = frozenset(stem(w) for w in _SOFT_TEXT.split())
