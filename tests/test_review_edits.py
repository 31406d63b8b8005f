"""The review editor as a library: edits, undo/redo, re-alignment from fixes, saving."""

from __future__ import annotations

import json

import pytest

from aligner.glossary import Glossary, Term
from aligner.glossary.check import check_bitext
from aligner.io.bitext_jsonl import read_bitext, write_bitext
from aligner.align.signals.embedding import ENCODE_ALL_SENTENCES
from aligner.model import Bead, Bitext, Document
from aligner.review.edits import REALIGN_WINDOW, EditError, Editor, SaveRefused, changed_range
from test_export_support import corpus_bitext, make_bitext


def pairs(ed: Editor) -> list[tuple[list[int], list[int]]]:
    return [(b.src, b.tgt) for b in ed.beads]


def shifted(bt: Bitext, at: int = 5, until: int = 10) -> Bitext:
    """One wrong bead (bead `at` takes the first target sentence of the next bead too) and the
    beads after it wrong as a consequence, each taking its neighbour's first sentence, until
    bead `until` (left one sentence short)."""
    run = bt.beads[at:until + 1]
    tgt = [j for b in run for j in b.tgt]
    counts = [len(b.tgt) for b in run]
    counts[0] += 1
    counts[-1] -= 1
    assert counts[-1] >= 0
    beads, pos = list(bt.beads[:at]), 0
    for b, c in zip(run, counts):
        beads.append(Bead(src=b.src, tgt=tgt[pos:pos + c], score=0.6, id=b.id))
        pos += c
    beads += bt.beads[until + 1:]
    return Bitext(bt.source, bt.target, beads, bt.meta)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "article.en-zh.jsonl"
    write_bitext(corpus_bitext(), path)
    return path


@pytest.fixture
def plain(tmp_path):
    """Twenty 1-1 beads."""
    path = tmp_path / "plain.jsonl"
    write_bitext(make_bitext([(f"Sentence {k}.", f"第{k}句。") for k in range(20)]), path)
    return path


def test_merge_split_move_and_undo_redo(plain):
    ed = Editor.open(plain)
    gold = pairs(ed)
    ed.merge(2)
    assert pairs(ed)[2] == ([2, 3], [2, 3]) and len(ed.beads) == len(gold) - 1
    assert ed.beads[2].meta["review"] == "fixed" and ed.beads[2].score == 1.0
    ed.merge(2, "prev")
    assert pairs(ed)[1] == ([1, 2, 3], [1, 2, 3])
    ed.split(1, src_at=1, tgt_at=2)
    assert pairs(ed)[1:3] == [([1], [1, 2]), ([2, 3], [3])]
    ed.move(1, "tgt", "next")
    assert pairs(ed)[1:3] == [([1], [1]), ([2, 3], [2, 3])]
    assert ed.beads[1].meta["review"] == "fixed"
    ed.move(2, "src", "prev")
    assert pairs(ed)[1:3] == [([1, 2], [1]), ([3], [2, 3])]
    ed.move(10, "tgt", "next")
    assert ed.beads[10].meta["review"] == "fixed"
    assert "review" not in ed.beads[11].meta and ed.beads[11].score is None  # it only changed
    with pytest.raises(EditError, match="no previous bead"):
        ed.move(0, "src", "prev")
    with pytest.raises(EditError, match="empty bead"):
        ed.split(0, 0, 0)
    with pytest.raises(EditError, match="no next bead"):
        ed.merge(len(ed.beads) - 1)
    for _ in range(6):
        ed.undo()
    assert pairs(ed) == gold and not ed.dirty and not ed.can_undo
    with pytest.raises(EditError, match="nothing to undo"):
        ed.undo()
    ed.redo()
    assert pairs(ed)[2] == ([2, 3], [2, 3]) and ed.dirty
    ed.merge(0)  # a new edit drops what could be redone
    assert not ed.can_redo


def test_moving_the_only_sentence_removes_the_empty_bead():
    ed = Editor(make_bitext([("A.", "甲。"), ("B.", None), (None, "乙。")]))
    ed.move(1, "src", "next")
    assert pairs(ed) == [([0], [0]), ([1], [1])]


