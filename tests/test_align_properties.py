"""Property tests: whatever two texts are given (empty, one-sided, unrelated, repeated,
numbers only, any script), the alignment is a valid covering: monotone beads that hold every
sentence of both texts exactly once, each with a score in [0, 1]."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.align.core import align_sentences

ZH_CHARS = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴居声"
EN_WORDS = ("the doctor came down mountain team she said why river Chen Qingyang Zhu Zhiqiang Nanjing "
            "forty million twenty-one 1999 January party member statement wine sun light God earth").split()


def zh_sentence():
    return st.builds(lambda body, end: body + end,
                     st.text(alphabet=ZH_CHARS + "，、0123456789", min_size=0, max_size=30),
                     st.sampled_from(["。", "？", "！", "", "”", "……"]))


def en_sentence():
    return st.builds(lambda words, end: " ".join(words) + end,
                     st.lists(st.sampled_from(EN_WORDS), min_size=0, max_size=15),
                     st.sampled_from([".", "?", "!", "", '."']))


def any_sentence():
    return st.one_of(zh_sentence(), en_sentence(), st.text(max_size=20))


def check_covering(al, n, m):
    src = [k for b in al.beads for k in b.src]
    tgt = [l for b in al.beads for l in b.tgt]
    assert src == list(range(n))
    assert tgt == list(range(m))
    for b in al.beads:
        assert b.src or b.tgt
        assert b.src == list(range(b.src[0], b.src[0] + len(b.src))) if b.src else True
        assert b.tgt == list(range(b.tgt[0], b.tgt[0] + len(b.tgt))) if b.tgt else True
        assert 0.0 <= b.score <= 1.0
        assert len(b.src) <= 6 and len(b.tgt) <= 6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(zh_sentence(), max_size=14), st.lists(en_sentence(), max_size=14))
def test_zh_en_any_lengths(zh, en):
    al = align_sentences(zh, en, "zh", "en")
    check_covering(al, len(zh), len(en))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(en_sentence(), max_size=14), st.lists(zh_sentence(), max_size=14), st.data())
def test_en_zh_with_translation(en, zh, data):
    trans = data.draw(st.lists(zh_sentence(), min_size=len(en), max_size=len(en)))
    al = align_sentences(en, zh, "en", "zh", translation=trans)
    check_covering(al, len(en), len(zh))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_sentence(), max_size=10), st.lists(any_sentence(), max_size=10),
       st.integers(2, 6))
def test_any_text_any_max_bead(src, tgt, max_bead):
    al = align_sentences(src, tgt, "zh", "en", max_bead=max_bead)
    src_ids = [k for b in al.beads for k in b.src]
    tgt_ids = [l for b in al.beads for l in b.tgt]
    assert src_ids == list(range(len(src))) and tgt_ids == list(range(len(tgt)))
    assert all(len(b.src) <= max_bead and len(b.tgt) <= max_bead for b in al.beads)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 30), st.integers(0, 30))
def test_one_sided_and_repeated_texts(n, m):
    zh = ["他说：“好。”"] * n
    en = ['He said, "Fine."'] * m
    al = align_sentences(zh, en, "zh", "en")
    check_covering(al, n, m)
    if n == m:
        assert all(len(b.src) == len(b.tgt) for b in al.beads)
