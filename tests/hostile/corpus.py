"""The hostile corpus: the files translators really get, and the files that attack a tool.

Every function returns {file name: bytes}; nothing here runs aligner. `build(root)` writes
them all under `root` (one folder per family) for the input suite, the summary bench
(bench/hostile_summary.py) and the fuzzer's seeds (tools/fuzz_import.py).

Text is taken from the seed article (corpus/), so the fixture translation models know
every word and a correct translation can be computed independently.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_EN_PARAS = (REPO / "corpus" / "article.en.txt").read_text(encoding="utf-8").split("\n\n")
_ZH_PARAS = (REPO / "corpus" / "article.zh.txt").read_text(encoding="utf-8").split("\n\n")

# Two paragraphs of the article in each language (five sentences, two of them on one line).
EN = "\n\n".join(_EN_PARAS[4:6]) + "\n"
ZH = "\n\n".join(_ZH_PARAS[4:6]) + "\n"
# Traditional characters (Big5 cannot hold simplified ones): Zhu Zhiqiang, a cadre of Nanjing,
# withdrew from the Chinese Communist Party.
ZH_TRADITIONAL = "朱志強是南京的幹部。他退出了中國共產黨。\n"

MARKDOWN = """# Former Officer Withdraws

Zhu said that the CCP is not democratic. He was warned.

```python
print("Zhu Zhiqiang")  # code is not translated
x = {"cadre": 1}
```

| Name | Place |
|------|:-----:|
| Zhu Zhiqiang | Nanjing |

~~~
an unclosed fence: code to the end
"""

GLOSSARY = ("source\ttarget\tnote\n"
            "Zhu Zhiqiang\t朱志强\tthe subject of the article\n"
            "cadre\t干部\t\n"
            "Nanjing\t南京\tcapital of Jiangsu\n")

# XML that attacks the parser: an external entity reading a local file (XXE) and nested
# entities expanding to gigabytes (billion laughs).
XXE_DOCTYPE = '<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS_DOCTYPE = ("<!DOCTYPE {root} [<!ENTITY lol \"lol\">"
                  + "".join(f"<!ENTITY lol{i} \"{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}\">"
                            for i in range(1, 10))
                  + "]>")

TMX = """<?xml version="1.0" encoding="{enc}"?>
{doctype}<tmx version="1.4">
<header creationtool="hostile" creationtoolversion="1" datatype="plaintext" segtype="sentence"
 adminlang="en" srclang="en" o-tmf="x"/>
<body>
<tu><tuv xml:lang="en"><seg>{entity}The cadre was warned.</seg></tuv><tuv xml:lang="zh-CN"><seg>干部受到警告。</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Zhu lives in Nanjing.</seg></tuv><tuv xml:lang="zh-CN"><seg>朱住在南京。</seg></tuv></tu>
</body>
</tmx>
"""

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="article" source-language="en" target-language="zh-CN" datatype="plaintext"><body>
<trans-unit id="1"><source>{entity}The cadre was warned.</source><target>干部受到警告。</target></trans-unit>
<trans-unit id="2"><source>Zhu lives in Nanjing.</source><target>朱住在南京。</target></trans-unit>
</body></file>
</xliff>
"""

TBX = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<martif type="TBX-Basic" xml:lang="en"><text><body>
<termEntry id="t1"><langSet xml:lang="en"><tig><term>{entity}cadre</term></tig></langSet>
<langSet xml:lang="zh"><tig><term>干部</term></tig></langSet></termEntry>
</body></text></martif>
"""

# The pairs the well-formed memories above hold.
MEMORY_PAIRS = [("The cadre was warned.", "干部受到警告。"), ("Zhu lives in Nanjing.", "朱住在南京。")]
# The same with a bell and an escape (characters XML cannot carry) in the first sentence.
CONTROL_PAIRS = [(s.replace("The cadre", "The \x07\x1bcadre"), t) for s, t in MEMORY_PAIRS]
# A 5 MB sentence (a document without full stops, read whole).
HUGE_SENTENCE = ("the cadre was warned, " * 240_000)[: 5 * 2**20].strip()
MEMORY_TSV = "source\ttarget\n" + "".join(f"{s}\t{t}\n" for s, t in MEMORY_PAIRS)


def _rng(name: str) -> random.Random:
    return random.Random(name)  # the same bytes on every run


def _binary(name: str, size: int = 4096) -> bytes:
    """A PNG signature and noise: NUL bytes and invalid UTF-8 everywhere."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _rng(name).randbytes(size)