def test_changed_range_names_the_beads_that_are_new_objects(saved):
    ed = Editor.open(saved)
    before = list(ed.beads)
    ed.merge(4)
    assert changed_range(before, ed.beads) == (4, 6, 5)


def test_approve_reject_and_clear(saved):
    ed = Editor.open(saved)
    ed.bitext.beads[3] = Bead(src=[3], tgt=[3], score=0.42, id=3)
    ed.set_review(3, "approved")
    assert ed.beads[3].score == 1.0 and ed.beads[3].meta == {"review": "approved", "aligner_score": 0.42}
    ed.set_review(3, "rejected")
    assert ed.beads[3].score == 0.42 and ed.beads[3].meta == {"review": "rejected"}
    ed.set_review(3, None)
    assert ed.beads[3].meta == {}
    with pytest.raises(EditError, match="approved or rejected"):
        ed.set_review(3, "maybe")


def test_edit_target_changes_the_document_and_is_exported(saved, tmp_path):
    ed = Editor.open(saved)
    k = 2
    assert len(ed.beads[k].tgt) == 1
    old4 = ed.bitext.tgt_text(ed.beads[k + 1])
    old_text = ed.bitext.target.text
    ed.edit_target(k, ["干部朱志强退党。"])
    bead = ed.beads[k]
    assert bead.origin == "edited" and bead.meta["original_origin"] == "gold"
    assert bead.meta["original_target"] != "干部朱志强退党。"
    ed.save()
    back = read_bitext(saved)
    assert back.tgt_text(back.beads[k]) == "干部朱志强退党。"
    assert back.tgt_text(back.beads[k + 1]) == old4  # later offsets moved with the edit
    for seg in back.target.segments:
        assert back.target.text[seg.start:seg.end] == seg.text
    # the document text changed only where the segment was
    a = back.target.segments[back.beads[k].tgt[0]]
    assert back.target.text[:a.start] == old_text[:a.start]
    assert back.target.text[a.end:] == old_text[len(old_text) - len(back.target.text) + a.end:]
    # the export (and the glossary check) read the edited text
    from aligner.export import export_bitexts
    out = tmp_path / "a.tsv"
    export_bitexts([back], "tsv", out)
    assert "干部朱志强退党。" in out.read_text(encoding="utf-8")
    with pytest.raises(EditError, match="2 target sentences"):
        _two_target_bead().edit_target(0, ["x"])
    with pytest.raises(EditError, match="cannot be empty"):
        ed.edit_target(0, ["  "])
    with pytest.raises(EditError, match="cannot be saved"):
        ed.edit_target(0, ["\ud800 lone surrogate"])
    with pytest.raises(EditError, match="at most"):
        ed.edit_target(0, ["字" * 20_001])


def _two_target_bead() -> Editor:
    ed = Editor(make_bitext([("A.", "甲。"), (None, "乙。")]))
    ed.merge(0)
    return ed


def test_edit_target_of_an_untranslated_bead_inserts_a_sentence():
    bt = make_bitext([("A.", "甲。"), ("B.", None), ("C.", "丙。")], origins={1: "mt"})
    ed = Editor(bt)
    ed.edit_target(1, ["乙。"])
    assert pairs(ed) == [([0], [0]), ([1], [1]), ([2], [2])]
    assert [ed.bitext.tgt_text(b) for b in ed.beads] == ["甲。", "乙。", "丙。"]
    assert ed.bitext.target.text == "甲。\n乙。\n丙。"
    assert ed.beads[1].meta["original_target"] == "" and ed.beads[1].meta["original_origin"] == "mt"
    ed.undo()
    assert ed.bitext.target.text == "甲。\n丙。" and pairs(ed)[2] == ([2], [1])


