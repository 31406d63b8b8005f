"""End to end: the corpus article and its Chinese translation against the corpus gold
alignment, through the library and the `aligner align` command (single pairs, batches,
--gold, --translation, --mt with a real fixture model, glossaries, and bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.align import align_documents, align_files, read_gold
from aligner.align.evaluate import f1, format_bead, merge_by_unit, strict_counts
from aligner.align.files import gold_figures, match_directories, read_pairs_list
from aligner.cli import main
from aligner.errors import EXIT_INPUT, EXIT_MODEL, EXIT_USAGE, InputError
from aligner.io.bitext_jsonl import read_bitext
from aligner.io.text import read_document

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
EN, ZH, GOLD = CORPUS / "article.en.txt", CORPUS / "article.zh.txt", CORPUS / "article.gold"
GLOSSARY = REPO / "glossaries" / "news.tsv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_corpus_article_matches_gold_both_directions():
    gold = read_gold(GOLD)  # [i]:[j], article.en.txt sentence i with article.zh.txt sentence j
    en, zh = read_document(EN), read_document(ZH)
    bitext = align_documents(en, zh)
    pred = [(b.src, b.tgt) for b in bitext.beads]
    assert f1(*strict_counts(pred, gold))[2] == 1.0
    assert all(b.origin == "aligned" and 0 <= b.score <= 1 for b in bitext.beads)
    reverse = align_documents(zh, en)
    flipped = [(t, s) for s, t in gold]
    assert f1(*strict_counts([(b.src, b.tgt) for b in reverse.beads], flipped))[2] == 1.0


def test_corpus_article_with_glossary_and_presplit_lines(tmp_path):
    from aligner.glossary import load_glossaries

    g = load_glossaries([GLOSSARY])
    bitext = align_files(EN, ZH, glossary=g)
    assert gold_figures(bitext, GOLD)["f1"] == 1.0
    assert "glossary" in bitext.meta["aligner"]["signals"]
    assert bitext.meta["glossaries"]
    # one sentence per line, as the data sets come
    (tmp_path / "a.en").write_text("\n".join(read_document(EN).segment_texts()) + "\n", encoding="utf-8")
    (tmp_path / "a.zh").write_text("\n".join(read_document(ZH).segment_texts()) + "\n", encoding="utf-8")
    bitext = align_files(tmp_path / "a.en", tmp_path / "a.zh", presplit=True)
    assert gold_figures(bitext, GOLD)["f1"] == 1.0


def test_merged_and_split_sentences_are_found(tmp_path):
    """The article with two more pairs of Chinese sentences joined and one more English
    sentence split in two, on top of the 1-2 and 2-1 beads of the translation itself: the
    aligner finds the gold beads carried through these edits."""
    en = read_document(EN).segment_texts()
    zh = read_document(ZH).segment_texts()
    zh2 = zh[:5] + [zh[5] + zh[6]] + zh[7:12] + [zh[12] + zh[13]] + zh[14:]
    en2 = en[:17] + [en[17][: len(en[17]) // 2], en[17][len(en[17]) // 2:]] + en[18:]

    def new_zh(j):  # index in zh2 of zh[j]
        return j - (j > 5) - (j > 12)

    def new_en(i):  # indices in en2 of en[i]
        return [i] if i < 17 else [17, 18] if i == 17 else [i + 1]

    expected: list[tuple[list[int], list[int]]] = []
    for s, t in read_gold(GOLD):
        src, tgt = [k for i in s for k in new_en(i)], sorted({new_zh(j) for j in t})
        if expected and tgt and expected[-1][1] and expected[-1][1][-1] == tgt[0]:  # joined
            expected[-1] = (expected[-1][0] + src, sorted(set(expected[-1][1] + tgt)))
        else:
            expected.append((src, tgt))
    src = tmp_path / "en.txt"
    tgt = tmp_path / "zh.txt"
    src.write_text("\n".join(en2) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(zh2) + "\n", encoding="utf-8")
    bitext = align_files(src, tgt, presplit=True)
    kinds = {(tuple(b.src), tuple(b.tgt)) for b in bitext.beads}
    assert ((4, 5, 6), (5,)) in kinds and ((11, 12), (11,)) in kinds and ((17, 18), (16,)) in kinds
    assert ((3,), (3, 4)) in kinds and ((7,), (6, 7)) in kinds  # the translator's own
    assert f1(*strict_counts([(b.src, b.tgt) for b in bitext.beads], expected))[2] == 1.0


def test_cli_writes_bitext_and_scores_gold(tmp_path):
    out = tmp_path / "article.en-zh.jsonl"
    r = run("align", EN, ZH, "-o", out, "--gold", GOLD)
    assert r.exit_code == 0, r.output
    assert "F1 1.0000" in r.output
    bitext = read_bitext(out)
    assert (bitext.src_lang, bitext.tgt_lang) == ("en", "zh")
    assert len(bitext.beads) == 20
    assert all(isinstance(b.score, float) for b in bitext.beads)
    assert "evidence" in bitext.beads[0].meta


def test_cli_stdout_and_explicit_languages():
    r = CliRunner().invoke(main, ["align", str(ZH), str(EN), "--from", "zh", "--to", "en", "-q"])
    assert r.exit_code == 0
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines[0]["type"] == "bitext" and lines[0]["src_lang"] == "zh"
    assert sum(1 for x in lines if x["type"] == "bead") == 20


def test_cli_translation_file_and_line_mismatch(tmp_path):
    zh = read_document(ZH).segment_texts()
    trans = tmp_path / "article.trans"
    # a perfect "translation": each English sentence rendered by the Chinese of its gold bead
    lines = [("".join(zh[j] for j in t), len(s)) for s, t in read_gold(GOLD)]
    trans.write_text("".join((text + "\n") * n for text, n in lines), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = run("align", EN, ZH, "--translation", trans, "-o", out, "--gold", GOLD)
    assert r.exit_code == 0 and "F1 1.0000" in r.output
    assert "translation" in read_bitext(out).meta["aligner"]["signals"]
    trans.write_text("\n".join(zh[:10]) + "\n", encoding="utf-8")
    out.unlink()
    r = run("align", EN, ZH, "--translation", trans, "-o", out)
    assert r.exit_code == EXIT_INPUT
    assert "article.trans" in r.output and "10 lines" in r.output and "22 sentences" in r.output
    assert not out.exists()


def test_cli_mt_uses_the_installed_model(argos_dir, tmp_path):
    out = tmp_path / "mt.jsonl"
    r = run("align", EN, ZH, "--mt", "-o", out, "--gold", GOLD)
    assert r.exit_code == 0, r.output
    bitext = read_bitext(out)
    assert bitext.meta["translation"] == "mt"
    assert "translation" in bitext.meta["aligner"]["signals"]
    assert "F1 1.0000" in r.output


def test_cli_mt_without_model_fails_cleanly(empty_argos_dir, tmp_path):
    out = tmp_path / "mt.jsonl"
    r = run("align", EN, ZH, "--mt", "-o", out)
    assert r.exit_code == EXIT_MODEL
    assert "Traceback" not in r.output and not out.exists()


def test_cli_batch_from_directories_and_pairs_list(tmp_path):
    zh_dir, en_dir = tmp_path / "zh", tmp_path / "en"
    zh_dir.mkdir()
    en_dir.mkdir()
    for name in ("one", "two"):
        (zh_dir / f"{name}.zh.txt").write_text(ZH.read_text(encoding="utf-8"), encoding="utf-8")
        (en_dir / f"{name}.en.txt").write_text(EN.read_text(encoding="utf-8"), encoding="utf-8")
    jobs = match_directories(zh_dir, en_dir)
    assert [(j.src.name, j.tgt.name) for j in jobs] == [("one.zh.txt", "one.en.txt"), ("two.zh.txt", "two.en.txt")]
    out = tmp_path / "out"
    r = run("align", zh_dir, en_dir, "-o", out)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["one.zh-en.jsonl", "two.zh-en.jsonl"]
    assert "aligned 2 pair(s)" in r.output
    lst = tmp_path / "pairs.tsv"
    lst.write_text("# source\ttarget\nzh/one.zh.txt\ten/one.en.txt\n\nen/two.en.txt\tzh/two.zh.txt\n",
                   encoding="utf-8")
    assert len(read_pairs_list(lst)) == 2
    out2 = tmp_path / "out2"
    r = run("align", "--pairs", lst, "-o", out2, "-q")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out2.iterdir()) == ["one.zh-en.jsonl", "two.en-zh.jsonl"]
    b = read_bitext(out2 / "two.en-zh.jsonl")
    assert gold_figures(b, GOLD)["f1"] == 1.0


def test_batch_errors(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x.zh.txt").write_text("你好。", encoding="utf-8")
    (b / "y.en.txt").write_text("Hello.", encoding="utf-8")
    r = run("align", a, b, "-o", tmp_path / "o")
    assert r.exit_code == EXIT_INPUT and "no partner" in r.output
    lst = tmp_path / "l.tsv"
    lst.write_text("a/x.zh.txt\n", encoding="utf-8")
    r = run("align", "--pairs", lst, "-o", tmp_path / "o")
    assert r.exit_code == EXIT_INPUT and "l.tsv:1" in r.output
    r = run("align", a, b)
    assert r.exit_code == EXIT_USAGE  # a batch needs -o DIR


def test_bad_inputs_give_one_clear_message(tmp_path):
    out = tmp_path / "o.jsonl"
    r = run("align", tmp_path / "missing.txt", ZH, "-o", out)
    assert r.exit_code == EXIT_INPUT and "missing.txt" in r.output and "Traceback" not in r.output
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    r = run("align", binary, ZH, "-o", out)
    assert r.exit_code == EXIT_INPUT and "bin.txt" in r.output
    r = run("align", EN, EN, "-o", out)
    assert r.exit_code == EXIT_INPUT and "same language" in r.output
    r = run("align", EN, ZH, "--signals", "length,telepathy")
    assert r.exit_code == EXIT_USAGE and "telepathy" in r.output
    bad_gold = tmp_path / "bad.gold"
    bad_gold.write_text("[0]:[0]\n[99]:[1]\n", encoding="utf-8")
    r = run("align", EN, ZH, "-o", out, "--gold", bad_gold)
    assert r.exit_code == EXIT_INPUT and "bad.gold" in r.output
    bad_gold.write_text("[0]:[0]\nnonsense\n", encoding="utf-8")
    r = run("align", EN, ZH, "-o", out, "--gold", bad_gold)
    assert r.exit_code == EXIT_INPUT and "bad.gold:2" in r.output
    assert not out.exists()


def test_chosen_signals_and_listing():
    r = run("align", "--list-signals")
    assert r.exit_code == 0 and "lexicon" in r.output and "embedding" in r.output
    bitext = align_files(EN, ZH, signals=["length"])
    assert list(bitext.meta["aligner"]["signals"]) == ["length"]
    assert gold_figures(bitext, GOLD)["f1"] >= 0.9  # lengths alone find the 1-2 and 2-1 beads too


def test_gold_helpers():
    assert format_bead([3, 4], [5]) == "[3,4]:[5]"
    assert merge_by_unit([([0], [0]), ([1], [1]), ([2], [2])], ["v1", "v1", "v2"], ["v1", "v1", "v2"]) == \
        [([0, 1], [0, 1]), ([2], [2])]
    with pytest.raises(InputError):
        read_gold(CORPUS / "nope.gold")


def test_declared_language_must_match_the_text(tmp_path):
    out = tmp_path / "o.jsonl"
    r = run("align", ZH, EN, "--from", "en", "-o", out)
    assert r.exit_code == EXIT_INPUT
    assert "article.zh.txt" in r.output and "looks Chinese" in r.output and not out.exists()
    r = run("align", EN, ZH, "--to", "en", "-o", out)
    assert r.exit_code == EXIT_INPUT and "looks" in r.output and not out.exists()
    r = run("align", EN, ZH, "--from", "en", "--to", "zh", "-o", out, "-q")
    assert r.exit_code == 0 and out.exists()


def test_batch_checks_every_pair_before_writing(tmp_path):
    a, b = tmp_path / "en", tmp_path / "zh"
    a.mkdir()
    b.mkdir()
    for name in ("a", "b"):
        (a / f"{name}.en.txt").write_text(EN.read_text(encoding="utf-8"), encoding="utf-8")
        (b / f"{name}.zh.txt").write_text(ZH.read_text(encoding="utf-8"), encoding="utf-8")
    (a / "c.en.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    (b / "c.zh.txt").write_text(ZH.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    r = run("align", a, b, "-o", out)
    assert r.exit_code == EXIT_INPUT and "c.en.txt" in r.output
    assert not out.exists() or not any(out.iterdir())


def test_a_rerun_writes_the_same_bytes(tmp_path):
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    assert run("align", ZH, EN, "-o", first, "-q").exit_code == 0
    assert run("align", ZH, EN, "-o", second, "-q").exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_cli_format_exports_beside_the_bitext(tmp_path):
    from lxml import etree

    out = tmp_path / "article.en-zh.jsonl"
    result = run("align", EN, ZH, "-o", out, "--format", "xliff", "--format", "tsv", "-q")
    assert result.exit_code == 0, result.output
    bitext = read_bitext(out)
    xliff = etree.parse(str(tmp_path / "article.en-zh.xlf"))
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    units = xliff.findall(".//x:trans-unit", ns)
    assert len(units) == len(bitext.beads)
    assert [u.find("x:source", ns).text for u in units] == [bitext.src_text(b) for b in bitext.beads]
    tsv_rows = (tmp_path / "article.en-zh.tsv").read_text(encoding="utf-8").splitlines()
    assert len(tsv_rows) == len(bitext.beads) + 1  # header


def test_cli_format_needs_an_output_file_and_a_known_format(tmp_path):
    result = run("align", EN, ZH, "--format", "html")
    assert result.exit_code == EXIT_USAGE
    result = run("align", EN, ZH, "-o", tmp_path / "a.jsonl", "--format", "pdf")
    assert result.exit_code == EXIT_USAGE and "unknown export format" in result.output
    assert not list(tmp_path.iterdir())


def test_batch_format_exports_every_pair(tmp_path):
    src, tgt = tmp_path / "en", tmp_path / "zh"
    src.mkdir(), tgt.mkdir()
    for name in ("a", "b"):
        (src / f"{name}.txt").write_text(EN.read_text(encoding="utf-8"), encoding="utf-8")
        (tgt / f"{name}.txt").write_text(ZH.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("align", src, tgt, "-o", tmp_path / "out", "--format", "tmx", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a.en-zh.jsonl", "a.en-zh.tmx", "b.en-zh.jsonl", "b.en-zh.tmx"]
