"""Translation memory: matching, both stores (SQLite and a real PostgreSQL server), TMX round trip."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))
import pg_server  # noqa: E402

from aligner.errors import AlignerError, InputError  # noqa: E402
from aligner.memory import Unit, open_memory  # noqa: E402
from aligner.memory import match as M  # noqa: E402
from aligner.memory.base import unpack_ids  # noqa: E402
from aligner.memory.sources import units_from_bitext  # noqa: E402
from aligner.memory.tmx import read_tmx_units  # noqa: E402
from aligner.model import Bead, Bitext, Document  # noqa: E402


@pytest.fixture(scope="session")
def pg():
    server = pg_server.Server()
    url, why = server.start()
    if url is None:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    yield server
    server.stop()


_db_counter = [0]


@pytest.fixture(params=["sqlite", "postgresql"])
def spec(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "memory.sqlite")
    server = request.getfixturevalue("pg")
    _db_counter[0] += 1
    return server.new_database(f"tm_test_{_db_counter[0]}")


UNITS = [
    Unit("The cadre resigned in 1999.", "这名干部于1999年辞职。", "en", "zh-CN", origin="aligned",
         prev="The meeting began at noon.", next="Nobody was surprised."),
    Unit("The cat sat on the mat.", "猫坐在垫子上。", "en", "zh-CN", origin="edited"),
    Unit("The committee approved the budget for next year.", "委员会批准了明年的预算。", "en", "zh-CN"),
    Unit("他昨天去了北京开会。", "He went to Beijing for a meeting yesterday.", "zh-CN", "en", origin="aligned"),
    Unit("今天天气很好。", "The weather is fine today.", "zh-CN", "en"),
    Unit("The river flooded the village.", "河水淹沒了村莊。", "en", "zh-TW"),
]


def _filled(spec):
    tm = open_memory(spec)
    tm.add_units([Unit(**{**u.__dict__}) for u in UNITS], file="base.tmx")
    return tm


def _view(matches):
    return [(m.score, m.kind, m.target) for m in matches]


def test_exact_and_in_context_en_zh(spec):
    with _filled(spec) as tm:
        [plain], [ctx], [other_ctx] = (tm.lookup(["The cadre resigned in 1999."], "en", "zh", contexts=c)
                                       for c in (None, [("The meeting began at noon.", "Nobody was surprised.")],
                                                 [("Something else.", "Nobody was surprised.")]))
    assert _view(plain) == [(100, "exact", "这名干部于1999年辞职。")]
    assert _view(ctx) == [(101, "context", "这名干部于1999年辞职。")]
    assert _view(other_ctx) == [(100, "exact", "这名干部于1999年辞职。")]


def test_exact_and_fuzzy_zh_en(spec):
    with _filled(spec) as tm:
        exact, fuzzy, none = tm.lookup(["他昨天去了北京开会。", "他昨天去了上海开会。", "我们明天吃饭。"], "zh", "en")
    assert _view(exact) == [(100, "exact", "He went to Beijing for a meeting yesterday.")]
    # 2 of 10 characters differ: character-level Levenshtein, 80.
    assert _view(fuzzy) == [(80, "fuzzy", "He went to Beijing for a meeting yesterday.")]
    assert none == []


def test_fuzzy_score_is_token_levenshtein_en(spec):
    with _filled(spec) as tm:
        [m] = tm.lookup(["The dog sat on the mat."], "en", "zh")[0]
        below = tm.lookup(["The dog sat on the mat."], "en", "zh", fuzzy=90)[0]
    # 7 tokens (6 words and the full stop), one substituted: 100 * 6/7 = 85.7 -> 85
    assert (m.score, m.kind, m.target) == (85, "fuzzy", "猫坐在垫子上。")
    assert below == []


def test_number_mismatch_is_fuzzy_never_exact(spec):
    with _filled(spec) as tm:
        [[m]] = tm.lookup(["The cadre resigned in 2009."], "en", "zh",
                          contexts=[("The meeting began at noon.", "Nobody was surprised.")])
        [[zh]] = tm.lookup(["这名干部于2009年辞职。"], "zh", "en")
    assert m.kind == "fuzzy" and m.score == 83 and m.notes == ["number differs: 1999 -> 2009"]
    assert zh.kind == "fuzzy" and zh.score < 100 and zh.notes == ["number differs: 1999 -> 2009"]


def test_no_match_both_directions(spec):
    with _filled(spec) as tm:
        en, zh = tm.lookup(["Completely unrelated words here."], "en", "zh")[0], \
            tm.lookup(["完全无关的句子。"], "zh", "en")[0]
    assert en == [] and zh == []


def test_units_answer_the_reverse_direction(spec):
    with _filled(spec) as tm:
        [[m]] = tm.lookup(["这名干部于1999年辞职。"], "zh", "en")
        [[n]] = tm.lookup(["The weather is fine today."], "en", "zh")
    assert (m.score, m.target, m.reverse) == (100, "The cadre resigned in 1999.", True)
    assert (n.score, n.target, n.reverse) == (100, "今天天气很好。", True)


def test_normalisation_whitespace_width_quotes(spec):
    with open_memory(spec) as tm:
        tm.add_units([Unit("He said “yes” to ABC 123.", "他对ABC 123说“是”。", "en", "zh-CN")])
        [[m]] = tm.lookup(['He  said "yes"  to ＡＢＣ １２３. '], "en", "zh")
        [[case]] = tm.lookup(['he said "yes" to ABC 123.'], "en", "zh")
    assert (m.score, m.kind) == (100, "exact")
    assert case.kind == "fuzzy"  # case is not normalised


def test_zh_tw_units_for_a_zh_cn_request(spec):
    """Documented: a unit in another Chinese script is offered as a fuzzy match (score - 5,
    at most 99) with a note, never used as an exact match."""
    with _filled(spec) as tm:
        [[m]] = tm.lookup(["The river flooded the village."], "en", "zh-CN")
        [[same]] = tm.lookup(["The river flooded the village."], "en", "zh-TW")
        [[fz]] = tm.lookup(["The river flooded the villages."], "en", "zh")
    assert (m.score, m.kind, m.target) == (95, "fuzzy", "河水淹沒了村莊。")
    assert m.notes == ["the memory's translation is zh-TW, not zh-CN"]
    assert (same.score, same.kind) == (100, "exact")
    assert fz.score == int(100 * 5 / 6) - 5 and fz.kind == "fuzzy"


def test_same_results_from_both_stores(tmp_path, pg):
    rng = random.Random(7)
    words = "the of a cadre river committee budget village city meeting report year member state plan".split()
    units = []
    for i in range(3000):
        s = " ".join(rng.choice(words) for _ in range(rng.randint(5, 12))).capitalize() + f" {i % 97}."
        units.append(Unit(s, f"译文{i}。", "en", "zh-CN", origin=rng.choice(["aligned", "imported", "edited"])))
    queries = [u.source for u in rng.sample(units, 40)]
    queries += [q.replace(" the ", " a ", 1) for q in queries[:20]] + ["No such sentence at all."]
    results = []
    for spec in (str(tmp_path / "m.sqlite"), pg.new_database("tm_same")):
        with open_memory(spec) as tm:
            tm.add_units([Unit(**u.__dict__) for u in units], batch_size=1000)
            results.append([[(m.score, m.kind, m.target) for m in ms] for ms in tm.lookup(queries, "en", "zh")])
    assert results[0] == results[1]
    assert all(r and r[0][0] == 100 for r in results[0][:40])


def test_fuzzy_candidates_come_from_the_index_among_many(spec):
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(400)]
    units = [Unit(" ".join(rng.choice(vocab) for _ in range(10)) + ".", f"t{i}", "en", "zh-CN") for i in range(5000)]
    with open_memory(spec) as tm:
        tm.add_units(units)
        target = units[1234]
        words = target.source[:-1].split()
        words[4] = "changed"
        [best] = tm.lookup([" ".join(words) + "."], "en", "zh", limit=1)[0]
    assert (best.target, best.score) == ("t1234", 90)


def test_mt_needs_to_be_asked_for_by_name(spec):
    with open_memory(spec) as tm:
        r = tm.add_units([Unit("Raw machine output.", "原始机器输出。", "en", "zh-CN", origin="mt")])
        assert (r.added, r.skipped) == (0, 1)
        assert tm.lookup(["Raw machine output."], "en", "zh")[0] == []
        r = tm.add_units([Unit("Raw machine output.", "原始机器输出。", "en", "zh-CN", origin="mt")], include_mt=True)
        assert r.added == 1
        assert tm.lookup(["Raw machine output."], "en", "zh")[0][0].unit.origin == "mt"


def test_duplicates_are_kept_once_and_origin_ranks(spec):
    with open_memory(spec) as tm:
        tm.add_units([Unit("Same source.", "旧译文。", "en", "zh-CN", origin="imported", changed="2020-01-01T00:00:00Z")])
        again = tm.add_units([Unit("Same source.", "旧译文。", "en", "zh-CN", origin="imported")])
        tm.add_units([Unit("Same source.", "新译文。", "en", "zh-CN", origin="edited")])
        ms = tm.lookup(["Same source."], "en", "zh")[0]
    assert (again.added, again.duplicates) == (0, 1)
    assert [m.target for m in ms] == ["新译文。", "旧译文。"]  # a translator's edit first


def test_concordance_english_and_chinese(spec):
    with _filled(spec) as tm:
        assert [u.source for u in tm.search("CADRE")] == ["The cadre resigned in 1999."]
        assert [u.target for u in tm.search("垫子")] == ["猫坐在垫子上。"]          # two characters
        assert [u.source for u in tm.search("去了北京")] == ["他昨天去了北京开会。"]  # four
        assert [u.source for u in tm.search("budget for", lang="zh")] == [
            "The committee approved the budget for next year."]
        assert tm.search("100%") == []
        with pytest.raises(InputError):
            tm.search("  ")


def test_remove_by_origin_file_date(spec):
    with open_memory(spec) as tm:
        tm.add_units([Unit("Old one.", "旧的。", "en", "zh-CN", origin="aligned", changed="2020-05-01T00:00:00Z")],
                     file="a/old.tmx")
        tm.add_units([Unit("New one.", "新的。", "en", "zh-CN", origin="edited")], file="new.tmx")
        tm.add_units([Unit("Third one.", "第三。", "en", "zh-CN", origin="aligned")], file="new.tmx")
        assert tm.remove(before="2021-01-01") == 1
        assert tm.remove(origin="edited") == 1
        assert tm.remove(file="new.tmx") == 1
        assert tm.stats().units == 0
        with pytest.raises(AlignerError):
            tm.remove()


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" srclang="en-US" datatype="plaintext" segtype="sentence"
 adminlang="en" o-tmf="x"/><body>
<tu tuid="a1" creationdate="20240102T030405Z" changedate="20250607T080910Z" creationid="mei">
 <note>checked by Mei</note><note>second note</note>
 <prop type="x-origin">edited</prop><prop type="x-document">report.docx</prop>
 <prop type="prev">Before it.</prop><prop type="next">After it.</prop><prop type="x-client">ACME</prop>
 <tuv xml:lang="en-US"><seg>The cadre resigned.</seg></tuv><tuv xml:lang="zh-TW"><seg>這名幹部辭職了。</seg></tuv></tu>
<tu tuid="a2" creationdate="20240102T030405Z"><tuv xml:lang="en-US"><seg>A &lt;b&gt; tag &amp; more.</seg></tuv>
 <tuv xml:lang="zh-TW"><seg>一個標籤。</seg></tuv></tu>
<tu><tuv xml:lang="EN-us"><seg>Third.</seg></tuv><tuv xml:lang="zh-tw"><seg>第三。</seg></tuv></tu>
</body></tmx>
"""


