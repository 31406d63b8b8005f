"""The cache of built glossary matchers (aligner.glossary.cache): a glossary loaded from the
cache matches exactly as one built afresh; a corrupted, truncated or hostile cache file is
never used (the matcher is rebuilt and the file overwritten); the cache can be switched off."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from aligner.glossary import Glossary, Term, load_glossaries
from aligner.glossary import cache

NEWS = "glossaries/news.tsv"
CORPUS = Path("corpus")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ALIGNER_GLOSSARY_CACHE", raising=False)
    monkeypatch.setattr(cache, "MIN_FORMS", 0)  # small test glossaries are cached too
    return tmp_path / "cache" / "aligner" / "glossary"


def synthetic() -> list[Term]:
    """Inflected phrases, aliases, acronyms, forbidden renderings, case rules, forms with
    edge punctuation, Latin inside Chinese, and a term repeated on several rows."""
    terms = []
    nouns = ["cadre", "deficit", "policy", "factory", "tariff", "campaign", "reporter", "ballot"]
    adjs = ["local", "rural", "senior", "foreign", "central", "civil"]
    zh = "干部赤字政策工厂关税运动记者选票地方农村高级外国中央民事"
    for i, (a, n) in enumerate((a, n) for a in adjs for n in nouns):
        terms.append(Term(f"{a} {n}", zh[i % 30:i % 30 + 2] + zh[(i * 7) % 30:(i * 7) % 30 + 2] + str(i)))
    terms += [
        Term("Zhu Zhiqiang", "朱志强", aliases=["Zhu", "Mr Zhu"]),
        Term("Chu Chih-chiang", "朱志强", status="forbidden"),
        Term("Nanjing Military Region", "南京军区"), Term("Nanjing", "南京"),
        Term("CCP", "中共"), Term("Party", "党", case="sensitive"),
        Term("WHO", "世卫组织", case="insensitive"), Term("C++", "C++语言"),
        Term("GDP", "国内生产总值"), Term("GDP growth", "GDP增长"),
        Term("cadre", "干部"), Term("cadre", "骨干"), Term("cadre", "干部们", status="forbidden"),
        Term("labour camp", "劳改营", aliases=["labor camp"]),
    ]
    return terms


def texts() -> dict[str, list[str]]:
    en = (CORPUS / "article.en.txt").read_text(encoding="utf-8").splitlines()
    zh = (CORPUS / "article.zh.txt").read_text(encoding="utf-8").splitlines()
    forms = [t.source for t in synthetic()]
    en += [" ".join(forms), " and ".join(f.upper() + "s" for f in forms),
           "Local cadres, rural deficits and senior policies; Mr Zhu, Chu Chih-chiang, C++ and c++."]
    zh += ["".join(t.target for t in synthetic()), "GDPR和GDP增长、南京军区的干部们与骨干。"]
    return {"en": [t for t in en if t.strip()], "zh": [t for t in zh if t.strip()]}


def matches(g: Glossary) -> list:
    """Everything the glossary's matchers report on the texts, in both directions."""
    out = []
    for src, tgt in (("en", "zh"), ("zh", "en")):
        d = g.direction(src, tgt)
        for text in texts()[src]:
            out.append([(m.start, m.end, m.text, m.entry.id, m.term.fields()) for m in d.find(text)])
        for text in texts()[tgt]:
            out.append([(m.start, m.end, m.entry.id) for m in d.renderings(text)])
            out.append([(m.start, m.end, m.entry.id) for m in d.forbidden(text)])
    return out


def fresh(make, monkeypatch) -> list:
    with monkeypatch.context() as m:
        m.setenv("ALIGNER_GLOSSARY_CACHE", "0")
        return matches(make())


GLOSSARIES = {"news": lambda: load_glossaries([NEWS]), "synthetic": lambda: Glossary(synthetic())}


@pytest.mark.parametrize("name", GLOSSARIES)
def test_cached_glossary_matches_as_a_fresh_one(name, cache_dir, monkeypatch):
    make = GLOSSARIES[name]
    expected = fresh(make, monkeypatch)
    assert not cache_dir.exists()  # switched off: nothing written
    assert any(expected)
    assert matches(make()) == expected  # built, and written to the cache
    files = {p: p.stat().st_ino for p in cache_dir.glob("*.matcher")}
    assert len(files) >= 6  # per direction: source, renderings, forbidden
    assert matches(make()) == expected  # from the cache
    # read, not rewritten: an atomic write would have made a new inode
    assert {p: p.stat().st_ino for p in cache_dir.glob("*.matcher")} == files


