"""`aligner export`: format from the suffix or --format, stdout, several bitexts, and
errors as one message with an exit code, never a traceback or a clobbered file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.io.bitext_jsonl import write_bitext
from test_export_support import assert_valid_tmx, assert_valid_xliff, corpus_bitext, make_bitext


@pytest.fixture
def bitext_file(tmp_path):
    path = tmp_path / "article.en-zh.jsonl"
    write_bitext(corpus_bitext(), path)
    return path


def test_every_format_from_the_output_suffix(tmp_path, bitext_file):
    runner = CliRunner()
    for name, check in (("a.tmx", assert_valid_tmx), ("a.xlf", assert_valid_xliff), ("a.xliff", assert_valid_xliff),
                        ("a.tsv", None), ("a.csv", None), ("a.jsonl", None), ("a.docx", None), ("a.html", None)):
        out = tmp_path / name
        result = runner.invoke(main, ["export", str(bitext_file), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"wrote {out}" in result.output and "20 beads from 1 bitext" in result.output
        if check:
            check(out.read_bytes())
    assert (tmp_path / "a.docx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_format_option_stdout_and_several_bitexts(tmp_path, bitext_file):
    other = tmp_path / "other.jsonl"
    write_bitext(make_bitext([("One more.", "再来一句。")], src_path="other.en.txt"), other)
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(bitext_file), str(other), "--format", "TSV", "-o", "-"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "source\ttarget\tscore\tid\torigin\tdocument"
    assert len(lines) == 1 + 20 + 1  # header, the seed article's 20 gold beads, other
    assert lines[-1].endswith("other.en.txt")

    result = runner.invoke(main, ["export", str(bitext_file), str(other), "-f", "xliff", "-o", "-"])
    assert result.exit_code == 0
    root = assert_valid_xliff(result.stdout_bytes)
    assert len(root.findall("{urn:oasis:names:tc:xliff:document:1.2}file")) == 2

    # A bitext on stdin.
    result = runner.invoke(main, ["export", "-", "-f", "tmx", "-o", str(tmp_path / "in.tmx")],
                           input=bitext_file.read_bytes())
    assert result.exit_code == 0, result.output
    assert len(assert_valid_tmx((tmp_path / "in.tmx").read_bytes()).findall("body/tu")) == 20


def test_glossary_option_highlights_terms(tmp_path, bitext_file):
    pytest.importorskip("aligner.glossary")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("source\ttarget\nZhu Zhiqiang\t朱志强\n", encoding="utf-8")
    out = tmp_path / "g.html"
    result = CliRunner().invoke(main, ["export", str(bitext_file), "-o", str(out), "--glossary", str(glossary),
                                       "--title", "Zhu review", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    html = out.read_text(encoding="utf-8")
    assert '<mark class="term" title="glossary: Zhu Zhiqiang \u2192 朱志强">朱志强</mark>' in html
    assert "<title>Zhu review</title>" in html


def test_errors_are_one_message_and_leave_outputs_alone(tmp_path, bitext_file):
    runner = CliRunner()
    out = tmp_path / "keep.tmx"
    out.write_text("an earlier export")

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "bitext"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(main, ["export", str(bad), "-o", str(out)])
    assert result.exit_code == 3
    assert result.output.startswith(f"aligner: error: {bad}:1: malformed record")
    assert out.read_text() == "an earlier export"

    result = runner.invoke(main, ["export", str(tmp_path / "missing.jsonl"), "-o", str(out)])
    assert result.exit_code == 3 and "no such file" in result.output

    result = runner.invoke(main, ["export", str(bitext_file), "-o", str(tmp_path / "review.pdf")])
    assert result.exit_code == 2 and "pass --format" in result.output

    result = runner.invoke(main, ["export", str(bitext_file), "-o", "-"])
    assert result.exit_code == 2

    result = runner.invoke(main, ["export", str(bitext_file), "-f", "tmx", "-o", str(tmp_path)])
    assert result.exit_code == 5 and "is a directory" in result.output
    assert "Traceback" not in result.output
    assert out.read_text() == "an earlier export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_every_format_survives_control_characters_and_broken_text(tmp_path):
    from aligner.errors import InputError
    from aligner.export import EXPORTERS, export_bitexts

    bt = make_bitext([("Bell\x07, escape\x1b, NUL\x00 and a lone \udc80.", "响铃\x07。"), ("Fine.", "好。")],
                     src_path="name-\udcff.en.txt")
    for name, exporter in EXPORTERS.items():
        out = tmp_path / f"x{exporter.suffix}"
        if name == "jsonl":  # the bitext file keeps text exactly, so it refuses what UTF-8 cannot hold
            with pytest.raises(InputError, match="cannot be written as UTF-8"):
                export_bitexts([bt], name, out)
            assert not out.exists()
            continue
        export_bitexts([bt], name, out)
        data = out.read_bytes()
        assert data, name
        if name == "tmx":
            assert len(assert_valid_tmx(data).findall("body/tu")) == 2
        if name == "xliff":
            assert len(assert_valid_xliff(data).findall(".//{urn:oasis:names:tc:xliff:document:1.2}trans-unit")) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