def _utf8_damaged(text: str) -> bytes:
    """UTF-8 with an encoded surrogate (as CESU-8/WTF-8 writers produce) in the middle."""
    data = text.encode("utf-8")
    cut = len(data) // 2
    while cut < len(data) and (data[cut] & 0xC0) == 0x80:
        cut += 1  # not inside a character
    return data[:cut] + b"\xed\xa0\x80" + data[cut:]


def text_files() -> dict[str, bytes]:
    """Articles for `translate` and `align`: encodings, line ends, damage, size, structure."""
    crlf = EN.replace("\n", "\r\n", 2)  # the first line ends are CRLF, the rest LF
    # A bell, a terminal colour escape and a form feed (NUL would make it a binary file).
    controls = "Zhu said that the CCP is not democratic.\x07 He was\x1b[31m warned.\x0c\n\nThe cadre was warned.\n"
    return {
        "empty.en.txt": b"",
        "whitespace.en.txt": "  \n\t\r\n \u3000\n".encode("utf-8"),
        "binary.en.txt": _binary("binary.en.txt"),
        "plain.en.txt": EN.encode("utf-8"),
        "plain.zh.txt": ZH.encode("utf-8"),
        "bom.en.txt": codecs.BOM_UTF8 + EN.encode("utf-8"),
        "utf16le.en.txt": codecs.BOM_UTF16_LE + EN.encode("utf-16-le"),
        "utf16be.zh.txt": codecs.BOM_UTF16_BE + ZH.encode("utf-16-be"),
        "gb18030.zh.txt": ZH.encode("gb18030"),
        "gbk.zh.txt": ZH.encode("gbk"),
        "big5.zh.txt": ZH_TRADITIONAL.encode("big5"),
        "crlf.en.txt": crlf.encode("utf-8"),
        "cr-only.en.txt": EN.replace("\n", "\r").encode("utf-8"),
        "controls.en.txt": controls.encode("utf-8"),
        "damaged-utf8.zh.txt": _utf8_damaged(ZH),
        "utf16-lone-surrogate.en.txt": codecs.BOM_UTF16_LE
        + "The cadre \ud800 was warned.\n".encode("utf-16-le", "surrogatepass"),
        "notes.en.md": MARKDOWN.encode("utf-8"),
        # 5 MB on one line, no sentence end: no model reads that as one sentence.
        "one-line-5mb.en.txt": (("the cadre was warned, " * 240_000)[:5 * 2**20] + "\n").encode(),
        "symbols.en.txt": b"1234 5678 -- +++ ... !!! \n",
    }


