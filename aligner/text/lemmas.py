"""English forms that the Snowball stemmer cannot bring to their base form.

Irregular verbs (went -> go, taught -> teach), irregular plurals (children -> child) and
irregular comparatives (better -> good), from English grammar, not fitted on any data. The
table once also held King James forms (begat, hath, unto, smote, thee...), added for the
development Bible; they are gone, as nothing but that Bible justified them. Removing them
(together with merging the two English stop-word lists) moved bench/align_quality.py from
mac-dev F1 0.9504 / 0.9616 (without / with translation) and bible-dev 0.9837 to
mac-dev 0.9516 / 0.9631 and bible-dev 0.9833.
"""

from __future__ import annotations

#: lower-case form -> base form
IRREGULAR = {
    "was": "be", "were": "be", "been": "be", "am": "be", "is": "be", "are": "be",
    "had": "have", "has": "have", "went": "go", "gone": "go", "goes": "go", "does": "do",
    "did": "do", "done": "do", "said": "say", "saw": "see",
    "seen": "see", "came": "come", "took": "take", "taken": "take", "made": "make",
    "knew": "know", "known": "know", "thought": "think", "told": "tell", "found": "find",
    "gave": "give", "given": "give", "got": "get", "gotten": "get", "left": "leave",
    "felt": "feel", "kept": "keep", "brought": "bring", "bought": "buy", "began": "begin",
    "begun": "begin", "ran": "run", "sat": "sit", "stood": "stand", "understood": "understand",
    "heard": "hear", "held": "hold", "met": "meet", "paid": "pay", "sent": "send",
    "spent": "spend", "spoke": "speak", "spoken": "speak", "wrote": "write",
    "written": "write", "ate": "eat", "eaten": "eat", "drank": "drink", "drunk": "drink",
    "slept": "sleep", "fell": "fall", "fallen": "fall", "became": "become", "lay": "lie",
    "lain": "lie", "led": "lead", "lost": "lose", "meant": "mean", "rose": "rise",
    "risen": "rise", "sang": "sing", "sung": "sing", "shot": "shoot", "sought": "seek",
    "sold": "sell", "struck": "strike", "taught": "teach", "threw": "throw",
    "thrown": "throw", "wore": "wear", "worn": "wear", "won": "win", "built": "build",
    "caught": "catch", "chose": "choose", "chosen": "choose", "dealt": "deal", "drew": "draw",
    "drawn": "draw", "drove": "drive", "driven": "drive", "fed": "feed", "fought": "fight",
    "fled": "flee", "flew": "fly", "flown": "fly", "forgot": "forget", "forgotten": "forget",
    "froze": "freeze", "frozen": "freeze", "grew": "grow", "grown": "grow", "hid": "hide",
    "hidden": "hide", "hung": "hang", "laid": "lay", "lit": "light", "rode": "ride",
    "ridden": "ride", "rang": "ring", "shook": "shake", "shaken": "shake", "shone": "shine",
    "slew": "slay", "slain": "slay",
    "stole": "steal", "stolen": "steal", "swore": "swear", "sworn": "swear", "woke": "wake",
    "woken": "wake", "bore": "bear", "borne": "bear", "born": "bear",
    "men": "man", "women": "woman",
    "children": "child", "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose",
    "people": "person", "oxen": "ox", "wives": "wife", "lives": "life", "knives": "knife",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad",
}


def base_form(word: str) -> str:
    """The base form of a lower-case English word where stemming cannot find it, else the word."""
    return IRREGULAR.get(word, word)
