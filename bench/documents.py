#!/usr/bin/env python3
"""Documents: what reading, translating and writing a DOCX costs over the same text as .txt,
and how many inline codes land in the right sentence around the right words (printed).

Builds a DOCX of about 50 pages: the corpus article (corpus/article.en.txt) and MAC-style
novel paragraphs (four lines of /work/shared/data/mac-dev/NNN.en each, lines of at most
120 characters, which the fixture model takes whole) repeated, with formatting in one
sentence of three (two words in bold, italic, or a hyperlink, in turn). The same
paragraphs go into a .txt. Both are translated with the fixture en->zh model
(tests/fixture_model.py; real CTranslate2, beam search, attention):

  txt   read_document (aligner.io.text) -> translate_documents -> write text + bitext
  docx  DOCX read_document -> translate_rich (attention, placement) -> write DOCX + bitext

The document overhead is what the DOCX run does beyond the text run -- reading the package,
placing the inline codes, writing it back -- as a share of the run; the engine's own time
is printed apart (with attention against without), since on shared cores it varies from run
to run by more than the whole document work.

The fixture model is tiny, so translation is far faster than with an Argos model: the
document overhead printed here is the worst case (with a real model the same overhead is
a much smaller share of the run). Placement: the translated DOCX is read back, and each
formatted span must be in the translation of its own sentence and hold exactly the fixture
model's rendering of its source words (the model is word for word). Goals: overhead under
10% of the run, placement 100%.

argos-translate-files is not compared: it installs without torch or stanza (it needs
beautifulsoup4 4.9.3, pysrt, PyMuPDF and argos-translate-lt), but argos-translate-lt splits
sentences with MiniSBD, whose model it downloads on first use, so it cannot run offline
with a package (like the fixture's) that does not bundle one.

    python3 bench/documents.py                 # 50 pages
    python3 bench/documents.py --pages 10
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
MAC = REPO.parent / "shared" / "data" / "mac-dev"
WORDS_PER_PAGE = 500

import fixture_model  # noqa: E402

from aligner.formats import get_format  # noqa: E402
from aligner.io.bitext_jsonl import write_bitext  # noqa: E402
from aligner.io.atomic import atomic_write_text  # noqa: E402
from aligner.io.text import read_document  # noqa: E402
from aligner.segment import split_sentences  # noqa: E402
from aligner.translate.documents import translate_rich  # noqa: E402
from aligner.translate.engine import Engine  # noqa: E402
from aligner.translate.pipeline import translate_documents  # noqa: E402


def source_paragraphs(pages: int) -> list[str]:
    article = (REPO / "corpus" / "article.en.txt").read_text(encoding="utf-8")
    pool = [p.strip().replace("\n", " ") for p in article.split("\n\n") if p.strip()]
    if MAC.is_dir():
        for f in sorted(MAC.glob("*.en")):
            lines = [ln.strip() for ln in f.read_text(encoding="utf-8").split("\n")
                     if ln.strip() and len(ln) <= 120]
            pool += [" ".join(lines[i:i + 4]) for i in range(0, min(len(lines), 200), 4)]
    out, words = [], 0
    i = 0
    while words < pages * WORDS_PER_PAGE:
        p = pool[i % len(pool)]
        out.append(p)
        words += len(p.split())
        i += 1
    return out


def build_docx(paragraphs: list[str], path: Path) -> list[tuple[int, int, str, str, tuple[str, int, int]]]:
    """The DOCX; returns (paragraph, sentence, kind, source words, (sentence text, start, end))
    for each formatted span."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    spans = []
    n = 0
    for k, text in enumerate(paragraphs):
        p = d.add_paragraph()
        pos = 0
        for j, (a, b) in enumerate(split_sentences(text, "en")):
            sentence = text[a:b]
            words = list(re.finditer(r"[A-Za-z]+", sentence))
            p.add_run(text[pos:a])
            pos = b
            if n % 3 == 0 and len(words) >= 4:
                w0, w1 = words[len(words) // 2 - 1], words[len(words) // 2]
                s0, s1 = w0.start(), w1.end()
                kind = ("bold", "italic", "link")[(n // 3) % 3]
                p.add_run(sentence[:s0])
                if kind == "link":
                    rid = d.part.relate_to("http://example.com/x", RT.HYPERLINK, is_external=True)
                    link = OxmlElement("w:hyperlink")
                    link.set(qn("r:id"), rid)
                    r = OxmlElement("w:r")
                    t = OxmlElement("w:t")
                    t.text = sentence[s0:s1]
                    t.set(qn("xml:space"), "preserve")
                    r.append(t)
                    link.append(r)
                    p._p.append(link)
                else:
                    run = p.add_run(sentence[s0:s1])
                    setattr(run, kind, True)
                p.add_run(sentence[s1:])
                spans.append((k, j, kind, sentence[s0:s1], (sentence, s0, s1)))
            else:
                p.add_run(sentence)
            n += 1
        p.add_run(text[pos:])
    d.save(str(path))
    return spans


def context_reference(sp_model: Path):
    """What the word-for-word fixture model renders a span as, from the pieces the span has
    inside its sentence: sentencepiece may cut a word differently by its context when two cuts
    score the same ("father and" -> f|at|he|r, "father," -> f|a|the|r), and the model
    translates the pieces it was given."""
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_file=str(sp_model))
    table = fixture_model.piece_table("en-zh")

    def ref(words: str, context: tuple[str, int, int]) -> str:
        # The pieces' own offsets are unreliable in this model (normalisation shifts them), so
        # the span is found in the pieces joined back: " " + the sentence, one space per word.
        sentence, s0, s1 = context
        chosen, pos = [], 0
        for piece in proc.encode(sentence, out_type=str):
            text = piece.replace("\u2581", " ")
            lead = len(text) - len(text.lstrip(" "))
            start, end = pos + lead, pos + len(text)  # the piece's characters but its space
            if (start < s1 + 1 and end > s0 + 1) or (start == end and s0 + 1 <= pos < s1 + 1):
                chosen.append(piece)
            pos += len(text)
        return "".join(table.get(p, p) for p in chosen).replace("\u2581", " ").strip()

    return ref


def placement(out_docx: Path, bitext, spans, ref) -> tuple[int, int, int]:
    """(in the right sentence, around the right words, total) over the formatted spans."""
    from lxml import etree
    import zipfile

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = etree.fromstring(zipfile.ZipFile(out_docx).read("word/document.xml"))
    paras = [p for p in body.iter(W + "p")]
    # the target sentences of each paragraph, from the bitext
    by_para: dict[int, list[str]] = {}
    for seg in bitext.target.segments:
        by_para.setdefault(seg.paragraph, []).append(seg.text)
    right_sentence = right_words = 0
    wanted: dict[int, list[tuple[int, str, str]]] = {}
    for k, j, kind, words, context in spans:
        wanted.setdefault(k, []).append((j, kind, words, context))
    for k, items in wanted.items():
        p = paras[k]
        found = []  # (offset, kind, text) of formatted stretches in the output paragraph
        pos = 0
        for el in p:
            if el.tag == W + "hyperlink":
                text = "".join(t.text or "" for t in el.iter(W + "t"))
                found.append((pos, "link", text))
                pos += len(text)
            elif el.tag == W + "r":
                text = "".join(t.text or "" for t in el.iter(W + "t"))
                rpr = el.find(W + "rPr")
                kind = None
                if rpr is not None and rpr.find(W + "b") is not None:
                    kind = "bold"
                elif rpr is not None and rpr.find(W + "i") is not None:
                    kind = "italic"
                if kind:
                    found.append((pos, kind, text))
                pos += len(text)
        bounds, acc = [], 0
        for t in by_para.get(k, []):
            bounds.append((acc, acc + len(t)))
            acc += len(t)
        for (j, kind, words, context), got in zip(items, found):
            off, gkind, text = got
            if gkind != kind:
                continue
            s = next((i for i, (a, b) in enumerate(bounds) if a <= off < b), None)
            if s == j:
                right_sentence += 1
                if text == ref(words, context):
                    right_words += 1
                else:
                    MISSES.append((kind, words, ref(words, context), text))
    return right_sentence, right_words, len(spans)


MISSES: list[tuple[str, str, str, str]] = []  # (kind, source words, wanted, got): printed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pkg = fixture_model.build_package("en-zh", tmp / "pkg")
        engine = Engine.load("en", "zh", packages_dir=tmp / "pkg", threads=args.threads)
        sp = pkg / "sentencepiece.model"
        ref = context_reference(sp)
        paragraphs = source_paragraphs(args.pages)
        src_docx = tmp / "book.en.docx"
        spans = build_docx(paragraphs, src_docx)
        src_txt = tmp / "book.en.txt"
        src_txt.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        engine.translate(["warm up the model."])

        t0 = time.perf_counter()
        doc = read_document(src_txt, "en")
        t1 = time.perf_counter()
        [bt] = translate_documents(engine, [doc], "zh")
        t2 = time.perf_counter()
        atomic_write_text(tmp / "book.zh.txt", bt.target.text)
        write_bitext(bt, tmp / "book.txt.en-zh.jsonl")
        t3 = time.perf_counter()
        txt = (t1 - t0, t2 - t1, t3 - t2)

        fmt = get_format("docx")
        spent = [0.0]
        engine_translate = engine.translate

        def timed(*a, **k):  # the engine's share of translate_rich
            t = time.perf_counter()
            try:
                return engine_translate(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t
        engine.translate = timed
        t0 = time.perf_counter()
        rdoc = fmt.read_document(src_docx, lang="en")
        t1 = time.perf_counter()
        rbt, translations = translate_rich(engine, rdoc, "zh")
        t2 = time.perf_counter()
        fmt.write_document(rdoc, translations, tmp / "book.zh.docx", tgt_lang="zh")
        write_bitext(rbt, tmp / "book.docx.en-zh.jsonl")
        t3 = time.perf_counter()
        engine.translate = engine_translate
        dx = (t1 - t0, spent[0], (t2 - t1 - spent[0]) + (t3 - t2))  # read, engine, place + write

        sentence, words, total = placement(tmp / "book.zh.docx", rbt, spans, ref)
        words_n = sum(len(p.split()) for p in paragraphs)
        print(f"document: {len(paragraphs)} paragraphs, {words_n} words (~{words_n // WORDS_PER_PAGE} pages), "
              f"{len(doc.segments)} sentences (txt) / {len(rdoc.segments)} (docx), {total} formatted spans")
        print(f"{'':6} {'read':>8} {'translate':>10} {'place+write':>12} {'total':>8}")
        for name, t in (("txt", txt), ("docx", dx)):
            print(f"{name:6} {t[0]:8.2f} {t[1]:10.2f} {t[2]:12.2f} {sum(t):8.2f}  s")
        # The engine translates the same sentences in both runs (the docx run with attention);
        # on shared cores its time varies from run to run far more than the document work, so
        # the overhead is the document work itself, against the text run.
        overhead = (dx[0] + dx[2]) - (txt[0] + txt[2])
        run = sum(txt) + overhead
        print(f"document overhead (reading, placing codes, writing the DOCX, beyond the .txt run's): "
              f"{overhead:.2f} s = {overhead / run:.1%} of the run (goal < 10%)")
        print(f"engine time with attention / without: {dx[1] / txt[1]:.2f}x (same sentences; noisy on shared cores)")
        print(f"inline codes in the right sentence: {sentence}/{total} = {sentence / total:.1%}; "
              f"around the right words: {words}/{total} = {words / total:.1%} (goal 100%)")
        for kind, src, want, got in MISSES[:10]:
            print(f"  not around the right words: {kind} {src!r}: wanted {want!r}, got {got!r}")


if __name__ == "__main__":
    main()