def test_tmx_round_trip_keeps_every_unit_and_field(spec, tmp_path):
    src = tmp_path / "in.tmx"
    src.write_text(TMX, encoding="utf-8")
    with open_memory(spec) as tm:
        result = tm.import_file(str(src))
        assert (result.added, result.units) == (3, 3)
        out = tmp_path / "out.tmx"
        assert tm.export_tmx(str(out)) == 3
    before = read_tmx_units(src.read_bytes(), "in")
    after = read_tmx_units(out.read_bytes(), "out")
    # What the memory adds: the file's name where a unit has none, the import's date where
    # it has none, "changed" = "created" where only that is known, its own id as tuid.
    stamped = {i for i, u in enumerate(before) if u.created is None}
    strip = lambda i, u: {**u.__dict__, "id": None, "file": u.file or "in.tmx",  # noqa: E731
                          "created": None if i in stamped else u.created,
                          "changed": None if i in stamped else (u.changed or u.created),
                          "meta": {**u.meta, "tuid": u.meta.get("tuid", "?")} if i not in stamped else {}}
    assert [strip(i, u) for i, u in enumerate(after)] == [strip(i, u) for i, u in enumerate(before)]
    assert after[2].created and after[2].changed
    first = after[0]
    assert (first.src_lang, first.tgt_lang, first.origin, first.file, first.author) == \
        ("en-US", "zh-TW", "edited", "report.docx", "mei")
    assert (first.created, first.changed) == ("2024-01-02T03:04:05Z", "2025-06-07T08:09:10Z")
    assert first.notes == ["checked by Mei", "second note"] and first.meta == {"props": {"x-client": "ACME"},
                                                                               "tuid": "a1"}
    assert (first.prev, first.next) == ("Before it.", "After it.")
    assert after[2].src_lang == "en-US" and after[2].tgt_lang == "zh-TW"
    etree.fromstring(out.read_bytes())  # well-formed


