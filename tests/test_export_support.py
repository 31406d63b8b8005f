"""Helpers for the export/import tests: bitexts built from the model classes, the TMX
DTD and XLIFF schema validators, headless Chromium, and a small PNG reader.

(No tests here; the name keeps it with the export tests.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lxml import etree

from aligner.model import Bead, Bitext, Document
from aligner.segment import segment

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "schemas"
CORPUS = REPO / "corpus"


def make_bitext(pairs, src_lang="en", tgt_lang="zh", origins=None, scores=None, metas=None,
                src_path="doc.en.txt", tgt_path="doc.zh.txt") -> Bitext:
    """A bitext with one bead per (source, target) pair; None on a side makes a 1-0 or
    0-1 bead."""
    src = [s for s, _ in pairs if s is not None]
    tgt = [t for _, t in pairs if t is not None]
    bt = Bitext(Document.from_sentences(src_lang, src, path=src_path),
                Document.from_sentences(tgt_lang, tgt, path=tgt_path))
    i = j = 0
    for k, (s, t) in enumerate(pairs):
        bead = Bead(src=[i] if s is not None else [], tgt=[j] if t is not None else [], id=k,
                    origin=(origins or {}).get(k, "aligned"), score=(scores or {}).get(k),
                    meta=dict((metas or {}).get(k, {})))
        i += s is not None
        j += t is not None
        bt.beads.append(bead)
    return bt


def corpus_bitext() -> Bitext:
    """The seed article and its translation, paired by the gold alignment."""
    en = segment(Document("en", (CORPUS / "article.en.txt").read_text(encoding="utf-8"), "corpus/article.en.txt"))
    zh = segment(Document("zh", (CORPUS / "article.zh.txt").read_text(encoding="utf-8"), "corpus/article.zh.txt"))
    bt = Bitext(en, zh)
    for k, line in enumerate((CORPUS / "article.gold").read_text().split()):
        s, t = line.split(":")
        bt.beads.append(Bead(src=eval_ids(s), tgt=eval_ids(t), origin="gold", id=k))
    return bt


def eval_ids(text: str) -> list[int]:
    return [int(x) for x in text.strip("[]").split(",") if x.strip()]


# --- validation ---------------------------------------------------------------------

class _LocalSchemas(etree.Resolver):
    """xliff-core-1.2-strict.xsd imports http://www.w3.org/2001/xml.xsd: use our copy."""

    def resolve(self, url, pubid, context):
        if url and url.endswith("xml.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


_xliff_schema = None


def xliff_schema() -> etree.XMLSchema:
    global _xliff_schema
    if _xliff_schema is None:
        parser = etree.XMLParser(no_network=True)
        parser.resolvers.add(_LocalSchemas())
        _xliff_schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd"), parser))
    return _xliff_schema


def tmx_dtd() -> etree.DTD:
    return etree.DTD(str(SCHEMAS / "tmx14.dtd"))


def assert_valid_tmx(data: bytes) -> etree._Element:
    root = etree.fromstring(data, etree.XMLParser(no_network=True, load_dtd=False))
    dtd = tmx_dtd()
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    return root


def assert_valid_xliff(data: bytes) -> etree._Element:
    root = etree.fromstring(data, etree.XMLParser(no_network=True, load_dtd=False))
    schema = xliff_schema()
    assert schema.validate(root), schema.error_log.filter_from_errors()
    return root


# --- Chromium -------------------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(args: list[str], profile: Path, timeout: int = 90) -> subprocess.CompletedProcess:
    exe = chromium()
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)


# --- PNG ------------------------------------------------------------------------------

def read_png(path: Path):
    """The screenshot as an RGB Pillow image (Pillow is in the test extra)."""
    from PIL import Image
    with Image.open(path) as im:
        return im.convert("RGB")
