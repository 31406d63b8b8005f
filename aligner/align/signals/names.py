"""Names: English names against the pinyin of Chinese characters (Chen Qingyang = 陈清扬,
Zhu Zhiqiang = 朱志强, Nanjing = 南京).

An English unit is a capitalised word that spells one to four pinyin syllables and is not an
ordinary English word starting a sentence; its key is the word in lower case. A Chinese
sentence offers the toneless pinyin of every run of one to four Han characters (all readings
of each character), so "qingyang" meets 清扬. Chinese names are not known in advance, so only
the English names are units; the chance of a common syllable (Chen, Wang) is high, that of a
two-syllable given name tiny, and the coverage model weighs them accordingly.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from aligner.align.cedict import load_en_vocab
from aligner.align.pairing import Pairing
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal
from aligner.text.scripts import is_han
from aligner.text.tokens import EN_STOPWORDS

PINYIN_SYLLABLES = frozenset("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang
cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan
chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian
diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang
hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin
jing jiong jiu ju juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang
kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou
lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou
mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun
nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian
qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua
ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shen sheng shi
shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang
tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo
wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying
yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe
zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun
zuo
""".split()) | {"lu", "nu"}

_LONGEST = 6
_NAME = re.compile(r"[A-Z][a-z]+(?:['’-][a-z]+)?|[A-Z][a-z]*(?=[A-Z][a-z])")


@functools.lru_cache(maxsize=100_000)
def pinyin_syllables(word: str) -> int:
    """How many pinyin syllables spell `word` (0 if it cannot be read as pinyin)."""
    w = word.lower().replace("'", "").replace("’", "").replace("-", "").replace("ü", "v")
    n = len(w)
    best = [0] + [99] * n  # fewest syllables spelling w[:i]
    for i in range(1, n + 1):
        for k in range(1, min(_LONGEST, i) + 1):
            if best[i - k] < 99 and w[i - k:i] in PINYIN_SYLLABLES:
                best[i] = min(best[i], best[i - k] + 1)
    return best[n] if best[n] < 99 else 0


@functools.lru_cache(maxsize=1)
def _reading_table() -> dict[int, str]:
    # pypinyin's single-character table, read from its data file without importing the
    # package (which loads the phrase tables: 50 MB that names, read per character, never use).
    import importlib.util
    import json
    import os

    spec = importlib.util.find_spec("pypinyin")
    base = list(spec.submodule_search_locations)[0]
    with open(os.path.join(base, "pinyin_dict.json"), encoding="utf-8") as f:
        return {int(k): v for k, v in json.load(f).items()}


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading.replace("ü", "v").replace("Ü", "v"))
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()


@functools.lru_cache(maxsize=50_000)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of a Han character (at most three), e.g. 长 -> zhang, chang."""
    if not is_han(ch):
        return ()
    raw = _reading_table().get(ord(ch))
    if not raw:
        return ()
    out: list[str] = []
    for r in raw.split(","):
        t = _toneless(r)
        if t and t not in out:
            out.append(t)
    return tuple(out[:3])


def en_names(sentence: str, vocab: frozenset[str]) -> list[str]:
    out = []
    for m in _NAME.finditer(sentence):
        w = m.group(0)
        lw = w.lower()
        if lw in EN_STOPWORDS:
            continue
        n = pinyin_syllables(lw)
        if not 1 <= n <= 4:
            continue
        start = m.start()
        before = sentence[:start].rstrip(" \"“‘'(")
        initial = not before or before[-1] in ".!?:;"
        if initial and lw in vocab:
            continue  # "Long ago", "Men said": an ordinary word that starts the sentence
        out.append(lw.replace("'", "").replace("’", "").replace("-", ""))
    return out


def zh_pinyin_runs(sentence: str, wanted: set[str], prefixes: set[str], longest: int = 4,
                   starts: dict[str, list[str]] | None = None) -> set[str]:
    """The wanted names spelled by the toneless pinyin of a run of 1..longest Han characters
    (`prefixes`: every prefix of a wanted name, to stop early; `starts`: a dict kept across
    the sentences of a text, character -> its readings that begin a wanted name)."""
    out: set[str] = set()
    n = len(sentence)
    if starts is None:
        starts = {}
    for i in range(n):
        partial = starts.get(sentence[i])
        if partial is None:
            partial = starts[sentence[i]] = [r for r in char_readings(sentence[i]) if r in prefixes]
        if not partial:  # punctuation, Latin, digits, or no name starts there
            continue
        j = i + 1
        while partial:
            for p in partial:
                if p in wanted:
                    out.add(p)
            if j >= n or j - i >= longest:
                break
            rs = char_readings(sentence[j])
            partial = [p + r for p in partial for r in rs if p + r in prefixes]
            j += 1
    return out


@register
class NamesSignal(CoverageSignal):
    name = "names"
    description = "English names against the pinyin of Chinese characters"
    requires = ("zh-en",)
    rho_src = 0.6
    rho_tgt = 0.6

    #: prepared after the Chinese words: its pinyin runs are found beside the aligner with
    #: them (`zh_work`)
    uses_zh_words = True

    def _english_names(self, pairing: Pairing) -> list[list[str]]:
        got = getattr(self, "_names_of", None)
        if got is None or got[0] is not pairing:
            vocab = load_en_vocab()
            got = self._names_of = (pairing, [en_names(s, vocab) for s in pairing.zh_en[1].sentences])
        return got[1]

    def zh_work(self, pairing: Pairing):
        names = self._english_names(pairing)
        return (zh_name_offers, (set().union(*names),)) if any(names) else None

    def units(self, pairing: Pairing):
        zh, en = pairing.zh_en
        self._en_names = self._english_names(pairing)
        eu = [[frozenset((w,)) for w in names] for names in self._en_names]
        zu = [[] for _ in zh.sentences]
        return (zu, eu) if pairing.zh_is_src else (eu, zu)

    def offers(self, pairing: Pairing):
        zh, en = pairing.zh_en
        if any(self._en_names):
            zo = pairing.zh_work(self.name, zh_name_offers, (set().union(*self._en_names),))
        else:
            zo = [set() for _ in zh.sentences]
        eo = [set(names) for names in self._en_names]
        return (zo, eo) if pairing.zh_is_src else (eo, zo)


def zh_name_offers(sentences: list[str], wanted: set[str]) -> list[set[str]]:
    """Each Chinese sentence's offers: the wanted names its pinyin runs spell."""
    prefixes = {w[:i] for w in wanted for i in range(1, len(w) + 1)}
    starts: dict[str, list[str]] = {}
    return [zh_pinyin_runs(s, wanted, prefixes, starts=starts) for s in sentences]