def glossary_files() -> dict[str, bytes]:
    g = GLOSSARY
    return {
        "empty.tsv": b"",
        "whitespace.tsv": b"\n \n\t\n",
        "binary.tsv": _binary("binary.tsv", 2000),
        "good.tsv": g.encode(),
        "bom.tsv": codecs.BOM_UTF8 + g.encode(),
        "crlf.tsv": g.replace("\n", "\r\n").encode(),
        "utf16-bom.tsv": codecs.BOM_UTF16_LE + g.encode("utf-16-le"),
        "utf16-no-bom.tsv": g.encode("utf-16-le"),
        "gb18030.tsv": g.encode("gb18030"),
        "extra-columns.tsv": g.replace("\tnote\n", "\tnote\tdomain\n", 1)
                              .replace("article\n", "article\tpolitics\n").encode(),
        "short-rows.tsv": (g + "Jiangsu\t江苏\n").encode(),  # fewer fields than the header: fine
        "missing-target-column.tsv": b"source\tnote\nZhu Zhiqiang\tthe subject\n",
        "duplicate-header.tsv": b"source\ttarget\ttarget\nZhu\t\xe6\x9c\xb1\t\xe6\x9c\xb1\n",
        "tab-in-field.tsv": (g + "Jiangsu\t江苏\tprovince\tof China\n").encode(),  # line 5
        "comments-only.tsv": b"# nothing but a comment\n",
        "unbalanced-quote.csv": 'source,target\n"Zhu Zhiqiang,朱志强\ncadre,干部\n'.encode(),
        "good.csv": "source,target,note\n\"Zhu Zhiqiang\",朱志强,\"the subject, of the article\"\ncadre,干部,\n".encode(),
        "bad-json.jsonl": b'{"source": "cadre", "target": "\xe5\xb9\xb2\xe9\x83\xa8"}\n{"source": "Zhu",\n',
        "surrogate.jsonl": b'{"source": "cadre \\ud800", "target": "\xe5\xb9\xb2\xe9\x83\xa8"}\n',
        "deep.jsonl": b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "not-well-formed.tbx": TBX.format(doctype="", entity="").encode()[:200],
        "xxe.tbx": TBX.format(doctype=XXE_DOCTYPE.format(root="martif"), entity="&xxe;").encode(),
        "billion-laughs.tbx": TBX.format(doctype=LAUGHS_DOCTYPE.format(root="martif"),
                                         entity="&lol9;").encode(),
        "wrong-root.tbx": b"<html><body>not a termbase</body></html>",
        "good.tbx": TBX.format(doctype="", entity="").encode(),
        # One 5 MB line: as a header (no tab in it), and as a note.
        "one-line-5mb.tsv": b"source target " * 400_000 + b"\n",
        "huge-note.tsv": (g + "Jiangsu\t江苏\t" + "a province of China. " * 250_000 + "\n").encode(),
    }