def test_units_from_a_bitext_keep_context_and_origin():
    src = Document.from_sentences("en", ["One.", "Two.", "Three.", "Four."])
    tgt = Document.from_sentences("zh", ["一。", "二。", "三。", "四。"])
    bt = Bitext(src, tgt, [Bead([0], [0], origin="aligned"), Bead([1], [1], origin="mt", id=1),
                           Bead([2], [2], origin="edited", id=2, meta={"notes": ["fixed"]}),
                           Bead([3], [], origin="aligned", id=3)])
    units = units_from_bitext(bt, file="a.jsonl")
    assert [(u.source, u.origin, u.prev, u.next, u.tgt_lang) for u in units] == [
        ("One.", "aligned", None, "Two.", "zh-CN"), ("Two.", "mt", "One.", "Three.", "zh-CN"),
        ("Three.", "edited", "Two.", "Four.", "zh-CN")]
    assert units[2].notes == ["fixed"]


def test_sqlite_file_that_is_not_a_memory(tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="not a translation memory: the file is not an SQLite database"):
        open_memory(str(bad))
    assert bad.read_bytes() == b"this is not a database at all" * 100
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t(x)")
    with pytest.raises(InputError, match="another program"):
        open_memory(str(other))


def test_scores_are_documented_values():
    tok = M.Tokenizer()
    assert M.score(tok("The cat sat.", "en"), tok("The dog sat.", "en"), False) == 75
    assert M.score(tok("他去了北京。", "zh"), tok("他去了上海。", "zh"), False) == 66
    assert M.normalize("  “Ｈi”\u3000there ") == '"Hi" there'
    assert M.variant("zh") == M.variant("zh-CN") == "hans" and M.variant("zh-HK") == "hant"


