"""Reading input files: encodings, BOMs, line ends, binary and empty input, language
detection, stdin, and expanding directories of inputs."""

from __future__ import annotations

import codecs
import io
import os
from pathlib import Path

import pytest

from aligner.errors import EXIT_INPUT, InputError
from aligner.io.text import decode_bytes, detect_language, iter_input_files, normalize_lang, read_document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ZH = (CORPUS / "article.zh.txt").read_text(encoding="utf-8")
EN = (CORPUS / "article.en.txt").read_text(encoding="utf-8")
# Traditional Chinese, for Big5 (the simplified article has characters Big5 lacks).
TW = ("前軍官宣布退出中國共產黨。\n\n他說：「這具有重大意義。」自從朱志強一九九九年在一次黨的會議上"
      "揭發上級的違法行為以來，他一直在黨內遭受打擊報復。\n")


# --- decode_bytes ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [ZH, EN])
def test_utf8_with_and_without_bom(text):
    assert decode_bytes(text.encode("utf-8"), "a.txt") == text
    assert decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"), "a.txt") == text


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_utf32_with_bom(enc):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[enc]
    assert decode_bytes(bom + ZH.encode(enc), "a.txt") == ZH
    # Python's "utf-16" codec writes a BOM itself
    assert decode_bytes("Hello world.\n".encode("utf-16"), "a.txt") == "Hello world.\n"


@pytest.mark.parametrize("enc", ["gb18030", "gbk", "gb2312"])
def test_gb_encodings_detected(enc):
    assert decode_bytes(ZH.encode(enc), "a.txt") == ZH
    # a short text too: it must not be taken for Korean (cp949)
    short = "前军官宣布退出中国共产党，朱志强说。"
    assert decode_bytes(short.encode(enc), "a.txt") == short


def test_big5_detected():
    assert decode_bytes(TW.encode("big5"), "a.txt") == TW


def test_cp1252_detected():
    text = "Café “naïve” — résumé, déjà vu. " * 3
    assert decode_bytes(text.encode("cp1252"), "a.txt") == text


def test_explicit_encoding_wins():
    data = ZH.encode("gb18030")
    assert decode_bytes(data, "a.txt", encoding="gb18030") == ZH
    # bytes that are valid UTF-8 read as Latin-1 when told so
    assert decode_bytes("é\n".encode("utf-8"), "a.txt", encoding="latin-1") == "Ã©\n"
    # a BOM of the given encoding is removed
    assert decode_bytes(codecs.BOM_UTF8 + b"Hi.", "a.txt", encoding="utf-8") == "Hi."


def test_explicit_encoding_errors():
    with pytest.raises(InputError) as e:
        decode_bytes("第一行\n第二行".encode("gb18030"), "a.txt", encoding="utf-8")
    assert e.value.path == "a.txt" and e.value.line == 1 and "utf-8" in e.value.message
    with pytest.raises(InputError) as e:
        decode_bytes(b"hello", "a.txt", encoding="no-such-codec")
    assert "unknown encoding" in e.value.message


def test_line_ends_normalised():
    assert decode_bytes(b"One.\r\nTwo.\rThree.\n", "a.txt") == "One.\nTwo.\nThree.\n"
    assert decode_bytes(codecs.BOM_UTF16_LE + "一。\r\n二。".encode("utf-16-le"), "a.txt") == "一。\n二。"


def test_binary_rejected():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(InputError) as e:
        decode_bytes(png, "picture.png")
    assert e.value.path == "picture.png"
    assert "binary" in e.value.message and "--encoding" in e.value.hint
    assert e.value.exit_code == EXIT_INPUT
    # UTF-16 without a BOM has NUL bytes: the hint says how to read it
    with pytest.raises(InputError) as e:
        decode_bytes("Hello world".encode("utf-16-le"), "a.txt")
    assert "utf-16-le" in e.value.hint
    # control characters without NULs
    with pytest.raises(InputError):
        decode_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20, "a.bin")


def test_utf16_bom_but_broken():
    with pytest.raises(InputError) as e:
        decode_bytes(codecs.BOM_UTF16_LE + b"a\x00b", "a.txt")
    assert "utf-16-le" in e.value.message


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n",
                                  codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), "\u3000\n".encode("utf-8")])
def test_empty_rejected(data):
    with pytest.raises(InputError) as e:
        decode_bytes(data, "empty.txt")
    assert e.value.message.startswith("empty file") and e.value.path == "empty.txt"


def test_stdin_named_in_errors():
    with pytest.raises(InputError) as e:
        decode_bytes(b"", "-")
    assert e.value.path == "<stdin>"


# --- languages -------------------------------------------------------------------------------

