"""Reading the documents a translator gives us: bytes -> text -> language -> segments.

Text is decoded from UTF-8 (with or without a BOM), UTF-16/32 with a BOM, or, failing
those, the encoding charset-normalizer detects among those used for English and Chinese
(GB18030/GBK/GB2312, Big5, Windows-1252/Latin-1). Line ends are normalised to LF and a
leading BOM is removed: segment offsets are offsets into that normalised text, which is
also the text stored in a bitext.
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path
from typing import BinaryIO

from aligner.errors import InputError
from aligner.model import Document
from aligner.segment import segment
from aligner.text.language import not_english  # noqa: F401  (re-exported: callers read files here)
from aligner.text.scripts import count_cjk, count_latin_words

__all__ = ["decode_bytes", "decode_unicode", "detect_language", "normalize_lang", "not_english", "read_document",
           "iter_input_files", "lone_surrogate", "SUPPORTED_LANGS", "STDIN_NAME"]

SUPPORTED_LANGS = ("en", "zh")
STDIN_NAME = "<stdin>"  # how stdin is named in messages

_ENCODING_HINT = "Pass the file's encoding with --encoding (for example --encoding gb18030, big5, utf-16-le)."

# Encodings detection chooses among: the ones English and Chinese texts come in. Limiting
# the choice keeps short Chinese texts from being read as Korean (cp949) or Baltic Latin.
_DETECT_ENCODINGS = ["utf_8", "gb18030", "big5", "cp1252", "latin_1"]

_BOMS = [  # longest first: the UTF-32 LE BOM begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def _display(path) -> str | None:
    if path is None:
        return None
    return STDIN_NAME if str(path) == "-" else str(path)


def _normalise(text: str, path) -> str:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty file: there is no text in it", path=_display(path),
                         hint="Check that you gave the right file.")
    return text


def _looks_binary(text: str) -> bool:
    """Control characters other than whitespace are rare in text and common in binary data."""
    if not text:
        return False
    sample = text[:65536]
    controls = len(_CONTROLS.findall(sample))
    return controls > max(2, len(sample) // 100)


#: Unicode's control characters (category Cc: U+0000-001F, U+007F-009F) but whitespace and
#: escape, found by a regex (a category look-up per character took 40 ms a file)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def _binary_error(path) -> InputError:
    return InputError("this looks like a binary file, not text", path=_display(path),
                      hint="Give a plain-text .txt or .md file. If it is UTF-16 text without a "
                           "byte-order mark, pass --encoding utf-16-le (or utf-16-be).")


def decode_bytes(data: bytes, path=None, encoding: str | None = None) -> str:
    """Text of a file's bytes, with LF line ends and no BOM.

    An explicit `encoding` wins (a BOM of that encoding is still removed). Otherwise: a
    UTF-8/16/32 BOM decides; then UTF-8; then charset-normalizer's best guess among the
    encodings of English and Chinese text. Raises InputError naming `path` for binary
    data (NUL bytes without a UTF-16/32 BOM), undecodable bytes, and empty or
    whitespace-only text.
    """
    if not data.strip():
        raise InputError("empty file: there is no text in it", path=_display(path),
                         hint="Check that you gave the right file.")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", path=_display(path),
                             hint="Use a Python codec name such as utf-8, gb18030, big5, utf-16-le.") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            raise InputError(f"cannot be decoded as {encoding} (byte {e.start})", path=_display(path),
                             line=line, hint="Check the --encoding you gave, or leave it out to detect it.") from None
        return _normalise(text, path)

    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _normalise(data[len(bom):].decode(enc), path)
            except UnicodeDecodeError as e:
                line = data[:e.start].count(b"\n") + 1
                raise InputError(f"the file starts with a {enc} byte-order mark but is not valid {enc}",
                                 path=_display(path), line=line, hint=_ENCODING_HINT) from None

    if b"\x00" in data:
        raise _binary_error(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        from charset_normalizer import from_bytes  # only for files that are not UTF-8

        best = from_bytes(data, cp_isolation=_DETECT_ENCODINGS).best() or from_bytes(data).best()
        if best is None:
            # Usually UTF-8 damaged in one place (a cut-off download, a bad copy): say where.
            raise InputError(f"cannot tell the encoding of this file: it is not UTF-8 (byte "
                             f"0x{data[e.start]:02x} at offset {e.start}) nor another encoding "
                             "of English or Chinese text", path=_display(path),
                             line=data[:e.start].count(b"\n") + 1, hint=_ENCODING_HINT) from None
        text = str(best)
    if _looks_binary(text):
        raise _binary_error(path)
    return _normalise(text, path)


def decode_unicode(data: bytes, path=None, what: str = "file") -> str:
    """Text of a file that must be Unicode (JSON Lines, ...): UTF-8, or UTF-8/16/32 with a
    byte-order mark (Windows tools add one; PowerShell redirects write UTF-16). The BOM is
    removed; line ends are kept. InputError naming the line of the first bad byte."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            body, offset = data[len(bom):], len(bom)
            break
    else:
        body, enc, offset = data, "utf-8", 0
    try:
        return body.decode(enc)
    except UnicodeDecodeError as e:
        pos = offset + e.start
        line = body[:e.start].count("\n".encode(enc)) + 1
        raise InputError(f"not valid {enc.upper()} (byte 0x{data[pos]:02x} at offset {pos})",
                         path=_display(path), line=line,
                         hint=f"A {what} is UTF-8 text; the file may be damaged or in another "
                              "encoding (convert it, e.g. `iconv -f GB18030 -t UTF-8`).") from None


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def lone_surrogate(value) -> str | None:
    """The first unpaired surrogate (U+D800..U+DFFF) in a string, or in the strings of a
    parsed JSON value, else None. JSON escapes such as "\\ud800" decode to them; they are
    not characters, and no UTF-8 file can hold them."""
    if isinstance(value, str):
        m = _SURROGATE_RE.search(value)
        return m.group() if m else None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return None
    for item in items:
        found = lone_surrogate(item)
        if found:
            return found
    return None