# --- the fuzzy candidate index (aligner.memory.base: units filed under their rarest grams) ---

def _crowd(rng, n):
    """n units of common words only (each in thousands of units), English and Chinese."""
    en = "the of a and to in that was for on with he it as his".split()
    zh = "的了是在不我有他这中大来上国个到说们为子和你"
    return [Unit(" ".join(rng.choice(en) for _ in range(9)) + ".", "".join(rng.choice(zh) for _ in range(14)) + "。",
                 "en", "zh-CN") for _ in range(n)]


def test_the_index_finds_a_unit_through_its_rare_grams_among_thousands(spec):
    rng = random.Random(11)
    units = _crowd(rng, 4000)
    wanted = Unit("The Minister of Fisheries signed the Kyoto protocol in Geneva today.",
                  "渔业部长今天在日内瓦签署了京都议定书。", "en", "zh-CN")
    units.insert(2500, wanted)
    with open_memory(spec) as tm:
        tm.add_units(units, batch_size=1000)
        # Two words changed: only its rare words and bigrams tell it apart from the crowd.
        [en] = tm.lookup(["The Minister of Fisheries signed the Paris protocol in Geneva yesterday."], "en", "zh",
                         limit=1)[0]
        # The other direction: the unit's Chinese side, one character changed and one dropped.
        [zh] = tm.lookup(["渔业部长昨天在日内瓦签署京都议定书。"], "zh", "en", limit=1)[0]
    assert (en.target, en.score, en.kind) == (wanted.target, 83, "fuzzy")
    assert (zh.target, zh.score, zh.reverse) == (wanted.source, 89, True)  # 2 edits in 19
    assert M.score(M.Tokenizer()("渔业部长昨天在日内瓦签署京都议定书。", "zh"),
                   M.Tokenizer()(wanted.target, "zh"), False) == 89


def _filed_units(tm):
    """Every unit id in the posting lists of the candidate index (both sides)."""
    return {int(i) for t in ("cand_src", "cand_tgt") for (blob,) in tm.conn.execute(f"SELECT ids FROM {t}")
            for i in unpack_ids(blob)}


