"""aligner.model.TextBuilder: the one builder of text plus segment offsets, used by
Document.from_sentences, translate's rebuild and merged documents."""

from __future__ import annotations

from aligner.model import Document, TextBuilder
from aligner.translate.pipeline import rebuild


def spans(doc: Document) -> list[tuple[str, int]]:
    """Each segment's text as its offsets cut it from the document, and its paragraph."""
    return [(doc.text[s.start:s.end], s.paragraph) for s in doc.segments]


def test_from_sentences_offsets():
    doc = Document.from_sentences("en", ["One.", "", "Three, four."], path="x.tsv", separator=" | ")
    assert doc.text == "One. |  | Three, four." and doc.path == "x.tsv"
    assert spans(doc) == [("One.", 0), ("", 1), ("Three, four.", 2)]
    assert [s.id for s in doc.segments] == [0, 1, 2] and [s.text for s in doc.segments] == ["One.", "", "Three, four."]
    assert Document.from_sentences("zh", []).text == ""


def test_add_document_moves_segments_and_paragraphs():
    a = Document.from_sentences("en", ["A.", "B."])
    b = Document.from_sentences("en", ["C."])
    text = TextBuilder()
    text.add_document(a)
    text.add("\n\n")
    assert text.segment_count == 2 and text.last_paragraph == 1
    text.add_document(b, paragraph_offset=text.last_paragraph + 1)
    merged = text.document("en")
    assert merged.text == "A.\nB.\n\nC."
    assert spans(merged) == [("A.", 0), ("B.", 1), ("C.", 2)]
    assert [s.id for s in merged.segments] == [0, 1, 2]


def test_rebuild_keeps_the_text_between_segments():
    doc = Document(lang="en", text="# Title\n\nOne two.  Three four.\n- item.\n")
    for start, end, para in ((2, 7, 0), (9, 17, 1), (19, 30, 1), (33, 38, 2)):
        doc.add_segment(start, end, para)
    out = rebuild(doc, ["标题", "一二。", "三四。", "项。"], "zh", path="t.zh.txt")
    assert out.text == "# 标题\n\n一二。三四。\n- 项。\n"  # one paragraph's sentences joined without a space
    assert spans(out) == [("标题", 0), ("一二。", 1), ("三四。", 1), ("项。", 2)]
    assert out.path == "t.zh.txt" and out.lang == "zh"
