"""Model data the engine ships with (see README.md here for where each file comes from)."""

from __future__ import annotations

import functools
import json
from importlib import resources

TOKENIZER = "minilm-tokenizer.json"


@functools.cache
def english_words() -> frozenset[str]:
    """The whole words of the model's WordPiece vocabulary: about 20,000 common English words
    (and some names), lower case. A word among them is a word of the language, not a typo of
    another ("part" is not "party"); a name the model does not know is not among them."""
    data = json.loads(resources.files(__name__).joinpath(TOKENIZER).read_text(encoding="utf-8"))
    return frozenset(w for w in data["model"]["vocab"]
                     if w.isalpha() and w.isascii() and w.islower() and len(w) > 1)