def test_the_index_follows_removals(spec):
    rng = random.Random(12)
    keep, drop = _crowd(rng, 300), _crowd(rng, 300)
    for u in drop:
        u.origin = "edited"
    with open_memory(spec) as tm:
        tm.add_units(keep + drop, batch_size=100)
        assert tm.remove(origin="edited") == 300
        counts = {side: dict(tm.conn.execute(f"SELECT gram, n FROM grams_{side} WHERE n > 0").fetchall())
                  for side in ("src", "tgt")}
        filed = _filed_units(tm)
        ids = {u for (u,) in tm.conn.execute("SELECT id FROM units")}
        q = drop[5].source
        found = tm.lookup([q], "en", "zh")[0]
    # The counts are those of the units kept, as if the others had never been added.
    expect = {"src": {}, "tgt": {}}
    for u in keep:
        for side, text, lang in (("src", u.source, "en"), ("tgt", u.target, "zh")):
            for t in M.counted_tokens(M.normalize(text), lang):
                expect[side][t] = expect[side].get(t, 0) + 1
    assert counts == expect
    assert filed == ids and len(ids) == 300
    assert all(m.unit.origin != "edited" for m in found)


def test_a_schema_1_memory_gets_the_index_when_opened_for_writing(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with open_memory(path) as tm:
        tm.add_units([Unit(**u.__dict__) for u in UNITS])
    # What an aligner before the candidate index wrote: the same file without its tables.
    with sqlite3.connect(path) as c:
        for t in ("cand_src", "cand_tgt", "grams_src", "grams_tgt"):
            c.execute(f"DROP TABLE {t}")
        c.execute("UPDATE tm_info SET value='1' WHERE key='schema'")
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with pytest.raises(InputError, match="earlier aligner"):
            open_memory(path, readonly=True)
        assert path.read_bytes() == before
    finally:
        path.chmod(0o644)
    # A read-only command (translate --tm, tm stats) on a writable file upgrades it first.
    with open_memory(path, readonly=True) as tm:
        [m] = tm.lookup(["The cat sat on the red mat."], "en", "zh", limit=1)[0]
        assert tm.conn.execute("SELECT value FROM tm_info WHERE key='schema'").fetchone()[0] == tm.SCHEMA_VERSION
    assert (m.target, m.kind) == ("猫坐在垫子上。", "fuzzy")
    with open_memory(path) as tm:
        assert tm.lookup(["The cat sat on the mat."], "en", "zh")[0][0].score == 100


def test_a_schema_2_memory_gets_packed_postings_when_opened_for_writing(spec, tmp_path):
    rng = random.Random(13)
    units = _crowd(rng, 500) + [Unit(**u.__dict__) for u in UNITS]
    queries = ["The cat sat on the red mat.", "The committee approved the budget for this year.", "他昨天去了上海开会。"]
    with open_memory(spec) as tm:
        tm.add_units(units, batch_size=200)
        expected = [[(m.score, m.target) for m in ms] for ms in tm.lookup(queries, "en", "zh")[:2]]
        expected.append([(m.score, m.target) for m in tm.lookup(queries[2:], "zh", "en")[0]])
        # What an aligner of schema 2 wrote: one row per (gram, unit).
        P = tm.P
        with tm._write() as c:
            for t in ("cand_src", "cand_tgt"):
                rows = sorted({(g, int(i)) for g, blob in c.execute(f"SELECT gram, ids FROM {t}").fetchall()
                               for i in unpack_ids(blob)})
                c.execute(f"DROP TABLE {t}")
                c.execute(f"CREATE TABLE {t}(gram TEXT NOT NULL, unit BIGINT NOT NULL, PRIMARY KEY (gram, unit))")
                tm._many(c, f"INSERT INTO {t} VALUES ({P}, {P})", rows)
            c.execute("UPDATE tm_info SET value='2' WHERE key='schema'")
        ids = {u for (u,) in tm.conn.execute("SELECT id FROM units")}
    if spec.endswith(".sqlite"):
        path = Path(spec)
        before = path.read_bytes()
        path.chmod(0o444)
        try:
            with pytest.raises(InputError, match="earlier aligner"):
                open_memory(spec, readonly=True)
            assert path.read_bytes() == before  # nothing changed
        finally:
            path.chmod(0o644)
    else:
        with pytest.raises(InputError, match="earlier aligner"):
            open_memory(spec, readonly=True)
    with open_memory(spec) as tm:
        assert tm.conn.execute("SELECT value FROM tm_info WHERE key='schema'").fetchone()[0] == tm.SCHEMA_VERSION
        assert _filed_units(tm) == ids
        got = [[(m.score, m.target) for m in ms] for ms in tm.lookup(queries, "en", "zh")[:2]]
        got.append([(m.score, m.target) for m in tm.lookup(queries[2:], "zh", "en")[0]])
    assert got == expected and got[0][0] == (87, "猫坐在垫子上。")  # 1 token inserted in 8


def test_fast_tokens_are_the_scores_tokens():
    rng = random.Random(2)
    pool = [chr(c) for c in range(0x250)] + list("你好，。！？「」—…_ \t\u3000\u00a0١٢٣ⅫⅣ²³é") + ["\U0001F600"]
    for _ in range(20000):
        norm = M.normalize("".join(rng.choice(pool) for _ in range(rng.randint(0, 25))))
        assert M.tokens(norm) == M._TOKEN.findall(norm), repr(norm)


def test_the_concordance_index_is_built_lazily(tmp_path):
    import sqlite3

    path = tmp_path / "memory.sqlite"
    with open_memory(path) as tm:
        tm.add_units([Unit(**u.__dict__) for u in UNITS], file="base.tmx")
        # An import leaves the FTS5 index for later: stats says so, a search builds it.
        assert tm.stats().unindexed == len(UNITS) and "not yet in it" in tm.stats().describe()
        assert tm.conn.execute("SELECT count(*) FROM units_src WHERE source LIKE '%cadre%'").fetchone()[0] == 0
        assert [u.source for u in tm.search("CADRE")] == ["The cadre resigned in 1999."]
        assert tm.stats().unindexed == 0 and "concordance index: built" in tm.stats().describe()
        # Units removed from the top, then new ones: the new ids are not taken as indexed.
        assert tm.remove(origin="imported") == 3
        tm.add_units([Unit("The committee met on Monday.", "委员会星期一开会。", "en", "zh-CN")], file="b.tmx")
        assert tm.stats().unindexed == 1
        assert [u.target for u in tm.search("met on Monday")] == ["委员会星期一开会。"]
        assert [u.source for u in tm.search("river")] == []  # removed, and gone from the index
        tm.add_units([Unit("The river flooded the town again.", "河水再次淹没了小镇。", "en", "zh-CN")])
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())

    def searches(tm):
        return [[(u.source, u.target) for u in tm.search(p)] for p in ("again", "开会", "TOWN", "委员会")]

    with open_memory(copy) as tm:
        expected = searches(tm)  # with the index built
        assert tm.concordance_pending() == 0 and [len(r) for r in expected] == [1, 2, 1, 1]
    # A memory nobody may write: the units the index lacks are read as they are, the file
    # stays as it was.
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with open_memory(path, readonly=True) as tm:
            assert tm.concordance_pending() == 1
            assert searches(tm) == expected
        assert path.read_bytes() == before
    finally:
        path.chmod(0o644)
    # FTS5's own check: the index holds exactly the units up to fts_upto.
    with open_memory(path) as tm:
        assert tm.build_concordance() == 1
        tm.conn.execute("INSERT INTO units_src(units_src) VALUES ('integrity-check')")
        tm.conn.execute("INSERT INTO units_tgt(units_tgt) VALUES ('integrity-check')")
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT value FROM tm_info WHERE key='fts_upto'").fetchone()[0] == str(
            c.execute("SELECT max(id) FROM units").fetchone()[0])


