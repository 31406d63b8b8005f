"""Our exports and imports with the CAT tools themselves (issue 11): OmegaT 3.6 in console
mode, translate-toolkit's commands, LibreOffice headless. .ci/run installs OmegaT and
LibreOffice (Debian packages); a test is skipped where its tool is not installed, so a
machine without them still runs the rest of the suite.

Each test shows what a translator would see: OmegaT's translated file, pocount's counts,
the PDF LibreOffice makes of the DOCX review."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from aligner.export import export_bitexts
from aligner.glossary.formats import get_format as glossary_format
from aligner.glossary.model import Glossary, Term
from aligner.io.tm_import import import_tm
from aligner.model import Bead

from test_export_support import CORPUS, assert_valid_tmx, corpus_bitext, make_bitext

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A translate-toolkit command installed beside this Python (the test extra)."""
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if not found:
            pytest.skip(f"{name} (translate-toolkit) is not installed")
        return found
    return str(path)


# --- OmegaT ------------------------------------------------------------------------------

OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")
needs_omegat = pytest.mark.skipif(not (OMEGAT_JAR.exists() and shutil.which("java")),
                                  reason="OmegaT (Debian package omegat) is not installed")

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>en</source_lang>
    <target_lang>zh-CN</target_lang>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


# OmegaT's text filter segments on empty lines by default: the article's two-line byline
# would be one segment. Segmenting on line breaks (Options > File Filters > Text Files,
# or this project file) gives the segments aligner has.
FILTERS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<filters removeTags="false" removeSpacesNonseg="false" preserveSpaces="false" ignoreFileContext="false">
    <filter className="org.omegat.filters2.text.TextFilter" enabled="true">
        <files sourceFilenameMask="*.txt" targetFilenamePattern="${filename}"/>
        <option name="segmentOn" value="BREAKS"/>
    </filter>