def surrogate_error(char: str, path, line: int | None) -> InputError:
    return InputError(f"the text holds an unpaired surrogate \\u{ord(char):04x}, which is not a "
                      "character", path=_display(path), line=line,
                      hint="The file was written by a tool that mishandles Unicode; fix or remove "
                           "that escape (an emoji is written as a pair, e.g. \\ud83d\\ude00).")




LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


def other_language(lang: str) -> str:
    """The other side of the pair: aligner works between en and zh."""
    return "zh" if lang == "en" else "en"


def contradicted_language(text: str, declared: str) -> str | None:
    """The language the script of `text` shows when it contradicts `declared`, else None
    (also None for text with neither letters nor Chinese characters: nothing to contradict).

    A model fed the other language writes garbage, and the aligner would segment by the wrong
    rules and label the bitext the wrong way round: callers refuse such input."""
    try:
        detected = detect_language(text)
    except InputError:
        return None
    return detected if detected != declared else None


def detect_language(text: str, path=None) -> str:
    """"zh" when Chinese characters outnumber Latin words, else "en".

    One Chinese character carries about as much as one English word, so characters are
    weighed against words (a Chinese text naming a few English products stays Chinese,
    an English text quoting a Chinese term stays English). Only English and Chinese are
    supported: a text with neither raises InputError (pass --from/--to to say).
    """
    sample = text[:200_000]  # plenty to decide; keeps huge files fast
    cjk = count_cjk(sample)
    latin = count_latin_words(sample)
    if cjk == 0 and latin == 0:
        raise InputError("cannot tell the language: the text has neither Latin letters nor Chinese characters",
                         path=_display(path),
                         hint="aligner works between English and Chinese; pass --from en or --from zh.")
    return "zh" if cjk >= latin and cjk > 0 else "en"


def normalize_lang(lang: str, path=None) -> str:
    """"en" or "zh" from a language tag such as en, EN, en-US, zh-CN, zh_Hans, zh-TW."""
    code = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    if code not in SUPPORTED_LANGS:
        raise InputError(f"unsupported language {lang!r}", path=path,
                         hint="aligner works between English (en) and Chinese (zh).")
    return code


def read_document(path: str | Path, lang: str | None = None, encoding: str | None = None,
                  presplit: bool = False, stdin: BinaryIO | None = None) -> Document:
    """Read, decode, identify the language of and segment one input file.

    `path` "-" reads bytes from `stdin` (default: sys.stdin.buffer). `lang` None detects
    the language. The Document keeps `path` as given (str). See `decode_bytes` and
    `aligner.segment.segment` for the details and errors.
    """
    spath = str(path)
    if spath == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read()
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise InputError("is a directory, not a file", path=spath,
                                 hint="Give a .txt or .md file (commands that take several inputs accept directories).")
            data = p.read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", path=spath, hint="Check the path and its spelling.") from None
        except PermissionError:
            raise InputError("permission denied: cannot read the file", path=spath,
                             hint="Check the file's permissions.") from None
        except IsADirectoryError:
            raise InputError("is a directory, not a file", path=spath) from None
        except OSError as e:
            raise InputError(f"cannot read the file: {e.strerror or e}", path=spath) from None
    text = decode_bytes(data, spath, encoding)
    code = normalize_lang(lang, _display(spath)) if lang else detect_language(text, spath)
    doc = segment(Document(lang=code, text=text, path=spath), presplit=presplit)
    if not doc.segments:
        raise InputError("no sentences found: the file holds only Markdown markers or rules",
                         path=_display(spath), hint="Check that you gave the right file.")
    return doc


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def iter_input_files(inputs: list[str], suffixes=(".txt", ".md")) -> list[Path]:
    """The files named by `inputs`, in order and without duplicates.

    A directory stands for its files with one of `suffixes` (case-insensitive), searched
    recursively in sorted order, skipping hidden files and hidden directories. A file
    given explicitly is kept whatever its suffix. "-" (stdin) is kept as Path("-"). A file
    met again through a symbolic link comes once, under the file's own name.
    A missing path, or a directory without any such file, raises InputError.
    """
    wanted = tuple(s.lower() for s in suffixes)
    out: list[Path] = []
    seen: set = set()

    def add(p: Path) -> None:
        key = "-" if str(p) == "-" else p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
        elif key != "-" and not p.is_symlink():
            # A file and a symbolic link to it: keep the file, under its own name.
            for i, q in enumerate(out):
                if q.is_symlink() and q.resolve() == key:
                    out[i] = p

    for item in inputs:
        if str(item) == "-":
            add(Path("-"))
            continue
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*")
                           if f.is_file() and f.name.lower().endswith(wanted)
                           and not _hidden(f.relative_to(p)))
            if not found:
                raise InputError(f"no {' or '.join(wanted)} files in this directory", path=str(item),
                                 hint="Give the files themselves, or a directory that holds them.")
            for f in found:
                add(f)
        elif p.exists():
            add(p)
        else:
            raise InputError("no such file or directory", path=str(item), hint="Check the path and its spelling.")
    return out
