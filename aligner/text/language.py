"""Which language a text is in, beyond its script: a Latin-script text may be French or German
as easily as English, and a model for English turns those into garbage without a word.

The identifier is py3langid (langid.py's naive Bayes model of 97 languages, shipped inside the
package, no download): a well-kept, tested identifier rather than a word list of our own. Its
model takes a second or more to load, so it is loaded only for a Latin-script text that is
not plainly English.
"""

from __future__ import annotations

import functools
import re

from aligner.text.scripts import LATIN_WORD_RE, count_cjk, count_latin_words, has_cjk

__all__ = ["chinese_script_tag", "not_english"]

# Latin-script languages a translator may be handed by mistake, by name for messages (langid's
# ISO 639-1 codes; any other code is shown as it is).
_LATIN_LANGUAGE_NAMES = {
    "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish", "cs": "Czech",
    "ro": "Romanian", "hu": "Hungarian", "tr": "Turkish", "id": "Indonesian", "vi": "Vietnamese",
    "ca": "Catalan", "la": "Latin", "eo": "Esperanto",
}
_NOT_ENGLISH_MIN_WORDS = 8      # shorter texts are too short to tell (and cheap to check by eye)
_NOT_ENGLISH_MIN_PROB = 0.95    # langid's normalised probability of the other language
_CAPITALISED_RE = re.compile(r"\b[A-Z\u00c0-\u00de][\w'’-]*")
# Words so common in English (a quarter of any English prose) and rare in other languages that
# a text made of 15% of them is English: it is passed without loading the identifier's model
# (a second or more); every other Latin-script text is left to the identifier.
_ENGLISH_COMMON = frozenset("the of and to in is was that for with he it as his on by at from be are "
                            "this which have has had not but".split())
_ENGLISH_SURE_SHARE = 0.15


@functools.lru_cache(maxsize=1)
def _language_identifier():
    # py3langid (langid.py's model, 97 languages, shipped with the package): loaded only when
    # a Latin-script text is about to be taken as English.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def not_english(text: str) -> str | None:
    """The language a Latin-script text is written in when it is clearly not English (its
    name, "French"), else None.

    Names weigh heavily in a short news text (Zhu Zhiqiang, Nanjing...) and are the same in
    every language, so capitalised words are left out before asking the identifier; a text
    with fewer than a few words left is not judged, nor one where the identifier is unsure."""
    sample = text[:20_000]
    if has_cjk(sample) and count_cjk(sample) >= count_latin_words(sample):
        return None  # a Chinese text: not this check's business
    body = _CAPITALISED_RE.sub(" ", sample)
    words = LATIN_WORD_RE.findall(body)
    if len(words) < _NOT_ENGLISH_MIN_WORDS:
        return None
    if sum(w in _ENGLISH_COMMON for w in words) >= _ENGLISH_SURE_SHARE * len(words):
        return None  # plainly English: no need for the model
    code, prob = _language_identifier().classify(body)
    if code == "en" or prob < _NOT_ENGLISH_MIN_PROB:
        return None
    return _LATIN_LANGUAGE_NAMES.get(code, f"to be in the language {code!r}")


#: Frequent characters that exist only in Simplified Chinese (none is among hanzidentifier's
#: Traditional characters: tests/test_model_text.py checks): a text with one of them is not
#: written in Traditional characters.
SIMPLIFIED_ONLY = "这们个说时为来对会过没还发现问题经动实进关点样学开长门见听车东书买马鸟飞风"


def chinese_script_tag(text: str) -> str | None:
    """"zh-Hant" for Chinese written in Traditional characters (a Big5 file, a Taiwan or Hong
    Kong translation), else None (the default zh-CN stands). hanzidentifier knows which
    characters exist only in one of the two scripts (from CC-CEDICT); a text whose characters
    are all Traditional forms is Traditional. The region (zh-TW, zh-HK) cannot be told from the
    script: give it with `export --lang-tag`."""
    if not has_cjk(text):
        return None
    head = text[:200_000]
    if any(c in head for c in SIMPLIFIED_ONLY):
        return None  # not all Traditional: no need to load hanzidentifier's tables (45 ms)
    import hanzidentifier  # only for Chinese texts

    # (identify looks only at which characters occur: given each once, it answers the same)
    chars = "".join(set(head))
    return "zh-Hant" if hanzidentifier.identify(chars) == hanzidentifier.TRADITIONAL else None