def test_another_glossary_is_another_key(cache_dir):
    matches(Glossary(synthetic()))
    before = set(cache_dir.glob("*.matcher"))
    g = Glossary(synthetic()[:-1] + [Term("labour camp", "劳教所")])
    assert [m.entry.rendering for m in g.find("a labour camp", "en")] == ["劳教所"]
    assert set(cache_dir.glob("*.matcher")) > before


def _cache_files(cache_dir: Path) -> list[Path]:
    matches(Glossary(synthetic()))
    files = sorted(cache_dir.glob("*.matcher"))
    assert files and all(map(usable, files))
    return files


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_a_corrupted_cache_file_is_rebuilt_and_overwritten(damage, cache_dir, monkeypatch):
    expected = fresh(lambda: Glossary(synthetic()), monkeypatch)
    files = _cache_files(cache_dir)
    for p in files:
        data = p.read_bytes()
        if damage == "truncate":
            p.write_bytes(data[:len(data) // 2])
        elif damage == "flip":
            p.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
        elif damage == "empty":
            p.write_bytes(b"")
        else:
            p.write_bytes(b"\x00\xffnot a matcher" * 100)
    assert matches(Glossary(synthetic())) == expected
    for p in files:  # overwritten with a good build
        assert usable(p)


def usable(p: Path) -> bool:
    data = p.read_bytes()
    k = data[len(cache._MAGIC):len(cache._MAGIC) + 32]
    return p.name.startswith(k.hex()[:40], 3) and cache.load(p.name[:2], k) is not None


def test_a_hostile_cache_file_is_not_unpickled(cache_dir, monkeypatch, tmp_path):
    """A file with a valid header and checksum whose pickle calls something other than an
    automaton class: refused, rebuilt."""
    import hashlib

    expected = fresh(lambda: Glossary(synthetic()), monkeypatch)
    files = _cache_files(cache_dir)
    witness = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (witness,))

    for p in files:
        data = p.read_bytes()
        head = len(cache._MAGIC) + 32
        body = pickle.dumps({"lang": "en", "x": Evil()})
        p.write_bytes(data[:head] + hashlib.sha256(body).digest() + body)
    assert matches(Glossary(synthetic())) == expected
    assert not witness.exists()
    assert all(map(usable, files))


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "file"))
    monkeypatch.setattr(cache, "MIN_FORMS", 0)
    expected = fresh(lambda: Glossary(synthetic()), monkeypatch)
    assert matches(Glossary(synthetic())) == expected


def test_small_matchers_are_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    monkeypatch.delenv("ALIGNER_GLOSSARY_CACHE", raising=False)
    assert cache.MIN_FORMS > 100
    matches(load_glossaries([NEWS]))
    assert not list(tmp_path.rglob("*.matcher"))


def test_the_cache_keeps_to_its_size(cache_dir, monkeypatch):
    """Beyond MAX_BYTES the least recently used files go; the newest always stays."""
    matches(Glossary(synthetic()))
    files = sorted(cache_dir.glob("*.matcher"))
    monkeypatch.setattr(cache, "MAX_BYTES", 1)
    Glossary(synthetic()[:-1]).find("local cadre", "en")  # another source matcher: written, the rest pruned
    left = list(cache_dir.glob("*.matcher"))
    assert len(left) == 1 and left[0] not in files


def test_the_key_tells_inputs_apart(cache_dir):
    def k(forms, payloads=None, sens=None, inflect=False, lang="en", overlapping=False):
        n = len(forms)
        return cache.key(lang, overlapping, [(forms, payloads or list(range(n)), sens or [False] * n, inflect)])

    base = k(["a\x00b", "c"])
    others = [k(["a", "b\x00c"]), k(["a\x00b", "c"], [1, 0]), k(["a\x00b", "c"], sens=[True, False]),
              k(["a\x00b", "c"], inflect=True), k(["a\x00b", "c"], lang="zh"),
              k(["a\x00b", "c"], overlapping=True), k(["ab", "c"])]
    assert base == k(["a\x00b", "c"]) and base not in others and len(set(others)) == len(others)
    assert k(["a", "b"], payloads=["x", "y"]) is None  # payloads other than entry numbers: not cached


def test_the_key_tells_batches_apart(cache_dir):
    """Forms added in one call or in two are different builds (inflected variants go after
    their own call's forms), and so are two calls with their inflection swapped."""
    one = cache.key("en", False, [(["a", "b"], [0, 1], [False, False], True)])
    two = cache.key("en", False, [(["a"], [0], [False], True), (["b"], [1], [False], True)])
    swapped = cache.key("en", False, [(["a"], [0], [False], False), (["b"], [1], [False], True)])
    assert len({one, two, swapped}) == 3 and None not in {one, two, swapped}