def test_realign_repairs_the_beads_that_followed_a_wrong_one(saved):
    ed = Editor.open(saved)
    gold = pairs(ed)
    ed.bitext.beads = shifted(ed.bitext).beads
    assert pairs(ed)[6:11] != gold[6:11]
    ed.move(5, "tgt", "next")  # bead 5 is right now; 6-10 are still shifted
    assert pairs(ed)[5] == gold[5] and pairs(ed)[6] != gold[6]
    wrong6 = pairs(ed)[6]
    result = ed.realign()
    assert pairs(ed) == gold
    assert result["changed"] == 5
    assert ed.beads[5].meta["review"] == "fixed"  # the anchor stays as the person left it
    assert all(ed.beads[k].meta.get("realigned") for k in range(6, 11))
    assert ed.beads[0] is not None and "realigned" not in ed.beads[12].meta  # untouched beads kept
    with pytest.raises(EditError, match="nothing to re-align"):
        ed.realign()
    # a short text is encoded whole (as the aligner does): each sentence once, kept
    encoded = ed.vectors.encoded
    assert 0 < encoded == len(ed.vectors) <= len(ed.bitext.source.segments) + len(ed.bitext.target.segments)
    ed.undo()
    assert pairs(ed)[6] == wrong6
    ed.realign()
    assert pairs(ed) == gold and ed.vectors.encoded == encoded


def test_realign_in_a_window_keeps_the_far_beads(saved):
    """With a small window, only the beads near the fix are re-aligned, and the window grows
    until the new alignment rejoins the old one."""
    ed = Editor.open(saved)
    gold = pairs(ed)
    ed.bitext.beads = shifted(ed.bitext).beads
    ed.move(5, "tgt", "next")
    far = ed.beads[18]
    ed.realign(window=3)
    assert pairs(ed) == gold
    assert ed.beads[18] is far


def long_corpus_bitext(copies: int = 70) -> Bitext:
    """The corpus article `copies` times over, each copy's sentences numbered (so that no two
    sentences are the same): over 3,000 sentences, a text the aligner encodes only where it is
    uncertain."""
    one = corpus_bitext()
    src, tgt, beads = [], [], []
    for r in range(copies):
        i0, j0 = len(src), len(tgt)
        src += [f"{seg.text} ({r + 1})" for seg in one.source.segments]
        tgt += [f"{seg.text}（{r + 1}）" for seg in one.target.segments]
        beads += [Bead(src=[i0 + i for i in b.src], tgt=[j0 + j for j in b.tgt], origin="aligned", id=len(beads))
                  for b in one.beads]
    return Bitext(Document.from_sentences("en", src), Document.from_sentences("zh", tgt), beads)


def test_realign_in_a_long_bitext_encodes_only_sentences_near_the_fix_and_each_once(tmp_path):
    path = tmp_path / "long.jsonl"
    bt = long_corpus_bitext()
    assert len(bt.source.segments) + len(bt.target.segments) > ENCODE_ALL_SENTENCES
    write_bitext(bt, path)
    ed = Editor.open(path)
    gold = pairs(ed)
    at = 35 * 20 + 5  # bead 6 of the 36th copy, in the middle
    ed.bitext.beads = shifted(ed.bitext, at, at + 5).beads
    ed.move(at, "tgt", "next")
    ed.realign()
    assert pairs(ed) == gold
    encoded = ed.vectors.encoded
    # only sentences of the windows next to the fix were encoded (none, if the aligner is sure
    # there without the encoder), each once
    near = range(at - 4 * REALIGN_WINDOW, at + 4 * REALIGN_WINDOW)
    far = [ed.bitext.source.segments[i].text for k, b in enumerate(ed.beads) if k not in near for i in b.src]
    far += [ed.bitext.target.segments[j].text for k, b in enumerate(ed.beads) if k not in near for j in b.tgt]
    assert encoded == len(ed.vectors) and not any(t in ed.vectors for t in far)
    ed.undo()
    ed.realign()  # again: the vectors are kept, nothing is encoded twice
    assert pairs(ed) == gold and ed.vectors.encoded == encoded


