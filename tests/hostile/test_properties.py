"""Properties over generated documents, bitexts and glossaries (hypothesis):

- segmentation keeps the text: segments are ordered, disjoint, trimmed spans of the text,
  and every letter of the text is inside one (only Markdown markers and blank space are
  between segments), whatever the scripts, punctuation, line lengths and line ends;
- alignment covers every sentence of both sides exactly once, in order (monotone);
- every export format parses back to the same segments;
- `glossary check` never reports a violation on a bitext made by enforced translation,
  except for the terms enforcement itself reported as failed.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fixture_model
from aligner.errors import InputError
from aligner.io.bitext_jsonl import loads_bitext, dumps_bitext
from aligner.model import Bead, Bitext, Document
from aligner.segment import segment

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- strategies

_EN_WORDS = st.text(alphabet=string.ascii_letters + "éü'", min_size=1, max_size=10)
_ZH_WORDS = st.text(alphabet="朱志强顾晓华南京江苏干部党员军区中国共产的了是在他说", min_size=1, max_size=6)
_PUNCT = st.sampled_from([".", "!", "?", ",", ";", ":", "...", "…", "。", "！", "？", "，", "；", "：",
                          "“", "”", "\"", "'", "(", ")", "（", "）", "《", "》", "—", " - ", "Mr.", "U.S.",
                          "3.5", "e.g.", "\u3000", "\t", "\u00a0", "\x07", "\x1b"])
_TOKEN = st.one_of(_EN_WORDS, _ZH_WORDS, _PUNCT, st.just(" "), st.just(" "), st.just(" "))
_MARKER = st.sampled_from(["", "", "", "# ", "## ", "- ", "* ", "1. ", "2) ", "---", "  "])
_LINE = st.builds(lambda m, toks: m + "".join(toks), _MARKER, st.lists(_TOKEN, max_size=25))
_LONG_LINE = st.builds(lambda w, n: (w + " ") * n, _EN_WORDS, st.integers(200, 2000))
_NEWLINE = st.sampled_from(["\n", "\n", "\n", "\r\n", "\n\n"])


@st.composite
def documents(draw) -> str:
    """Text as decoded files give it (line ends normalised): mixed scripts, odd punctuation,
    Markdown markers, empty and very long lines."""
    lines = draw(st.lists(st.one_of(_LINE, _LINE, _LINE, st.just(""), _LONG_LINE), max_size=12))
    seps = draw(st.lists(_NEWLINE, min_size=len(lines), max_size=len(lines)))
    text = "".join(line + sep for line, sep in zip(lines, seps))
    return text.replace("\r\n", "\n")


# --------------------------------------------------------------------------- segmentation

@SETTINGS
@given(text=documents(), lang=st.sampled_from(["en", "zh"]), presplit=st.booleans())
def test_segmentation_keeps_every_letter_once(text, lang, presplit):
    doc = segment(Document(lang, text), presplit=presplit)
    covered = [False] * len(text)
    last = 0
    for i, seg in enumerate(doc.segments):
        assert seg.id == i
        assert last <= seg.start < seg.end <= len(text), "segments are ordered and disjoint"
        assert seg.text == text[seg.start:seg.end]
        assert seg.text == seg.text.strip() and seg.text, "trimmed, never empty"
        for k in range(seg.start, seg.end):
            covered[k] = True
        last = seg.end
    for k, ch in enumerate(text):
        if ch.isalpha():
            assert covered[k], f"{ch!r} at {k} is in no segment: {text!r}"
    # Paragraph numbers never go back, and the bitext file keeps the document exactly.
    paragraphs = [s.paragraph for s in doc.segments]
    assert paragraphs == sorted(paragraphs)
    if doc.segments:
        back = loads_bitext(dumps_bitext(Bitext(doc, doc, [Bead([i], [i]) for i in range(len(doc.segments))])))
        assert back.source.text == text
        assert [(s.start, s.end, s.paragraph) for s in back.source.segments] == \
            [(s.start, s.end, s.paragraph) for s in doc.segments]


# --------------------------------------------------------------------------- alignment

_SENTENCE_EN = st.lists(_EN_WORDS, min_size=1, max_size=12).map(lambda ws: " ".join(ws) + ".")
_SENTENCE_ZH = st.lists(_ZH_WORDS, min_size=1, max_size=8).map(lambda ws: "".join(ws) + "。")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=st.lists(_SENTENCE_EN, max_size=14), tgt=st.lists(_SENTENCE_ZH, max_size=14))
def test_alignment_covers_every_sentence_once_in_order(src, tgt):
    core = pytest.importorskip("aligner.align.core")
    assume(src or tgt)
    alignment = core.align_sentences(src, tgt, "en", "zh")
    beads = alignment.pairs()
    assert all(s or t for s, t in beads), "no empty bead"
    assert [i for s, _ in beads for i in s] == list(range(len(src)))
    assert [j for _, t in beads for j in t] == list(range(len(tgt)))


# --------------------------------------------------------------------------- exports

# Any character (not unpaired surrogates, which no file can hold). Spreadsheet formats carry
# text as it is: a control character other than tab and line feed is left out there, as a
# line end inside a cell is read back as \n (and a TSV/CSV full of control characters is
# refused as binary on import, as it should be).
_ANY = st.characters(blacklist_categories=("Cs",))
_SHEET = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n")


def _texts(alphabet):
    return st.text(alphabet, min_size=1, max_size=40).map(str.strip).filter(bool)


@st.composite
def bitexts(draw, alphabet=_ANY) -> Bitext:
    text = _texts(alphabet)
    pairs = draw(st.lists(st.tuples(text, st.one_of(text, st.just(""))), min_size=1, max_size=8))
    src = Document.from_sentences("en", [s for s, _ in pairs], path="generated.en.txt")
    tgt = Document.from_sentences("zh", [t for _, t in pairs if t], path="generated.zh.txt")
    beads, j = [], 0
    for i, (_, t) in enumerate(pairs):
        beads.append(Bead([i], [j] if t else [], score=draw(st.one_of(st.none(), st.floats(0, 1))),
                          origin="aligned", id=i))
        j += bool(t)
    return Bitext(src, tgt, beads)


@SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("fmt", ["tmx", "xliff", "tsv", "csv", "jsonl"])
def test_every_export_parses_back_to_the_same_segments(fmt, data):
    from aligner.export import export_bitexts
    from aligner.io.bitext_jsonl import read_bitext
    from aligner.io.tm_import import import_tm

    bitext = data.draw(bitexts(_SHEET if fmt in ("tsv", "csv") else _ANY))
    # A TMX holds translations: beads with an empty side are no units (issue 11).
    want = [(s, t) for b, s, t in bitext.pairs() if fmt != "tmx" or (b.src and b.tgt)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out.{fmt}"
        export_bitexts([bitext], fmt, path)
        if not want:  # nothing but untranslated sentences: a TMX without units, refused as such
            with pytest.raises(InputError, match="TMX holds no translation units"):
                import_tm(path, fmt=fmt, src_lang="en", tgt_lang="zh")
            return
        back = read_bitext(path) if fmt == "jsonl" else import_tm(path, fmt=fmt, src_lang="en", tgt_lang="zh")
    got = [(s, t) for _, s, t in back.pairs()]
    assert got == want


# --------------------------------------------------------------------------- glossary enforcement

def _vocabulary():
    table = fixture_model.piece_table("en-zh")
    en = sorted({p[1:] for p in table if p.startswith("\u2581") and p[1:].isalpha() and p[1:].islower()
                 and len(p) > 3})
    zh = sorted({v for v in table.values() if v and all("\u4e00" <= c <= "\u9fff" for c in v)})
    return en, zh


_EN_VOCAB, _ZH_VOCAB = _vocabulary()


@st.composite
def glossary_and_sentences(draw):
    terms = draw(st.lists(st.sampled_from(_EN_VOCAB), min_size=1, max_size=4, unique=True))
    renderings = draw(st.lists(st.sampled_from(_ZH_VOCAB), min_size=len(terms), max_size=len(terms),
                               unique=True))
    words = st.one_of(st.sampled_from(_EN_VOCAB), st.sampled_from(terms))
    sentences = draw(st.lists(st.lists(words, min_size=2, max_size=10)
                              .map(lambda ws: (" ".join(ws) + ".").capitalize()), min_size=1, max_size=4))
    return list(zip(terms, renderings)), sentences


@pytest.fixture(scope="module")
def engine(fixture_packages):
    from aligner.translate import Engine

    root = {p.parent for p in fixture_packages.values()}.pop()
    return Engine.load("en", "zh", beam_size=1, packages_dir=root)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=glossary_and_sentences())
def test_check_agrees_with_enforced_translation(engine, data):
    from aligner.glossary import load_glossaries
    from aligner.glossary.check import check_bitext
    from aligner.translate.pipeline import translate_documents

    rows, sentences = data
    # A term whose rendering is inside another term's rendering, or the other way round,
    # cannot be checked independently; such glossaries are a lint error, not this property.
    assume(not any(a != b and (a in b) for _, a in rows for _, b in rows))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.tsv"
        path.write_text("source\ttarget\n" + "".join(f"{s}\t{t}\n" for s, t in rows), encoding="utf-8")
        glossary = load_glossaries([path])
        doc = segment(Document("en", "\n".join(sentences) + "\n"), presplit=True)
        bitext = translate_documents(engine, [doc], "zh", glossary=glossary)[0]
        report = check_bitext(bitext, glossary)
    for v in report.violations:
        terms = bitext.beads[v.bead].meta.get("terms") or []
        assert any(t.get("source") == v.source and t.get("status") == "failed" for t in terms), \
            f"check reports {v.describe()}, enforcement said {terms}"
