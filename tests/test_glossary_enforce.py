"""Glossary enforcement in translation, through the real engine: the fixture models
(tests/fixture_model.py) are real CTranslate2 transformers that render some names and terms
wrongly on purpose (Zhu Zhiqiang -> 猪之墙, cadre -> 骨干, 朱志强 -> "Pig Wall", ...)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from click.testing import CliRunner

import fixture_model
from aligner.cli import main
from aligner.glossary import load_glossaries
from aligner.glossary.check import check_bitext
from aligner.glossary.enforce import enforce_translations
from aligner.io.bitext_jsonl import read_bitext
from aligner.model import Bead, Bitext, Document
from aligner.segment import split_sentences
from aligner.translate.engine import Engine

NEWS = "glossaries/news.tsv"


@pytest.fixture(scope="module")
def news():
    return load_glossaries([NEWS])


def sentences(lang: str) -> list[str]:
    text = open(f"corpus/article.{lang}.txt", encoding="utf-8").read()
    return [text[a:b] for a, b in split_sentences(text, lang)]


def bitext_of(src: str, tgt: str, sources: list[str], targets: list[str]) -> Bitext:
    return Bitext(Document.from_sentences(src, sources), Document.from_sentences(tgt, targets),
                  [Bead([i], [i], id=i, origin="mt") for i in range(len(sources))])


def without_renderings(text: str, news, src: str, tgt: str) -> str:
    """The text with every glossary rendering taken out (what is left must hold no wrong
    rendering: "Communist" may stay inside "Chinese Communist Party")."""
    forms = sorted({f for e in news.direction(src, tgt).entries for f in e.accepted}, key=len, reverse=True)
    for f in forms:
        text = re.sub(re.escape(f), " ", text, flags=re.IGNORECASE)
    return text


def wrong_left(text: str, direction: str) -> list[str]:
    out = []
    for wrong in fixture_model.WRONG_RENDERINGS[direction].values():
        pattern = re.escape(wrong) if direction == "en-zh" else rf"\b{re.escape(wrong)}\b"
        if re.search(pattern, text):
            out.append(wrong)
    return out


def expected_output(engine, news, src: str, tgt: str, sentence: str) -> str:
    """What enforcement must give with the word-for-word fixture model, computed without
    the enforcement code: every source piece through the fixture's table, except that the
    pieces of a glossary term whose table rendering is wrong become the glossary rendering.
    So everything around the terms must stay exactly as the model wrote it."""
    table = fixture_model.piece_table(f"{src}-{tgt}")
    raw = sentence.encode("utf-8")
    proto = engine.sp.encode(sentence, return_type="proto")
    # sentencepiece offsets are in UTF-8 bytes
    pieces = [(p.piece, len(raw[:p.begin].decode("utf-8", "ignore")), len(raw[:p.end].decode("utf-8", "ignore")))
              for p in proto.pieces]
    matches = news.direction(src, tgt).find(sentence)
    out, i = [], 0
    while i < len(pieces):
        piece, b, e = pieces[i]
        m = next((m for m in matches if b < m.end and m.start < e), None)
        if m is None:
            out.append(table.get(piece, piece))
            i += 1
            continue
        group = []
        while i < len(pieces) and pieces[i][1] < m.end and m.start < pieces[i][2]:
            group.append(table.get(pieces[i][0], pieces[i][0]))
            i += 1
        model = "".join(group).replace("▁", " ").lower()
        right = any(a.lower() in model for a in m.entry.accepted) and \
            not any(f.lower() in model for f in m.entry.forbidden)
        out.append("".join(group) if right else ("▁" if tgt == "en" else "") + m.entry.rendering)
    return "".join(out).replace("▁", " ").strip()


@pytest.mark.parametrize("src,tgt", [("en", "zh"), ("zh", "en")])
def test_the_glossary_corrects_every_term_and_nothing_else(argos_dir, news, src, tgt):
    direction = f"{src}-{tgt}"
    engine = Engine.load(src, tgt)
    sents = sentences(src)
    plain = engine.translate(sents, return_attention=True)

    # Without the glossary: the fixture's wrong renderings are there, and check sees them.
    plain_text = "\n".join(t.text for t in plain)
    assert len(wrong_left(without_renderings(plain_text, news, src, tgt), direction)) >= 4
    assert len(check_bitext(bitext_of(src, tgt, sents, [t.text for t in plain]), news).violations) >= 10

    enforced = enforce_translations(engine, sents, plain, news, src, tgt)
    texts = [e.text for e in enforced]
    # Every term found is rendered as the glossary says; no wrong rendering remains.
    assert check_bitext(bitext_of(src, tgt, sents, texts), news).violations == []
    assert wrong_left(without_renderings("\n".join(texts), news, src, tgt), direction) == []
    # ... and the rest of every sentence is exactly what the model wrote.
    for s, got in zip(sents, texts):
        assert got == expected_output(engine, news, src, tgt, s)

    # The record per term: honest statuses and where the rendering now is.
    terms = [t for e in enforced for t in e.terms]
    statuses = Counter(t["status"] for t in terms)
    assert statuses["failed"] == 0 and statuses["enforced"] >= 20 and statuses["ok"] >= 15
    assert len(terms) == sum(len(news.find(s, src)) for s in sents)
    for e in enforced:
        for t in e.terms:
            assert t["status"] in ("ok", "enforced") and t["method"] in ("model", "attention", "forbidden")
            span = e.text[t["target_start"]:t["target_end"]]
            assert any(r.entry.source == t["source"] and (r.start, r.end) == (0, len(span))
                       for r in news.direction(src, tgt).renderings(span))

def test_methods_and_record(argos_dir, news):
    engine = Engine.load("en", "zh")
    s = "48 year-old Chinese Communist Party (CCP) cadre, Zhu Zhiqiang, a resident of Nanjing."
    tr = engine.translate([s], return_attention=True)
    assert tr[0].text == "48年-岁中国共产党（共产党的）骨干，猪之墙，一个居民的南金。"
    [e] = enforce_translations(engine, [s], tr, news, "en", "zh")
    assert e.text == "48年-岁中国共产党（中共）干部，朱志强，一个居民的南京。" and e.changed
    got = [(t["source"], t["status"], t["method"], e.text[t["target_start"]:t["target_end"]])
           for t in e.terms]
    assert got == [
        ("Chinese Communist Party", "ok", "model", "中国共产党"),
        ("CCP", "enforced", "attention", "中共"),
        ("cadre", "enforced", "forbidden", "干部"),  # 骨干 is a forbidden rendering of cadre
        ("Zhu Zhiqiang", "enforced", "attention", "朱志强"),
        ("Nanjing", "enforced", "attention", "南京"),
    ]
    t = e.terms[3]
    assert (t["matched"], s[t["start"]:t["end"]], t["glossary"]) == ("Zhu Zhiqiang", "Zhu Zhiqiang",
                                                                     f"{NEWS}:9")


def test_translations_without_attention_are_translated_again_with_it(argos_dir, news):
    engine = Engine.load("zh", "en")
    s = "朱志强说，中共干部。"
    tr = engine.translate([s])
    assert tr[0].attention is None and "Pig Wall" in tr[0].text
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en")
    assert e.text == "Zhu Zhiqiang said, CCP cadre."
    assert [t["status"] for t in e.terms] == ["enforced"] * 3


def test_prefix_redecoding_and_honest_failure(argos_dir, news):
    engine = Engine.load("zh", "en")
    # At the end of the sentence the prefix ends with the rendering and the model finishes.
    s = "他退出中共。"
    tr = engine.translate([s], return_attention=True)
    assert tr[0].text == "he withdraw Communist."
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en", methods=("prefix",))
    assert "CCP" in e.text and "Communist" not in e.text
    assert [(t["status"], t["method"]) for t in e.terms] == [("enforced", "prefix")]
    # This word-for-word model loses its place after a prefix longer than the term it
    # replaces: the result would drop half the sentence, so it is refused, and the term
    # is reported as failed rather than claimed.
    s = "朱志强说。"
    tr = engine.translate([s], return_attention=True)
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en", methods=("prefix",))
    assert e.text == tr[0].text == "Pig Wall said."
    assert [(t["status"], t["method"]) for t in e.terms] == [("failed", "none")]
    # With no method at all, only forbidden renderings are replaced.
    s = "中共干部"
    tr = engine.translate([s])
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en", methods=())
    assert [t["status"] for t in e.terms] == ["failed", "failed"] and not e.changed


def test_sentences_without_terms_are_untouched(argos_dir, news):
    engine = Engine.load("en", "zh")
    s = ["This is a progressive step.", ""]
    tr = engine.translate(s, return_attention=True)
    out = enforce_translations(engine, s, tr, news, "en", "zh")
    assert [(o.text, o.terms, o.changed) for o in out] == [(tr[0].text, [], False), ("", [], False)]


def test_translate_command_with_glossary_then_check(argos_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(main, ["translate", "corpus/article.en.txt", "--to", "zh", "--out", str(out)])
    assert res.exit_code == 0, res.output
    [plain] = list(out.glob("*.jsonl"))
    res = runner.invoke(main, ["glossary", "check", str(plain), "--glossary", NEWS])
    assert res.exit_code == 1 and "should be 朱志强" in res.output

    out2 = tmp_path / "out2"
    res = runner.invoke(main, ["translate", "corpus/article.en.txt", "--to", "zh", "--out", str(out2),
                               "--glossary", NEWS])
    assert res.exit_code == 0, res.output
    summary = re.search(r"glossary: (\d+) terms? found, (\d+) already right, (\d+) enforced, (\d+) failed",
                        res.output)
    assert summary, res.output
    found, ok, enforced, failed = map(int, summary.groups())
    assert found == 50 and failed == 0 and enforced > 0 and ok + enforced == found
    [bt_path] = list(out2.glob("*.jsonl"))
    bitext = read_bitext(bt_path)
    recorded = [t for b in bitext.beads for t in b.meta.get("terms", [])]
    assert len(recorded) == found
    assert all({"source", "target", "status", "method"} <= set(t) for t in recorded)
    translation = (out2 / "article.zh.txt").read_text(encoding="utf-8")
    assert "朱志强" in translation and "猪之墙" not in translation and "骨干" not in translation
    res = runner.invoke(main, ["glossary", "check", str(bt_path), "--glossary", NEWS])
    assert res.exit_code == 0, res.output


def test_a_term_no_step_could_place_is_inserted_where_attention_puts_it(argos_dir, news):
    # The prefix re-decode of this sentence is refused (test above); the last step inserts
    # the rendering where the term's attention points, removes nothing, and says so.
    engine = Engine.load("zh", "en")
    s = "朱志强说。"
    tr = engine.translate([s], return_attention=True)
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en", methods=("prefix", "insert"))
    assert e.text == "Zhu Zhiqiang Pig Wall said." and e.changed
    assert [(t["status"], t["method"]) for t in e.terms] == [("enforced", "insert")]
    assert check_bitext(bitext_of("zh", "en", [s], [e.text]), news).violations == []



def test_attention_for_a_given_translation_is_the_models_own(argos_dir):
    # Forced decoding gives the attention the model has while reading exactly that text:
    # for its own translation the same as when it translated; for an edited one (what
    # enforcement makes) a row per piece of the edited text.
    engine = Engine.load("zh", "en")
    s = ["朱志强说，中共干部。", "他退出中共。"]
    tr = engine.translate(s, return_attention=True)
    forced = engine.attention_for(s, [t.text for t in tr])
    for a, b in zip(tr, forced):
        assert (b.text, b.source_tokens, b.target_tokens) == (a.text, a.source_tokens, a.target_tokens)
        assert len(b.attention) == len(a.attention)
        for r1, r2 in zip(b.attention, a.attention):
            assert r1 == pytest.approx(r2, abs=1e-6)
    [b] = engine.attention_for(["他退出中共。"], ["he withdraw CCP."])
    assert b.text == "he withdraw CCP." and b.target_tokens == engine.tokenize("he withdraw CCP.")
    assert len(b.attention) == len(b.target_tokens) and all(len(r) == len(b.source_tokens) for r in b.attention)
    # The diagonal model: "he" and "withdraw" look at 他 and 退出.
    assert [max(range(len(r)), key=r.__getitem__) for r in b.attention[:2]] == [0, 1]
    assert engine.attention_for([""], [""])[0].attention == []


def test_a_prefix_redecode_that_ends_after_the_rendering_keeps_the_old_ending(argos_dir, news):
    # The re-decode after "he withdraw CCP" stops there (this model has run out of source
    # pieces): the words it skipped ("Communist") were its rendering of the term; what
    # follows them in the old text (the full stop) stays, as does everything before.
    engine = Engine.load("zh", "en")
    s = "他退出中共。"
    tr = engine.translate([s], return_attention=True)
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en", methods=("prefix",))
    assert e.text == "he withdraw CCP."
    assert [(t["status"], t["method"], e.text[t["target_start"]:t["target_end"]]) for t in e.terms] == \
        [("enforced", "prefix", "CCP")]
    # The same when more words follow than the rendering has: refused (they are not the
    # term's rendering), and the term is placed by the next step instead.
    s = "朱志强说。"
    tr = engine.translate([s], return_attention=True)
    [e] = enforce_translations(engine, [s], tr, news, "zh", "en", methods=("prefix", "insert"))
    assert "said" in e.text and [t["method"] for t in e.terms] == ["insert"]