def test_detect_language():
    assert detect_language(ZH) == "zh"
    assert detect_language(EN) == "en"
    assert detect_language(TW) == "zh"
    assert detect_language("使用Python和NumPy进行数据分析。") == "zh"
    assert detect_language("The Chinese word for computer is 电脑, literally electric brain.") == "en"
    with pytest.raises(InputError) as e:
        detect_language("1234 5678 !!! ---", path="n.txt")
    assert "--from" in e.value.hint and e.value.path == "n.txt"
    with pytest.raises(InputError):
        detect_language("Привет мир")


def test_normalize_lang():
    assert normalize_lang("EN") == "en"
    assert normalize_lang("en-US") == "en"
    assert normalize_lang("zh_Hans") == "zh"
    assert normalize_lang("zh-TW") == "zh"
    with pytest.raises(InputError) as e:
        normalize_lang("fr")
    assert "fr" in e.value.message


# --- read_document ---------------------------------------------------------------------------

def test_read_document_detects_and_segments(tmp_path):
    p = tmp_path / "article.zh.txt"
    p.write_bytes(ZH.replace("\n", "\r\n").encode("gb18030"))
    doc = read_document(p)
    assert doc.lang == "zh" and doc.path == str(p) and doc.text == ZH
    assert len(doc.segments) == 22
    for s in doc.segments:
        assert doc.text[s.start:s.end] == s.text
    assert read_document(str(CORPUS / "article.en.txt")).lang == "en"


def test_read_document_options(tmp_path):
    p = tmp_path / "lines.txt"
    p.write_text("One. Two.\nThree.\n", encoding="latin-1")
    doc = read_document(p, lang="en", encoding="latin-1", presplit=True)
    assert doc.segment_texts() == ["One. Two.", "Three."]
    # the language given wins over detection
    assert read_document(p, lang="zh").lang == "zh"
    with pytest.raises(InputError):
        read_document(p, lang="de")


def test_read_document_stdin():
    doc = read_document("-", stdin=io.BytesIO("Hello there. Bye now.\n".encode("utf-16")))
    assert doc.path == "-" and doc.lang == "en"
    assert doc.segment_texts() == ["Hello there.", "Bye now."]
    with pytest.raises(InputError) as e:
        read_document("-", stdin=io.BytesIO(b""))
    assert e.value.path == "<stdin>"


def test_read_document_errors(tmp_path):
    with pytest.raises(InputError) as e:
        read_document(tmp_path / "missing.txt")
    assert e.value.path.endswith("missing.txt") and "no such file" in e.value.message
    with pytest.raises(InputError) as e:
        read_document(tmp_path)
    assert "directory" in e.value.message
    (tmp_path / "rule.md").write_text("---\n\n***\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_document(tmp_path / "rule.md", lang="en")
    assert "no sentences" in e.value.message
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02PK\x03\x04")
    with pytest.raises(InputError) as e:
        read_document(tmp_path / "bin.txt")
    assert e.value.path == str(tmp_path / "bin.txt")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_read_document_permission_denied(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text("Hello.", encoding="utf-8")
    p.chmod(0)
    try:
        with pytest.raises(InputError) as e:
            read_document(p)
        assert "permission" in e.value.message
    finally:
        p.chmod(0o644)


# --- iter_input_files ------------------------------------------------------------------------

def test_iter_input_files(tmp_path):
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / ".hidden").mkdir()
    for name in ["b.txt", "a.md", "sub/c.TXT", "sub/skip.json", ".secret.txt", ".hidden/x.txt"]:
        (d / name).write_text("x", encoding="utf-8")
    other = tmp_path / "notes.rst"
    other.write_text("x", encoding="utf-8")
    got = iter_input_files([str(d), str(other), str(d / "b.txt"), "-"])
    assert got == [d / "a.md", d / "b.txt", d / "sub" / "c.TXT", other, Path("-")]
    assert iter_input_files([str(d)], suffixes=(".md",)) == [d / "a.md"]


def test_iter_input_files_errors(tmp_path):
    with pytest.raises(InputError) as e:
        iter_input_files([str(tmp_path / "nope")])
    assert e.value.path.endswith("nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as e:
        iter_input_files([str(tmp_path / "empty")])
    assert "no .txt or .md files" in e.value.message


def test_control_characters_are_unicodes_less_whitespace():
    # the binary check counts them by a regex: the same characters as a category look-up
    import sys
    import unicodedata

    from aligner.io.text import _CONTROLS

    want = {chr(i) for i in range(sys.maxunicode + 1) if unicodedata.category(chr(i)) == "Cc"} \
        - set("\t\n\r\f\v\x1b")
    assert {chr(i) for i in range(0x2000) if _CONTROLS.fullmatch(chr(i))} == want
