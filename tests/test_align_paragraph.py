"""Paragraph structure as soft evidence (issue 12 / 14): the paragraph signal
(aligner.align.signals.paragraph) through the real aligner and the CLI."""

from __future__ import annotations

from click.testing import CliRunner

import fixture_model
from aligner.align.core import align_sentences
from aligner.cli import main
from aligner.io.bitext_jsonl import read_bitext

# Lengths alone prefer joining A and B (which sit in different paragraphs) against X.
A, B, C = "a" * 26 + ".", "b" * 29 + ".", "c" * 32 + "."
X, Y = "x" * 44 + ".", "y" * 44 + "."
SRC = [A, B, C, "Next one here.", "And another one."]
TGT = [X, Y, "Next one there.", "And another."]


def test_agreeing_paragraph_boundaries_decide_where_lengths_alone_go_wrong():
    without = align_sentences(SRC, TGT, "en", "en", signals=["length"], embedding=False,
                              paragraphs=([0, 1, 1, 2, 2], [0, 1, 2, 2]))
    assert without.pairs()[0] == ([0, 1], [0])  # a bead across the paragraph boundary
    with_ = align_sentences(SRC, TGT, "en", "en", signals=["length", "paragraph"], embedding=False,
                            paragraphs=([0, 1, 1, 2, 2], [0, 1, 2, 2]))
    assert with_.pairs() == [([0], [0]), ([1, 2], [1]), ([3], [2]), ([4], [3])]
    assert with_.info["signals"]["paragraph"]["paragraphs"] == [3, 3]


def test_a_paragraph_structure_that_differs_is_soft_evidence_not_a_wall():
    """"Hi." ends a paragraph of the source that the translation ran into the next one: the
    lengths say the two source sentences are one bead, and the bead is kept across the
    source-only boundary (hard boundaries would have left "Hi." untranslated)."""
    src = ["Hi.", "b" * 40 + ".", "Next one here.", "And another one."]
    tgt = ["x" * 46 + ".", "Next one there.", "And another."]
    got = align_sentences(src, tgt, "en", "en", signals=["length", "paragraph"], embedding=False,
                          paragraphs=([0, 1, 2, 2], [0, 1, 1]))
    assert "paragraph" in got.info["signals"]
    assert got.pairs() == [([0, 1], [0]), ([2], [1]), ([3], [2])]


def test_without_paragraph_marks_the_alignment_is_exactly_what_it_was():
    """One sentence per line (the development data) or no marks: the signal is not used."""
    base = align_sentences(SRC, TGT, "en", "en", embedding=False)
    for paragraphs in (None, (list(range(5)), list(range(4))), ([0] * 5, [0] * 4)):
        got = align_sentences(SRC, TGT, "en", "en", embedding=False, paragraphs=paragraphs)
        assert got.pairs() == base.pairs() and "paragraph" not in got.info["signals"]
        assert [b.score for b in got.beads] == [b.score for b in base.beads]


def test_cli_align_of_texts_with_blank_line_paragraphs_uses_them(tmp_path):
    out = tmp_path / "a.en-zh.jsonl"
    r = CliRunner().invoke(main, ["align", str(fixture_model.REPO_CORPUS / "article.en.txt"),
                                  str(fixture_model.REPO_CORPUS / "article.zh.txt"), "-o", str(out),
                                  "--no-embedding", "-q"])
    assert r.exit_code == 0, r.output
    bitext = read_bitext(out)
    info = bitext.meta["aligner"]["signals"]["paragraph"]
    assert info["paragraphs"][0] > 1 and info["paragraphs"][0] == info["paragraphs"][1]
    for bead in bitext.beads:  # the article's paragraphs agree: no bead crosses one
        if bead.src and bead.tgt:
            assert len({bitext.source.segments[i].paragraph for i in bead.src}) == 1
            assert len({bitext.target.segments[i].paragraph for i in bead.tgt}) == 1