def test_a_schema_3_memory_keeps_its_concordance_index(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with open_memory(path) as tm:
        tm.add_units([Unit(**u.__dict__) for u in UNITS])
        tm.build_concordance()
    # What an aligner of schema 3 wrote: every unit in the FTS5 tables, no fts_upto, a trigger
    # that deletes every row from them.
    with sqlite3.connect(path) as c:
        c.execute("DELETE FROM tm_info WHERE key='fts_upto'")
        c.execute("DROP TRIGGER units_ad")
        c.execute("CREATE TRIGGER units_ad AFTER DELETE ON units BEGIN "
                  "INSERT INTO units_src(units_src, rowid, source) VALUES ('delete', old.id, old.source); "
                  "INSERT INTO units_tgt(units_tgt, rowid, target) VALUES ('delete', old.id, old.target); END")
        c.execute("UPDATE tm_info SET value='3' WHERE key='schema'")
    with open_memory(path) as tm:
        assert tm.conn.execute("SELECT value FROM tm_info WHERE key='schema'").fetchone()[0] == "4"
        assert tm.concordance_pending() == 0  # nothing to rebuild
        assert [u.target for u in tm.search("垫子上")] == ["猫坐在垫子上。"]
        assert tm.remove(origin="edited") == 1
        assert tm.search("垫子上") == []
        tm.conn.execute("INSERT INTO units_src(units_src) VALUES ('integrity-check')")
    # A memory of a later aligner: one clear message, the file untouched.
    with sqlite3.connect(path) as c:
        c.execute("UPDATE tm_info SET value='9' WHERE key='schema'")
    before = path.read_bytes()
    with pytest.raises(InputError, match="schema 9 is not supported"):
        open_memory(path)
    assert path.read_bytes() == before


def test_fuzzy_matches_from_units_of_both_directions(spec):
    with open_memory(spec) as tm:
        tm.add_units([Unit("The cat sat on the mat.", "猫坐在垫子上。", "en", "zh-CN"),
                      Unit("猫坐在红垫子上。", "The cat sat on the red mat.", "zh-CN", "en")])
        found = tm.lookup(["The cat sat on the big red mat."], "en", "zh")[0]
        # 9 tokens: 1 more than the reversed unit's source (88), 2 more than the other's (77)
        assert [(m.score, m.target, m.reverse) for m in found] == [
            (88, "猫坐在红垫子上。", True), (77, "猫坐在垫子上。", False)]


def test_the_tokenizer_has_codes_for_more_tokens_than_the_private_use_planes():
    tok = M.Tokenizer()
    words = [f"w{i}" for i in range(140_000)]
    forms = [tok(w, "en") for w in words]
    assert len(set(forms)) == len(words) and all(len(f) == 1 for f in forms)
    a, b = tok(" ".join(words[-8:]), "en"), tok(" ".join(words[-8:-1] + ["w0"]), "en")
    assert M.score(a, b, False) == 87
    assert M.score(*M.Tokenizer.forms([" ".join(words[-8:]), " ".join(words[-8:-1] + ["w0"])], "en"), False) == 87


def _batch_texts(rng, n):
    """Texts that exercise the batch gram code: English words (some of them Chinese
    characters, which share the counts with Chinese texts' characters), Chinese with
    repeated characters (whose rarest characters give fewer than 4 distinct bigrams), one
    character, nothing."""
    words = ["the", "king", "中", "中国", "river", "(12)", "“x”", "ｂ", "\U0002000b", "a"]
    chars = "中国北京的了是在人有我他这个们来到时大地为子"
    out = []
    for _ in range(n):
        k = rng.random()
        if k < 0.05:
            out.append(("", "en" if rng.random() < 0.5 else "zh"))
        elif k < 0.1:
            out.append((rng.choice(chars), "zh-CN"))
        elif k < 0.25:
            out.append(("".join(rng.choice("中中国") for _ in range(rng.randint(2, 20))), "zh-TW"))
        elif k < 0.55:
            out.append(("".join(rng.choice(chars + " ，") for _ in range(rng.randint(1, 40))), "zh"))
        else:
            out.append((" ".join(rng.choice(words) for _ in range(rng.randint(1, 15))), rng.choice(["en", "fr"])))
    return out


def test_batch_grams_are_the_grams_unit_by_unit():
    """match.TokenBatch (what an import and a removal use) gives the counts, the rare grams
    and the index grams that counted_tokens, rare_grams and index_grams give unit by unit."""
    import numpy as np

    rng = random.Random(31)
    for _ in range(60):
        texts = _batch_texts(rng, rng.randint(1, 60))
        norms = [M.normalize(t) for t, _ in texts]
        langs = [lang for _, lang in texts]
        batch = M.TokenBatch(norms, [M.base(lang) == "zh" for lang in langs])
        tokens = [M.counted_tokens(n, lang) for n, lang in zip(norms, langs)]
        held: dict[str, int] = {}
        for ts in tokens:
            for t in ts:
                held[t] = held.get(t, 0) + 1
        assert dict(zip(batch.tokens, batch.counts.tolist())) == held
        # counts of a memory that already holds some of the tokens
        before = {t: rng.randint(0, 4) for t in held if rng.random() < 0.5}
        counts = {t: before.get(t, 0) + n for t, n in held.items()}
        total = np.array([counts[t] for t in batch.tokens], dtype=np.int64)
        for got_of, want_of in ((batch.rare_grams(total, 4),
                                 lambda i: M.rare_grams(norms[i], langs[i], tokens[i], counts, 4)),
                                (batch.index_grams(), lambda i: M.index_grams(norms[i], langs[i]))):
            unit_i, gram_i, grams = got_of
            got = [set() for _ in texts]
            for u, g in zip(unit_i.tolist(), gram_i.tolist()):
                got[u].add(grams[g])
            assert got == [set(want_of(i)) for i in range(len(texts))]


def test_an_import_files_each_unit_under_its_rare_grams(spec):
    """Through the store: a unit is filed under the grams rare_grams picks with the counts of
    the memory and its batch, on both sides, in both stores (one batch into an empty memory:
    the counts are the batch's)."""
    rng = random.Random(32)
    texts = [t for t in _batch_texts(rng, 400) if t[0].strip()]
    units = [Unit(a, b, la, lb) for (a, la), (b, lb) in zip(texts[::2], texts[1::2])]
    with open_memory(spec) as tm:
        tm.add_units(units, batch_size=10_000)
        ids = {u.source + "\x1f" + u.target + u.src_lang + u.tgt_lang: u.id for u in tm.iter_units()}
        filed = {side: {(int(i), g) for g, blob in tm.conn.execute(f"SELECT gram, ids FROM cand_{side}").fetchall()
                        for i in unpack_ids(bytes(blob))} for side in ("src", "tgt")}
    kept = {}
    for u in units:  # (duplicates are kept once: the first)
        kept.setdefault(u.source + "\x1f" + u.target + u.src_lang + u.tgt_lang, u)
    for side, text, lang in (("src", "source", "src_lang"), ("tgt", "target", "tgt_lang")):
        counts: dict[str, int] = {}
        for u in kept.values():
            for t in M.counted_tokens(M.normalize(getattr(u, text)), getattr(u, lang)):
                counts[t] = counts.get(t, 0) + 1
        want = set()
        for key, u in kept.items():
            norm = M.normalize(getattr(u, text))
            want |= {(ids[key], g) for g in M.rare_grams(norm, getattr(u, lang), M.counted_tokens(norm, getattr(u, lang)),
                                                        counts, 4)}
        assert filed[side] == want


def test_token_counts_of_texts_with_a_nul(tmp_path):
    """A token with a NUL in it (a TSV can hold one) is counted as itself, not as the text
    before the NUL (SQLite's JSON functions, which add a batch's counts, cut text there)."""
    units = [Unit("a\x00b c", "甲\x00乙", "en", "zh-CN"), Unit("a d", "甲丙", "en", "zh-CN")]
    with open_memory(str(tmp_path / "m.sqlite")) as tm:
        tm.add_units(units)
        src = dict(tm.conn.execute("SELECT gram, n FROM grams_src").fetchall())
        tgt = dict(tm.conn.execute("SELECT gram, n FROM grams_tgt").fetchall())
        [m] = tm.lookup(["a\x00b c"], "en", "zh")[0]
    assert src == {"a\x00b": 1, "c": 1, "a": 1, "d": 1}
    assert tgt == {"甲": 2, "\x00": 1, "乙": 1, "丙": 1}
    assert (m.target, m.score) == ("甲\x00乙", 100)


def test_a_removal_taken_out_of_the_index_in_parts(tmp_path, monkeypatch):
    """A large removal is taken out of the candidate index in parts (bounded memory): the
    index is the same as after one part."""
    import aligner.memory.base as B

    rng = random.Random(13)
    keep, drop = _crowd(rng, 200), _crowd(rng, 200)
    for u in drop:
        u.origin = "edited"
    tables = {}
    for parts in (10 ** 6, 7):
        monkeypatch.setattr(B, "_UNINDEX_UNITS", parts)
        with open_memory(str(tmp_path / f"m{parts}.sqlite")) as tm:
            tm.add_units([Unit(**u.__dict__) for u in keep + drop], batch_size=100)
            assert tm.remove(origin="edited") == 200
            tables[parts] = [sorted((g, blk, bytes(b)) for g, blk, b in tm.conn.execute(
                                 f"SELECT gram, blk, ids FROM {t}").fetchall()) for t in ("cand_src", "cand_tgt")] + \
                            [sorted(tm.conn.execute(f"SELECT gram, n FROM {t}").fetchall()) for t in ("grams_src", "grams_tgt")]
            assert _filed_units(tm) == {i for (i,) in tm.conn.execute("SELECT id FROM units")}
    assert tables[7] == tables[10 ** 6]
