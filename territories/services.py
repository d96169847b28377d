"""Territory services: search helpers over the reference geography."""

import re
import unicodedata

# Letters that Unicode decomposition leaves whole (Œuilly, Bonnœil).
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Abbreviations people type for the saints most commune names start with.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize_commune_name(text: str) -> str:
    """Return the search form of a commune name, as stored in ``Commune.search_name``.

    Lowercase, accents and ligatures removed, every run of hyphens, apostrophes,
    punctuation or spaces turned into a single space, and the abbreviations
    St/Ste/Sts/Stes expanded, so that what a user types and the official name meet:

    >>> normalize_commune_name("Ste-Anne-d'Auray")
    'sainte anne d auray'
    >>> normalize_commune_name("L'Haÿ-les-Roses")
    'l hay les roses'
    """
    text = text.lower().translate(_LIGATURES)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    words = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
