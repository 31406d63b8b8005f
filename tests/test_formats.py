"""The format registry (aligner.formats): formats by name and by file extension, each
readable format read back through the registry what it wrote, the lazy imports, the one
safe XML parser, and the layering (formats and io import no command, export, translate
or align code)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from aligner import formats
from aligner.errors import InputError, OutputError
from aligner.formats.base import Format, WriteOptions
from aligner.text.xml import parse_checked, parse_xml_safely

from test_export_support import make_bitext

ROOT = Path(__file__).resolve().parent.parent / "aligner"

PAIRS = [("The cadre met Zhu Zhiqiang in Nanjing.", "干部在南京见了朱志强。"),
         ("=SUM(A1) looks like a formula, and a bell\x07 rings.", "看起来像公式，铃声\x07响起。"),
         ("Only a source sentence.", None),
         (None, "只有译文。")]


def test_names_by_kind_and_the_kinds_match_the_classes():
    assert set(formats.names()) >= {"tmx", "xliff", "tsv", "csv", "jsonl", "docx", "html"}
    assert set(formats.names("read")) == {"tmx", "xliff", "xliff2", "tsv", "csv", "jsonl"}
    assert set(formats.names("memory")) == {"tmx", "xliff", "xliff2", "tsv", "csv"}
    assert set(formats.names("write")) == {"tmx", "xliff", "xliff2", "tsv", "csv", "jsonl", "docx", "html"}
    # The kinds written in the registry (so that --help imports nothing) are what the
    # classes actually implement.
    for name in formats.names():
        fmt = formats.get_format(name)
        assert fmt.name == name
        assert fmt.kinds == formats._REGISTRY[name][1], name
        for want in ("write", "read", "memory", "document"):  # format_for_path imports nothing
            assert formats.suffixes(name, want) == fmt.suffixes_for(want), (name, want)
        assert fmt.extensions and all(e.startswith(".") for e in fmt.extensions), name
        assert fmt.mime_types and fmt.description, name


def test_get_format_by_name_any_case_and_unknown_names_list_the_formats():
    assert formats.get_format("TMX") is formats.get_format("tmx")
    with pytest.raises(InputError, match="unknown format 'pdf'") as e:
        formats.get_format("pdf")
    assert e.value.hint == "Formats: " + ", ".join(sorted(formats.names()))
    # A format that exists but cannot do what is asked is unknown for that purpose, and
    # the list says which can.
    with pytest.raises(InputError, match="unknown input format 'docx'") as e:
        formats.get_format("docx", "read")
    assert e.value.hint == "Formats: csv, jsonl, tmx, tsv, xliff, xliff2"
    with pytest.raises(NotImplementedError):
        formats.get_format("html").read_bitexts(b"<html></html>")


@pytest.mark.parametrize("path, want, expected", [
    ("out/review.xlf", "write", "xliff"), ("REVIEW.XLIFF", "write", "xliff"), ("a.tab", "write", "tsv"),
    ("a.htm", "write", "html"), ("client.docx", "write", "docx"), ("a.jsonl", "write", "jsonl"),
    ("project.sdlxliff", "read", "xliff"), ("project.sdlxliff", "write", None),
    ("memory.txt", "read", "tsv"), ("memory.txt", "write", None), ("memory.txt", "memory", "tsv"),
    ("a.jsonl", "read", "jsonl"), ("a.jsonl", "memory", None), ("a.docx", "read", None),
    ("no-extension", "write", None), ("a.tar.tmx", "read", "tmx"),
])
def test_format_for_path_by_extension(path, want, expected):
    assert formats.format_for_path(path, want=want) == expected


@pytest.mark.parametrize("name", ["tmx", "xliff", "xliff2", "tsv", "csv", "jsonl"])
def test_each_readable_format_reads_back_what_it_wrote(tmp_path, name):
    bt = make_bitext(PAIRS, scores={0: 0.75})
    fmt = formats.get_format(name)
    out = tmp_path / ("memory" + fmt.suffix)
    fmt.write_bitexts([bt], out)
    # An .xlf file is read by the xliff reader, which hands XLIFF 2.0 to the xliff2 module.
    assert formats.format_for_path(out, want="read") == ("xliff" if name == "xliff2" else name)
    [back] = formats.get_format(formats.format_for_path(out, want="read")).read_bitexts(out)
    assert (back.src_lang, back.tgt_lang) == ("en", "zh")
    # A translation memory holds translations: beads with an empty side are no TMX units.
    expected = [(s, t) for s, t in PAIRS if s and t] if name == "tmx" else [(s or "", t or "") for s, t in PAIRS]
    assert [(s, t) for _, s, t in back.pairs()] == expected
    assert back.beads[0].score == pytest.approx(0.75)
    # From the file's bytes, the same bitext; `name` names it.
    [from_bytes] = fmt.read_bitexts(out.read_bytes(), name=str(out))
    assert [(s, t) for _, s, t in from_bytes.pairs()] == [(s, t) for _, s, t in back.pairs()]


@pytest.mark.parametrize("name", ["tmx", "xliff", "tsv", "csv"])
def test_memory_formats_give_units_and_name_the_file_in_errors(tmp_path, name):
    fmt = formats.get_format(name, "memory")
    out = tmp_path / ("m" + fmt.suffix)
    fmt.write_bitexts(make_bitext(PAIRS[:2]), out)
    memory = fmt.read_units(out.read_bytes(), str(out))
    assert [(u.source, u.target) for u in memory.units] == PAIRS[:2]
    with pytest.raises(InputError, match="empty file") as e:
        fmt.read_bitexts(b"  \n", name="given-name" + fmt.suffix)
    assert e.value.path == "given-name" + fmt.suffix
    with pytest.raises(InputError, match="no such file"):
        fmt.read_bitexts(tmp_path / "missing.tmx")
    with pytest.raises(InputError, match="is a directory"):
        fmt.read_bitexts(tmp_path)


def test_writers_are_atomic_and_refuse_a_directory(tmp_path):
    fmt = formats.get_format("tmx")
    out = tmp_path / "a.tmx"
    out.write_text("an earlier export")
    with pytest.raises(InputError, match="nothing to export"):
        fmt.write_bitexts([], out)
    assert out.read_text() == "an earlier export"
    with pytest.raises(OutputError, match="is a directory"):
        fmt.write_bitexts([make_bitext(PAIRS)], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tmx"]


def test_a_registered_format_is_found_by_name_and_extension(tmp_path):
    class Lines(Format):
        name = "lines-test"
        extensions = (".lines",)
        mime_types = ("text/plain",)
        description = "source and target on one line (a test format)"

        def _write(self, bitexts, f, options: WriteOptions) -> None:
            for bt in bitexts:
                for _, s, t in bt.pairs():
                    f.write(f"{s} | {t}\n")

    try:
        formats.register(Lines)
        assert "lines-test" in formats.names("write") and "lines-test" not in formats.names("read")
        assert formats.format_for_path("x.lines") == "lines-test"
        fmt = formats.get_format("lines-test")
        assert fmt.kinds == {"write"} and not fmt.is_document
        fmt.write_bitexts(make_bitext(PAIRS[:1]), tmp_path / "x.lines")
        assert (tmp_path / "x.lines").read_text() == f"{PAIRS[0][0]} | {PAIRS[0][1]}\n"
    finally:
        formats._REGISTRY.pop("lines-test", None)
        formats._LOADED.pop("lines-test", None)


def test_the_command_level_wrappers_are_the_registry():
    from aligner.export import EXPORTERS, get_exporter
    from aligner.io.tm_import import IMPORT_FORMATS, format_for_tm

    assert set(EXPORTERS) == set(formats.names("write"))
    assert get_exporter("xliff") is formats.get_format("xliff")
    assert format_for_tm("a.mqxliff") == "xliff" and format_for_tm("a.jsonl") is None
    assert set(IMPORT_FORMATS.values()) == set(formats.names("memory"))


# --- safe XML -------------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&b;</seg></tuv></tu></body></tmx>"""


