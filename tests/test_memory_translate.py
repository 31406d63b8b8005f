"""`aligner translate --tm`: the memory answers first, the real fixture model does the rest."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from lxml import etree

import fixture_model
from aligner.cli import main
from aligner.io.bitext_jsonl import read_bitext
from aligner.memory import Unit, open_memory
from aligner.memory.reuse import pretranslate
from aligner.translate import translate_files

LINES = ["The cadre resigned in March.",       # in the memory with this context: 101
         "The committee met on Tuesday.",       # in the memory, other context: 100
         "The party announced a new policy.",   # close to a memory sentence: fuzzy
         "Nothing here is in the memory."]      # MT


def _memory(path: Path) -> str:
    spec = str(path / "memory.sqlite")
    with open_memory(spec) as tm:
        tm.add_units([
            Unit(LINES[0], "干部三月辞职。", "en", "zh-CN", origin="edited", prev=None, next=LINES[1]),
            Unit(LINES[1], "委员会周二开会。", "en", "zh-CN", origin="aligned", prev="Elsewhere.", next=None),
            Unit("The party announced a new budget.", "该党公布了新预算。", "en", "zh-CN", origin="aligned"),
        ])
    return spec


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "news.en.txt"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return src


def test_pretranslate_decisions(tmp_path):
    with open_memory(_memory(tmp_path)) as tm:
        ds = pretranslate(LINES, tm, "en", "zh")
        applied = pretranslate(LINES, tm, "en", "zh", apply_fuzzy=True)
        strict = pretranslate(LINES, tm, "en", "zh", fuzzy=90)
    assert [(d.kind, d.target, d.score) for d in ds] == [
        ("101", "干部三月辞职。", 101), ("100", "委员会周二开会。", 100), ("fuzzy", None, 85), ("mt", None, None)]  # 6 of 7 tokens
    assert ds[2].matches[0]["target"] == "该党公布了新预算。" and ds[2].bead_meta()["tm"]["match"] == "fuzzy"
    assert (applied[2].target, applied[2].review) == ("该党公布了新预算。", True)
    assert strict[2].kind == "mt" and strict[2].matches == []


def test_translate_uses_the_memory_before_mt(argos_dir, fixture_packages, tmp_path):
    spec = _memory(tmp_path)
    src = _source(tmp_path)
    sp = fixture_packages["en-zh"] / "sentencepiece.model"
    summary = translate_files([src], "en", "zh", tmp_path / "out", presplit=True, tm=spec, formats=["xliff"])
    bt = read_bitext(tmp_path / "out" / "news.en-zh.jsonl")
    assert [b.origin for b in bt.beads] == ["tm", "tm", "mt", "mt"]
    assert [bt.tgt_text(b) for b in bt.beads] == [
        "干部三月辞职。", "委员会周二开会。",
        fixture_model.reference_translation(LINES[2], "en-zh", sp),
        fixture_model.reference_translation(LINES[3], "en-zh", sp)]
    assert bt.beads[0].meta["tm"]["match"] == "101" and bt.beads[0].score == 1.0
    assert [m["target"] for m in bt.beads[2].meta["tm"]["matches"]] == ["该党公布了新预算。"]
    assert "tm" not in bt.beads[3].meta
    assert (summary.tm.context, summary.tm.exact, summary.tm.fuzzy, summary.tm.mt, summary.tm.offered) == (1, 1, 0, 2, 1)
    assert "translation memory: 1 in context (101), 1 exact (100), 0 fuzzy applied, 2 machine-translated" \
        in summary.describe()
    xliff = etree.parse(str(tmp_path / "out" / "news.en-zh.xlf"))
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    units = xliff.findall(".//x:trans-unit", ns)
    alt = units[2].find("x:alt-trans", ns)
    assert alt.get("match-quality") == "85" and alt.find("x:target", ns).text == "该党公布了新预算。"
    assert units[0].find("x:target", ns).get("state-qualifier") == "leveraged-tm"
    assert units[0].find("x:target", ns).get("state") == "translated"


def test_fuzzy_apply_flags_for_review_and_glossary_checks_memory_targets(argos_dir, tmp_path):
    spec = _memory(tmp_path)
    src = _source(tmp_path)
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\ncadre\t骨干分子\n", encoding="utf-8")
    translate_files([src], "en", "zh", tmp_path / "out", presplit=True, tm=spec, fuzzy_apply=True,
                    glossaries=[glossary], formats=["xliff"])
    bt = read_bitext(tmp_path / "out" / "news.en-zh.jsonl")
    assert [b.origin for b in bt.beads] == ["tm", "tm", "tm", "mt"]
    assert bt.beads[2].meta["tm"]["review"] is True and bt.tgt_text(bt.beads[2]) == "该党公布了新预算。"
    # The memory says 干部; the glossary wants 骨干分子: the memory's target is flagged.
    [v] = bt.beads[0].meta["violations"]
    assert (v["term"], v["expected"], v["kind"]) == ("cadre", "骨干分子", "missing")
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    units = etree.parse(str(tmp_path / "out" / "news.en-zh.xlf")).findall(".//x:trans-unit", ns)
    assert units[2].find("x:target", ns).get("state") == "needs-review-translation"
    assert units[0].find("x:target", ns).get("state") == "needs-review-translation"  # the violation
    assert units[1].find("x:target", ns).get("state") == "translated"


def test_cli_translate_with_tm(argos_dir, tmp_path):
    spec = _memory(tmp_path)
    src = _source(tmp_path)
    r = CliRunner().invoke(main, ["translate", str(src), "--from", "en", "--to", "zh", "-o", str(tmp_path / "o"),
                                  "--presplit", "--tm", spec, "--fuzzy", "80"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "translation memory: 1 in context (101), 1 exact (100)" in r.output
    missing = CliRunner().invoke(main, ["translate", str(src), "-o", str(tmp_path / "p"), "--presplit",
                                        "--tm", str(tmp_path / "nope.sqlite")])
    assert missing.exit_code == 3 and "no such translation memory" in missing.output


def test_with_a_memory_sentences_of_all_files_share_one_stream(argos_dir, fixture_packages, tmp_path,
                                                               monkeypatch):
    """With --tm the files are not translated one by one: the sentences the memory does not
    answer, of every file, go through one Engine.translate_iter stream, as without a memory."""
    from aligner.translate.engine import Engine

    spec = _memory(tmp_path)
    sp = fixture_packages["en-zh"] / "sentencepiece.model"
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(3):
        (inputs / f"f{n}.en.txt").write_text("\n".join([LINES[1], f"Nothing here is new {n}."]) + "\n",
                                              encoding="utf-8")
    streams, sent, batches = [], [], []
    real_iter, real_translate = Engine.translate_iter, Engine.translate

    def counting_iter(self, sentences, **kw):
        streams.append(1)
        return real_iter(self, (sent.append(s) or s for s in sentences), **kw)

    def counting_translate(self, sentences, **kw):
        batches.append(list(sentences))
        return real_translate(self, sentences, **kw)

    monkeypatch.setattr(Engine, "translate_iter", counting_iter)
    monkeypatch.setattr(Engine, "translate", counting_translate)
    summary = translate_files([inputs], "en", "zh", tmp_path / "out", presplit=True, tm=spec)
    assert streams == [1] and batches == []
    assert sent == [f"Nothing here is new {n}." for n in range(3)]  # only what the memory lacks
    for n in range(3):
        bt = read_bitext(tmp_path / "out" / f"f{n}.en-zh.jsonl")
        assert [b.origin for b in bt.beads] == ["tm", "mt"]
        assert [bt.tgt_text(b) for b in bt.beads] == [
            "委员会周二开会。", fixture_model.reference_translation(f"Nothing here is new {n}.", "en-zh", sp)]
    assert (summary.tm.exact, summary.tm.mt) == (3, 3)


PAGE = ("<html><head><title>News</title></head><body>"
        f"<p>{LINES[0]}</p><p>The committee met on <b>Tuesday</b>.</p><p>{LINES[3]}</p>"
        "</body></html>")


def test_documents_use_the_memory_too(argos_dir, fixture_packages, tmp_path):
    """An HTML page with --tm: segments the memory answers take its target (origin tm), the
    others are machine-translated; the page is written with both."""
    from lxml import html

    spec = _memory(tmp_path)
    sp = fixture_packages["en-zh"] / "sentencepiece.model"
    src = tmp_path / "page.en.html"
    src.write_text(PAGE, encoding="utf-8")
    summary = translate_files([src], "en", "zh", tmp_path / "out", tm=spec)
    bt = read_bitext(tmp_path / "out" / "page.en-zh.jsonl")
    origins = {bt.src_text(b): (b.origin, bt.tgt_text(b)) for b in bt.beads}
    assert origins[LINES[0]] == ("tm", "干部三月辞职。")
    assert origins[LINES[1]] == ("tm", "委员会周二开会。")  # the <b> code is not in the sentence looked up
    assert origins[LINES[3]] == ("mt", fixture_model.reference_translation(LINES[3], "en-zh", sp))
    page = html.fromstring((tmp_path / "out" / "page.zh.html").read_text(encoding="utf-8"))
    ps = page.findall(".//p")
    assert ps[0].text_content() == "干部三月辞职。"
    assert ps[1].text_content() == "委员会周二开会。" and ps[1].find("b") is not None
    assert ps[2].text_content() == fixture_model.reference_translation(LINES[3], "en-zh", sp)
    assert summary.tm.exact + summary.tm.context == 2 and summary.tm.mt >= 1


def test_documents_memory_targets_are_checked_against_the_glossary(argos_dir, tmp_path):
    spec = _memory(tmp_path)
    src = tmp_path / "page.en.html"
    src.write_text(PAGE, encoding="utf-8")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\ncadre\t骨干分子\n", encoding="utf-8")
    translate_files([src], "en", "zh", tmp_path / "out", tm=spec, glossaries=[glossary])
    bt = read_bitext(tmp_path / "out" / "page.en-zh.jsonl")
    [bead] = [b for b in bt.beads if bt.src_text(b) == LINES[0]]
    assert bead.origin == "tm"
    [v] = bead.meta["violations"]
    assert (v["term"], v["expected"], v["kind"]) == ("cadre", "骨干分子", "missing")