def memory_files() -> dict[str, bytes]:
    """Translation memories for `import` (and `glossary check`)."""
    tmx = TMX.format(enc="UTF-8", doctype="", entity="")
    return {
        "empty.tmx": b"",
        "binary.tmx": _binary("binary.tmx"),
        "good.tmx": tmx.encode(),
        "truncated.tmx": tmx.encode()[: len(tmx) // 2],
        "xxe.tmx": TMX.format(enc="UTF-8", doctype=XXE_DOCTYPE.format(root="tmx"), entity="&xxe;").encode(),
        "billion-laughs.tmx": TMX.format(enc="UTF-8", doctype=LAUGHS_DOCTYPE.format(root="tmx"),
                                         entity="&lol9;").encode(),
        "utf16.tmx": TMX.format(enc="UTF-16", doctype="", entity="").encode("utf-16"),
        "gb18030-declared.tmx": TMX.format(enc="GB18030", doctype="", entity="").encode("gb18030"),
        "gb18030-undeclared.tmx": tmx.replace(' encoding="UTF-8"', "").encode("gb18030"),
        "wrong-root.tmx": b"<html><body>not a memory</body></html>",
        "good.xlf": XLIFF.format(doctype="", entity="").encode(),
        "truncated.xlf": XLIFF.format(doctype="", entity="").encode()[:300],
        "xxe.xlf": XLIFF.format(doctype=XXE_DOCTYPE.format(root="xliff"), entity="&xxe;").encode(),
        "billion-laughs.xlf": XLIFF.format(doctype=LAUGHS_DOCTYPE.format(root="xliff"),
                                           entity="&lol9;").encode(),
        "xliff2.xlf": (b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" '
                       b'trgLang="zh"><file id="f"><unit id="1"><segment><source>The cadre.</source>'
                       b'</segment></unit></file></xliff>'),
        "good.tsv": MEMORY_TSV.encode(),
        "bom.csv": codecs.BOM_UTF8 + MEMORY_TSV.replace("\t", ",").encode(),
        "utf16.tsv": codecs.BOM_UTF16_LE + MEMORY_TSV.encode("utf-16-le"),
        "gb18030.tsv": MEMORY_TSV.encode("gb18030"),
        "mixed-line-ends.tsv": MEMORY_TSV.replace("\n", "\r\n", 1).encode(),
        "one-column.tsv": b"The cadre was warned.\nZhu lives in Nanjing.\n",
        "unbalanced-quote.csv": 'source,target\n"The cadre was warned.,干部受到警告。\n'.encode(),
        "binary.tsv": _binary("binary.tsv"),
        "long-field.tsv": ("source\ttarget\n" + "The cadre was warned. " * 200_000 + "\t干部受到警告。\n").encode(),
        "french.tsv": "source\ttarget\nLe cadre a été averti.\tLe cadre.\n".encode(),
        "whitespace.tsv": b"\t\n  \n\t\t\n",
    }


def good_bitext(pairs: list[tuple[str, str]] = MEMORY_PAIRS) -> str:
    """A small, valid bitext (JSON Lines), written by the library itself."""
    from aligner.io.bitext_jsonl import dumps_bitext
    from aligner.model import Bead, Bitext, Document

    src = Document.from_sentences("en", [s for s, _ in pairs], path="memory.tsv")
    tgt = Document.from_sentences("zh", [t for _, t in pairs], path="memory.tsv")
    beads = [Bead([i], [i], score=0.9, origin="import", id=i) for i in range(len(pairs))]
    return dumps_bitext(Bitext(src, tgt, beads))


def bitext_files() -> dict[str, bytes]:
    """Bitexts for `export`, `glossary check` and `glossary extract`."""
    good = good_bitext()
    header, *beads = good.splitlines()

    def edit(change, bead: bool = False) -> bytes:
        if bead:
            rec = json.loads(beads[0])
            change(rec)
            lines = [header, json.dumps(rec, ensure_ascii=False), *beads[1:]]
        else:
            rec = json.loads(header)
            change(rec)
            lines = [json.dumps(rec, ensure_ascii=False), *beads]
        return ("\n".join(lines) + "\n").encode()

    return {
        "empty.jsonl": b"",
        "whitespace.jsonl": b"\n  \n",
        "binary.jsonl": _binary("binary.jsonl"),
        "good.jsonl": good.encode(),
        "bom.jsonl": codecs.BOM_UTF8 + good.encode(),
        "utf16.jsonl": codecs.BOM_UTF16_LE + good.encode("utf-16-le"),
        "crlf.jsonl": good.replace("\n", "\r\n").encode(),
        "truncated.jsonl": good.encode()[: len(good.encode()) - 40],
        "not-json.jsonl": b"Zhu Zhiqiang quit the Party.\n",
        "json-array.jsonl": b"[1, 2, 3]\n",
        "tmx-renamed.jsonl": memory_files()["good.tmx"],
        "deep.jsonl": b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "surrogate.jsonl": good.replace("The cadre", "The \\ud800cadre").encode(),
        "controls.jsonl": good_bitext(CONTROL_PAIRS).encode(),
        "bead-id-out-of-range.jsonl": edit(lambda r: r.update(src=[7]), bead=True),
        "bead-id-bool.jsonl": edit(lambda r: r.update(src=[True]), bead=True),
        "bead-score-string.jsonl": edit(lambda r: r.update(score="high"), bead=True),
        "bead-meta-string.jsonl": edit(lambda r: r.update(meta="x"), bead=True),
        "bead-origin-number.jsonl": edit(lambda r: r.update(origin=5), bead=True),
        "bead-terms-wrong-type.jsonl": edit(lambda r: r.update(meta={"terms": [{"source": 5}]}), bead=True),
        "bead-violations-number.jsonl": edit(lambda r: r.update(meta={"violations": 5}), bead=True),
        "lang-not-a-code.jsonl": edit(lambda r: r["source"].update(lang="\uffff\u0000")),
        "segment-out-of-range.jsonl": edit(lambda r: r["source"].update(segments=[[0, 99999, 0]])),
        "segments-not-list.jsonl": edit(lambda r: r["source"].update(segments="0-9")),
        "lang-null.jsonl": edit(lambda r: r["source"].update(lang=None)),
        "text-number.jsonl": edit(lambda r: r["target"].update(text=5)),
        "meta-list.jsonl": edit(lambda r: r.update(meta=[1, 2])),
        "header-only.jsonl": (header + "\n").encode(),
        "huge-segment.jsonl": good_bitext([(HUGE_SENTENCE, "干部受到警告。"), *MEMORY_PAIRS[1:]]).encode(),
    }


def argosmodel_files(good: bytes) -> dict[str, bytes]:
    """Broken and hostile variants of a good .argosmodel (a zip of one package folder)."""

    def rezip(change) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                for name, data in change(info.filename, zin.read(info)):
                    zout.writestr(name, data)
        return out.getvalue()

    def meta(transform):
        return lambda n, d: [(n, transform(d) if n.endswith("/metadata.json") else d)]

    top = zipfile.ZipFile(io.BytesIO(good)).namelist()[0].split("/")[0]
    return {
        "empty.argosmodel": b"",
        "not-a-zip.argosmodel": b"<html>404 Not Found</html>\n" * 20,
        "truncated.argosmodel": good[: len(good) * 2 // 3],
        "corrupted.argosmodel": good[:2000] + bytes(b ^ 0x55 for b in good[2000:6000]) + good[6000:],
        "no-metadata.argosmodel": rezip(lambda n, d: [] if n.endswith("/metadata.json") else [(n, d)]),
        "dotdot.argosmodel": rezip(lambda n, d: [(n, d)] + ([(f"{top}/../../evil.txt", b"pwned")]
                                                          if n.endswith("/metadata.json") else [])),
        "absolute.argosmodel": rezip(lambda n, d: [(n, d)] + ([("/tmp/aligner-evil.txt", b"pwned")]
                                                            if n.endswith("/metadata.json") else [])),
        "metadata-not-json.argosmodel": rezip(meta(lambda d: b"{from_code: en")),
        "metadata-no-codes.argosmodel": rezip(meta(lambda d: b'{"package_version": "1.0"}')),
        "metadata-bad-code.argosmodel": rezip(meta(lambda d: json.dumps(
            {**json.loads(d), "from_code": "../../en"}).encode())),
        "no-model.argosmodel": rezip(lambda n, d: [] if n.endswith("model/model.bin") else [(n, d)]),
        "garbage-model.argosmodel": rezip(lambda n, d: [(n, b"garbage" * 100 if n.endswith("model/model.bin")
                                                         else d)]),
        "garbage-tokenizer.argosmodel": rezip(lambda n, d: [(n, b"garbage" if n.endswith("sentencepiece.model")
                                                             else d)]),
    }


FAMILIES = {"text": text_files, "glossary": glossary_files, "memory": memory_files,
            "bitext": bitext_files}


def build(root: str | Path, good_argosmodel: bytes | None = None) -> Path:
    """Write every family under root/<family>/; with a good .argosmodel, root/argosmodel/ too.
    Also root/text/no-text-files/ (a directory without articles)."""
    root = Path(root)
    families = dict(FAMILIES)
    if good_argosmodel is not None:
        families["argosmodel"] = lambda: argosmodel_files(good_argosmodel)
    for family, make in families.items():
        folder = root / family
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in make().items():
            (folder / name).write_bytes(data)
    # Batches (a directory of sources, one of their translations) with one bad file in each.
    for lang, text, bad in (("en", EN, "binary.en.txt"), ("zh", ZH, "empty.zh.txt")):
        folder = root / "text" / f"batch-{lang}"
        folder.mkdir(exist_ok=True)
        for stem in ("a", "b"):
            (folder / f"{stem}.{lang}.txt").write_text(text, encoding="utf-8")
        (folder / f"c.{lang}.txt").write_bytes(_binary(bad) if lang == "en" else b"")
    (root / "text" / "no-text-files").mkdir(exist_ok=True)
    (root / "text" / "no-text-files" / "image.png").write_bytes(_binary("image.png", 100))
    os.makedirs(root / "text" / "folder.en.txt", exist_ok=True)  # a directory named like a file
    return root