def test_one_safe_parser_refuses_entities_even_without_the_prolog_scan(tmp_path):
    with pytest.raises(InputError, match="declares XML entities"):
        parse_xml_safely(BOMB, "bomb.tmx")
    with pytest.raises(InputError, match="declares XML entities"):
        parse_checked(BOMB, "bomb.tmx", lambda data: False)
    with pytest.raises(InputError, match="declares XML entities"):
        formats.get_format("tmx").read_bitexts(BOMB, name="bomb.tmx")
    # The glossary's TBX reader uses the same parser and entity check.
    from aligner.glossary.formats.tbx import TbxFormat
    tbx = BOMB.replace(b"tmx", b"martif")
    parsed = TbxFormat().parse(tbx, "bomb.tbx")
    assert any("declares XML entities" in p.message for p in parsed.problems)


# --- layering and lazy imports --------------------------------------------------------------

HIGHER = ("aligner.export", "aligner.cli", "aligner.translate", "aligner.align")


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
            out += [f"{node.module}.{a.name}" for a in node.names]  # from aligner import export
    return out


def test_formats_io_and_text_import_no_higher_layer():
    files = [p for d in ("io", "formats", "text") for p in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 10
    bad = [(str(p.relative_to(ROOT)), m) for p in files for m in _imports(p)
           if any(m == h or m.startswith(h + ".") for h in HIGHER)]
    assert bad == []


def test_help_imports_no_format_module():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom aligner.cli import main\n"
            "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "r = CliRunner().invoke(main, ['export', '--help'])\nassert 'tmx' in r.output, r.output\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lxml', 'docx')"
            " or m.startswith('aligner.formats.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT.parent)
    assert result.stdout.strip() == "[]"


def test_choosing_a_format_by_file_name_imports_no_format_module():
    # `aligner align 001.en 001.zh` asks whether each input is a document: answering from the
    # registry keeps every format module (lxml, python-docx) out of a plain-text run.
    import subprocess
    import sys

    code = ("import sys\nfrom aligner.formats import format_for_path\n"
            "from aligner.translate.documents import input_suffixes\n"
            "assert format_for_path('001.en', 'document') is None\n"
            "assert format_for_path('a.docx', 'document') == 'docx' and format_for_path('m.sdlxliff', 'read') == 'xliff'\n"
            "assert '.epub' in input_suffixes()\n"
            "print(sorted(m for m in sys.modules if m.startswith('aligner.formats.') or m == 'lxml'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