def test_save_keeps_a_backup_and_refuses_a_changed_file(saved):
    original = saved.read_bytes()
    ed = Editor.open(saved)
    ed.merge(0)
    ed.save()
    bak = saved.with_name(saved.name + ".bak")
    assert bak.read_bytes() == original
    back = read_bitext(saved)
    assert [(b.src, b.tgt) for b in back.beads] == pairs(ed)
    assert [b.id for b in back.beads] == list(range(len(back.beads)))
    assert not ed.dirty
    # someone else saves the file (another tab, another program): this editor's save is refused
    other = Editor.open(saved)
    other.merge(0)
    other.save()
    ed.merge(1)
    mine = saved.read_bytes()
    with pytest.raises(SaveRefused, match="changed on disk"):
        ed.save()
    assert saved.read_bytes() == mine
    assert json.loads(bak.read_text(encoding="utf-8").splitlines()[0])["type"] == "bitext"


def test_glossary_check_sees_an_edited_target(saved):
    g = Glossary([Term(source="Communist Party", target="共产党")], src_lang="en", tgt_lang="zh")
    ed = Editor.open(saved, glossary=g)
    k = next(k for k, b in enumerate(ed.beads) if "Communist Party" in ed.bitext.src_text(b))
    assert not [v for v in check_bitext(ed.bitext, g).violations if v.bead == ed.beads[k].id]
    ed.edit_target(k, ["前军官宣布退出中国的党"])
    ed.save()
    report = check_bitext(read_bitext(saved), g)
    assert [v.bead for v in report.violations] == [k]


def test_recorded_terms_follow_an_edit():
    """translate records each term with where its rendering is in the target; after an edit
    the offsets are dropped, and a rendering no longer there is "missing"."""
    meta = {"terms": [{"source": "cadre", "target": "干部", "status": "ok", "start": 0, "end": 5,
                       "target_start": 0, "target_end": 2},
                      {"source": "party", "target": "党", "status": "ok", "target_start": 2, "target_end": 3}]}
    ed = Editor(make_bitext([("cadre party", "干部党"), ("B.", "乙。")], metas={0: meta}, origins={0: "mt"}))
    ed.edit_target(0, ["党的干部"])
    terms = ed.beads[0].meta["terms"]
    assert [t["status"] for t in terms] == ["ok", "ok"] and not any("target_start" in t for t in terms)
    ed.edit_target(0, ["一名官员"])
    assert [t["status"] for t in ed.beads[0].meta["terms"]] == ["missing", "missing"]
    from aligner.formats.review import review_reasons
    assert "glossary term not applied" in review_reasons(ed.beads[0], 0.5)
    ed.merge(0)
    assert len(ed.beads[0].meta["terms"]) == 2


def test_reviewing_a_machine_translation(argos_dir, tmp_path):
    """A bitext from `translate` (the fixture model renders Gu Xiaohua wrongly): the reviewer
    corrects the target, and after the save `glossary check` and `export` see the correction."""
    from aligner.export import export_bitexts
    from aligner.glossary import load_glossaries
    from aligner.review.views import bead_view
    from aligner.translate import translate_files
    from test_export_support import CORPUS

    REPO = CORPUS.parent
    translate_files([CORPUS / "article.en.txt"], "en", "zh", tmp_path / "out")
    path = tmp_path / "out" / "article.en-zh.jsonl"
    g = load_glossaries([REPO / "glossaries" / "news.tsv"])
    ed = Editor.open(path, glossary=g)
    k = next(k for k, b in enumerate(ed.beads) if "Gu Xiaohua" in ed.bitext.src_text(b))
    view = bead_view(ed, ed.beads[k], 0.5)
    assert view["origin"] == "mt" and "mt" in view["flags"]
    assert any("Gu Xiaohua" in v for v in view["violations"]), view
    wrong = ed.bitext.tgt_text(ed.beads[k])
    ed.edit_target(k, ["大纪元时报记者顾晓华报道"])
    assert bead_view(ed, ed.beads[k], 0.5)["violations"] == []
    ed.save()
    back = read_bitext(path)
    assert back.beads[k].origin == "edited" and back.beads[k].meta["original_target"] == wrong
    assert back.target.text.count("顾晓华") >= 1 and wrong not in back.target.text
    assert not [v for v in check_bitext(back, g).violations if v.bead == k]
    out = tmp_path / "review.tmx"
    export_bitexts([back], "tmx", out)
    assert "大纪元时报记者顾晓华报道" in out.read_text(encoding="utf-8")
