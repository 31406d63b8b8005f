"""Aligning documents (issue 12): folder pairs of formatted documents through the one batch
runner, with the same readers `translate` uses, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import fixture_model
from aligner.cli import main
from aligner.io.bitext_jsonl import read_bitext


def _paragraphs(name: str) -> list[str]:
    text = (fixture_model.REPO_CORPUS / name).read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


EN, ZH = _paragraphs("article.en.txt"), _paragraphs("article.zh.txt")


def _docx(path: Path, paragraphs: list[str], bold: bool) -> None:
    import docx

    d = docx.Document()
    for p in paragraphs:
        if bold:  # formatting in mid-sentence: the reader sees the same sentences anyway
            words = p.split(" ")
            para = d.add_paragraph(" ".join(words[:2]) + " ")
            para.add_run(" ".join(words[2:4])).bold = True
            para.add_run(" " + " ".join(words[4:]))
        else:
            d.add_paragraph(p)
    d.save(str(path))


def _html(path: Path, paragraphs: list[str], lang: str) -> None:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_text(f'<html lang="{lang}"><head><title>t</title></head><body>{body}'
                    '<script>var x = "not text";</script></body></html>', encoding="utf-8")


def _srt(path: Path, paragraphs: list[str]) -> None:
    cues = [f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{p}\n" for i, p in enumerate(paragraphs[:6])]
    path.write_text("\n".join(cues), encoding="utf-8")


def test_align_two_folders_of_documents_through_the_batch_runner(tmp_path):
    en, zh = tmp_path / "en", tmp_path / "zh"
    en.mkdir()
    zh.mkdir()
    _docx(en / "report.en.docx", EN, bold=True)
    _docx(zh / "report.zh.docx", ZH, bold=False)
    _html(en / "page.html", EN, "en")
    _html(zh / "page.html", ZH, "zh")
    _srt(en / "talk.en.srt", EN)
    _srt(zh / "talk.zh.srt", ZH)
    (en / "notes.en.md").write_text("# Notes\n\n" + "\n\n".join(EN[:3]) + "\n", encoding="utf-8")
    (zh / "notes.zh.md").write_text("# 笔记\n\n" + "\n\n".join(ZH[:3]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["align", str(en), str(zh), "-o", str(out), "--no-embedding"])
    assert r.exit_code == 0, r.output
    assert "aligned 4 pair(s)" in r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "notes.en-zh.jsonl", "page.en-zh.jsonl", "report.en-zh.jsonl", "talk.en-zh.jsonl"]
    for name in ("report", "page", "talk"):
        bitext = read_bitext(out / f"{name}.en-zh.jsonl")
        assert bitext.meta["paragraphs"].startswith("hard boundaries"), name
        covered = sorted(i for bd in bitext.beads for i in bd.src)
        assert covered == list(range(len(bitext.source.segments)))
        assert "not text" not in bitext.source.text
        assert ZH[0][:8] in bitext.target.text  # decoded right (a page without a charset is UTF-8)
    report = read_bitext(out / "report.en-zh.jsonl")
    first = report.src_text(report.beads[0])
    assert first and " ".join(EN[0].split()).startswith(first)  # the bold run did not cut the sentence
    assert len(read_bitext(out / "talk.en-zh.jsonl").target.segments) >= 6  # every cue read
    # a re-run finds every pair current
    r = CliRunner().invoke(main, ["align", str(en), str(zh), "-o", str(out), "--no-embedding"])
    assert r.exit_code == 0 and "4 pair(s) already up to date" in r.output


def test_a_bad_document_in_a_folder_pair_stops_the_batch_naming_it(tmp_path):
    en, zh = tmp_path / "en", tmp_path / "zh"
    en.mkdir()
    zh.mkdir()
    _html(en / "page.html", EN, "en")
    _html(zh / "page.html", ZH, "zh")
    (en / "report.en.docx").write_bytes(b"PK\x03\x04 not really a zip")
    _docx(zh / "report.zh.docx", ZH, bold=False)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["align", str(en), str(zh), "-o", str(out), "--no-embedding"])
    assert r.exit_code == 3, r.output
    assert "report.en.docx" in r.output and "not a zip package" in r.output and "Traceback" not in r.output
    assert not out.exists() or not any(out.glob("*.jsonl"))