</filters>
"""


def omegat_project(root: Path, source_text: str) -> Path:
    for d in ("source", "target", "tm/auto", "tm/mt", "glossary", "dictionary", "omegat"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "omegat.project").write_text(PROJECT, encoding="utf-8")
    (root / "omegat" / "filters.xml").write_text(FILTERS, encoding="utf-8")
    (root / "source" / "article.txt").write_text(source_text, encoding="utf-8")
    return root


def omegat_translate(project: Path, home: Path) -> str:
    """Run OmegaT headless on the project (console-translate: load, pre-translate from
    tm/auto, write target/); the translated file's text."""
    home.mkdir(exist_ok=True)
    cmd = ["java", "-Djava.awt.headless=true", f"-Duser.home={home}", "-jar", str(OMEGAT_JAR),
           str(project), "--mode=console-translate"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return (project / "target" / "article.txt").read_text(encoding="utf-8")


def corpus_with_unaligned():
    """The corpus bitext with its first 1-1 bead after the byline split into a 1-0 and a
    0-1 bead: the source sentence left untranslated, its translation unpaired."""
    bt = corpus_bitext()
    k = next(i for i, b in enumerate(bt.beads) if i > 3 and b.kind == "1-1")
    old = bt.beads[k]
    bt.beads[k:k + 1] = [Bead(src=old.src, tgt=[], origin="gold"), Bead(src=[], tgt=old.tgt, origin="gold")]
    for i, b in enumerate(bt.beads):
        b.id = i
    return bt, old


@needs_omegat
def test_omegat_translates_from_our_tmx_and_loses_no_sentence(tmp_path):
    bt, split = corpus_with_unaligned()
    source = (CORPUS / "article.en.txt").read_text(encoding="utf-8")
    project = omegat_project(tmp_path / "p", source)
    export_bitexts([bt], "tmx", project / "tm" / "auto" / "article.tmx")
    out = omegat_translate(project, tmp_path / "home")
    # Units OmegaT can match: one source sentence (1-1, 1-2); its segments are sentences.
    one = [(bt.src_text(b), bt.tgt_text(b)) for b in bt.beads if len(b.src) == 1 and b.tgt]
    assert len(one) >= 15
    # Every one of them was filled in from our TMX, and its source sentence is gone.
    assert [s for s, t in one if t not in out] == []
    assert [s for s, t in one if s in out] == []
    # The sentence whose bead is 1-0 is still there, untranslated, not emptied; so are the
    # sentences of 2-1 beads (OmegaT has no unit for each of them alone).
    kept = [bt.source.segments[split.src[0]].text] + \
        [bt.source.segments[i].text for b in bt.beads if len(b.src) > 1 for i in b.src]
    assert [s for s in kept if s not in out] == []
    # Nothing else vanished: the output has as many paragraphs as the source.
    assert len([p for p in out.split("\n\n") if p.strip()]) == len([p for p in source.split("\n\n") if p.strip()])
    stats = (project / "omegat" / "project_stats.txt").read_text(encoding="utf-8")
    remaining = re.search(r"Remaining:\s+(\d+)", stats)
    assert remaining and int(remaining.group(1)) == len(kept)

    # The TMX OmegaT writes (project-omegat.tmx, TMX 1.1) comes back with every unit.
    written = project / "p-omegat.tmx"
    units = etree.parse(str(written)).getroot().findall("body/tu")
    back = import_tm(written)
    assert len(back.beads) == len(units) == len(one)
    assert sorted((s, t) for _, s, t in back.pairs()) == sorted(one)
    assert back.meta["lang_tags"]["target"] == "zh-CN"


@needs_omegat
def test_machine_translation_in_tm_mt_is_not_inserted_as_a_human_match(tmp_path):
    bt = corpus_bitext()
    for b in bt.beads:
        b.origin = "mt"
    source = (CORPUS / "article.en.txt").read_text(encoding="utf-8")
    project = omegat_project(tmp_path / "p", source)
    # Where docs/cat-tools.md says machine translation goes in OmegaT.
    export_bitexts([bt], "tmx", project / "tm" / "mt" / "mt.tmx", include_mt=True)
    assert len(assert_valid_tmx((project / "tm" / "mt" / "mt.tmx").read_bytes()).findall("body/tu")) == len(bt.beads)
    # A default export of the same bitext holds nothing: MT is no human memory.
    export_bitexts([bt], "tmx", project / "tm" / "auto" / "default.tmx")
    assert assert_valid_tmx((project / "tm" / "auto" / "default.tmx").read_bytes()).findall("body/tu") == []
    out = omegat_translate(project, tmp_path / "home")
    assert out == source  # nothing was auto-inserted
    stats = (project / "omegat" / "project_stats.txt").read_text(encoding="utf-8")
    total = re.search(r"Total:\s+(\d+)", stats).group(1)
    assert re.search(r"Remaining:\s+(\d+)", stats).group(1) == total


# --- translate-toolkit ---------------------------------------------------------------------

def _review_bitext():
    bt = corpus_bitext()
    for b in bt.beads:
        b.origin = "aligned"
    for k in (3, 7, 11):
        bt.beads[k].origin = "mt"
    return bt


def _pocount(path: Path) -> dict[str, int]:
    run = subprocess.run([tool("pocount"), "--csv", str(path)], capture_output=True, text=True, check=True)
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    return {k: int(v) for k, v in rows[0].items() if k != "Filename"}


def test_pocount_counts_human_units_translated_and_mt_as_needing_review(tmp_path):
    path = tmp_path / "article.xlf"
    export_bitexts([_review_bitext()], "xliff", path)
    counts = _pocount(path)
    total = len(_review_bitext().beads)
    assert counts["Translated Messages"] == total - 3
    assert counts["Fuzzy Messages"] == 3
    assert counts["Review Messages"] == 3
    assert counts["Total Message"] == total


def test_xliff2po_then_po2tmx_keeps_every_human_unit(tmp_path):
    bt = _review_bitext()
    xlf, po, tmx = tmp_path / "a.xlf", tmp_path / "a.po", tmp_path / "a.tmx"
    export_bitexts([bt], "xliff", xlf)
    subprocess.run([tool("xliff2po"), str(xlf), str(po)], check=True, capture_output=True)
    subprocess.run([tool("po2tmx"), "-l", "zh-CN", str(po), str(tmx)], check=True, capture_output=True)
    back = import_tm(tmx)
    human = sorted((bt.src_text(b), bt.tgt_text(b)) for b in bt.beads if b.origin != "mt")
    assert len(human) == len(bt.beads) - 3
    assert sorted((s, t) for _, s, t in back.pairs()) == human


@pytest.mark.parametrize("tag", ["zh-CN", "zh-TW"])
def test_tbx2tmx_with_our_tag_finds_every_term(tmp_path, tag):
    g = Glossary([Term("cadre", "干部"), Term("cadre", "骨干", status="forbidden"), Term("CCP", "中共"),
                  Term("Zhu Zhiqiang", "朱志强", aliases=["Zhu"]), Term("Epoch Times", "大纪元时报")])
    tbx, tmx = tmp_path / "g.tbx", tmp_path / "g.tmx"
    tbx.write_bytes(glossary_format("tbx").dumps(g, lang_tags=[tag]))
    subprocess.run([tool("tbx2tmx"), "-l", tag, str(tbx), str(tmx)], check=True, capture_output=True)
    root = assert_valid_tmx(tmx.read_bytes())
    pairs = {tuple(tuv.findtext("seg") for tuv in tu.findall("tuv")) for tu in root.iter("tu")}
    # every approved term, the forbidden rendering never as a translation
    assert {("cadre", "干部"), ("CCP", "中共"), ("Zhu Zhiqiang", "朱志强"), ("Epoch Times", "大纪元时报")} <= pairs
    assert not any(t == "骨干" for _, t in pairs)
    assert {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in root.iter("tuv")} == {"en", tag}


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: zh_TW\\n"

msgid "The cadre resigned."
msgstr "幹部辭職了。"

#, fuzzy
msgid "Press the button."
msgstr "按下按鈕。"

msgid "Not translated yet."
msgstr ""
"""


def test_translate_toolkit_files_import_with_the_right_units(tmp_path):
    po = tmp_path / "ui.po"
    po.write_text(PO, encoding="utf-8")
    # PO -> XLIFF (po2xliff writes the header as a unit of its own: not a translation)
    xlf = tmp_path / "ui.xlf"
    subprocess.run([tool("po2xliff"), str(po), str(xlf)], check=True, capture_output=True)
    bt = import_tm(xlf)
    assert [(s, t) for _, s, t in bt.pairs()] == [("The cadre resigned.", "幹部辭職了。"),
                                                  ("Press the button.", "按下按鈕。"),
                                                  ("Not translated yet.", "")]
    assert bt.meta["import"]["not_translatable"] == 1
    # PO -> TMX (po2tmx leaves out fuzzy and untranslated messages)
    tmx = tmp_path / "ui.tmx"
    subprocess.run([tool("po2tmx"), "-l", "zh-TW", str(po), str(tmx)], check=True, capture_output=True)
    bt = import_tm(tmx)
    assert [(s, t) for _, s, t in bt.pairs()] == [("The cadre resigned.", "幹部辭職了。")]
    assert bt.meta["lang_tags"]["target"] == "zh-TW"
    # translate-toolkit's own TMX writer and XLIFF store, with an inline code
    from translate.storage import tmx as tt_tmx
    from translate.storage import xliff as tt_xliff
    store = tt_tmx.tmxfile(sourcelanguage="en", targetlanguage="zh-CN")
    store.addtranslation("Hello.", "en", "你好。", "zh-CN")
    store.addtranslation("Goodbye.", "en", "再见。", "zh-CN")
    (tmp_path / "tt.tmx").write_bytes(bytes(store))
    assert [(s, t) for _, s, t in import_tm(tmp_path / "tt.tmx").pairs()] == [("Hello.", "你好。"),
                                                                            ("Goodbye.", "再见。")]
    x = tt_xliff.xlifffile(sourcelanguage="en", targetlanguage="zh-CN")
    unit = x.addsourceunit("Save the file.")
    unit.target = "保存文件。"
    unit.markapproved(True)
    (tmp_path / "tt.xlf").write_bytes(bytes(x))
    back = import_tm(tmp_path / "tt.xlf")
    assert [(s, t) for _, s, t in back.pairs()] == [("Save the file.", "保存文件。")]


# --- LibreOffice -------------------------------------------------------------------------

needs_libreoffice = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                       reason="LibreOffice (libreoffice-writer-nogui) and pdftotext "
                                              "(poppler-utils) are not installed")


def _long_rows_bitext():
    """Rows of very different heights, so that page ends fall inside rows unless rows
    cannot split. Each side of bead k starts with Sk/Tk and ends with Ek/Fk."""
    pairs = []
    for k in range(24):
        n = 3 + (k * 7) % 23
        en = f"S{k}x " + " ".join(["The cadre filed an appeal with the highest authorities."] * n) + f" E{k}x"
        zh = f"T{k}x " + "他一直向最高当局申诉求助。" * n + f" F{k}x"
        pairs.append((en, zh))
    return make_bitext(pairs, scores={k: 0.9 for k in range(24)})


def _pdf_pages(docx_path: Path, tmp_path: Path) -> list[str]:
    profile = tmp_path / "lo-profile"
    run = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                          "--outdir", str(tmp_path), str(docx_path)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / (docx_path.stem + ".pdf")
    assert pdf.exists(), run.stdout + run.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


@needs_libreoffice
def test_libreoffice_opens_the_docx_review_and_no_row_splits_across_pages(tmp_path):
    bt = _long_rows_bitext()
    out = tmp_path / "review.docx"
    export_bitexts([bt], "docx", out)
    pages = [p for p in _pdf_pages(out, tmp_path) if p.strip()]
    assert len(pages) > 3  # long enough for page breaks to matter
    for k in range(24):
        where = {m: [i for i, p in enumerate(pages) if re.search(rf"\b{m}{k}x\b", p)] for m in "STEF"}
        # both columns' text is there, each marker once, and all four on one page
        assert all(len(v) == 1 for v in where.values()), (k, where)
        assert len({v[0] for v in where.values()}) == 1, (k, where)
    # the id and score columns are there too
    assert re.search(r"\b0\.90\b", pages[0])
