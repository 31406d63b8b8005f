"""`aligner import`: translation memories from CAT tools and spreadsheets become bitexts;
hostile XML (external entities, entity bombs) is refused without reading or expanding
anything; bad files get one message naming the file and line, and no output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.errors import InputError
from aligner.io.bitext_jsonl import read_bitext
from aligner.io.tm_import import import_tm, parse_xml_safely

# A TMX as CAT tools write it: TMX 1.4 with regional tags, inline codes, a unit
# with only the source, one in a third language only, and a prop of another tool.
THIRD_PARTY_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="SDL Language Platform" creationtoolversion="8.0" o-tmf="SDL TM8 Format"
          datatype="xml" segtype="sentence" adminlang="en-US" srclang="en-US"/>
  <body>
    <tu creationdate="20200101T000000Z">
      <prop type="x-Client">Epoch</prop>
      <tuv xml:lang="en-US"><seg>Click <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> now.</seg></tuv>
      <tuv xml:lang="zh-CN"><seg>立即点击<bpt i="1">&lt;b&gt;</bpt>保存<ept i="1">&lt;/b&gt;</ept>。</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="EN-US"><seg>Only the source.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="fr-FR"><seg>Seulement en français.</seg></tuv>
    </tu>
    <tu>
      <note>checked by the reviewer</note>
      <tuv xml:lang="zh-cn"><seg>朱志强宣布退党。</seg></tuv>
      <tuv xml:lang="en-us"><seg>Zhu Zhiqiang quit the Party.</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_third_party_tmx(tmp_path):
    path = tmp_path / "memory.tmx"
    path.write_text(THIRD_PARTY_TMX, encoding="utf-8")
    bt = import_tm(path)
    assert (bt.src_lang, bt.tgt_lang) == ("en", "zh")
    assert [(b.kind, s, t) for b, s, t in bt.pairs()] == [
        # native codes <b> are not text: they are placeholders, recorded in the bead's meta
        ("1-1", "Click \u27e81\u27e9Save\u27e8/1\u27e9 now.", "立即点击\u27e81\u27e9保存\u27e8/1\u27e9。"),
        ("1-0", "Only the source.", ""),
        ("1-1", "Zhu Zhiqiang quit the Party.", "朱志强宣布退党。")]
    assert bt.beads[0].meta["props"] == {"x-Client": "Epoch"}
    assert bt.beads[2].meta["notes"] == ["checked by the reviewer"]
    assert bt.meta["import"]["skipped"] == 1  # the French-only unit, counted, not silent
    assert {b.origin for b in bt.beads} == {"import"}


def test_languages_from_the_command_line_win(tmp_path):
    path = tmp_path / "memory.tmx"
    path.write_text(THIRD_PARTY_TMX, encoding="utf-8")
    bt = import_tm(path, src_lang="zh-CN", tgt_lang="en")
    assert (bt.src_lang, bt.tgt_lang) == ("zh", "en")
    assert bt.src_text(bt.beads[0]) == "立即点击\u27e81\u27e9保存\u27e8/1\u27e9。"
    with pytest.raises(InputError, match="unsupported language 'fr'"):
        import_tm(path, tgt_lang="fr")


SEGMENTED_XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="news.docx" source-language="en-US" target-language="zh-CN" datatype="x-sdlfilterframework2">
    <body>
      <group>
        <trans-unit id="u1">
          <source>First sentence. Second sentence.</source>
          <seg-source><mrk mtype="seg" mid="1">First sentence.</mrk> <mrk mtype="seg" mid="2">Second <g id="b">sentence</g>.</mrk></seg-source>
          <target><mrk mtype="seg" mid="1">第一句。</mrk><mrk mtype="seg" mid="2">第二<g id="b">句</g>。</mrk></target>
        </trans-unit>
      </group>
      <trans-unit id="u2">
        <source>Plain unit with <x id="1"/>a placeholder.</source>
        <target state="final">带<x id="1"/>占位符的普通单元。</target>
        <note>client note</note>
      </trans-unit>
    </body>
  </file>
</xliff>
"""


def test_segmented_xliff_from_a_cat_tool(tmp_path):
    path = tmp_path / "news.sdlxliff"
    path.write_text(SEGMENTED_XLIFF, encoding="utf-8")
    bt = import_tm(path)
    assert (bt.src_lang, bt.tgt_lang) == ("en", "zh")
    assert [(s, t) for _, s, t in bt.pairs()] == [
        ("First sentence.", "第一句。"), ("Second \u27e81\u27e9sentence\u27e8/1\u27e9.", "第二\u27e81\u27e9句\u27e8/1\u27e9。"),
        ("Plain unit with \u27e81/\u27e9a placeholder.", "带\u27e81/\u27e9占位符的普通单元。")]
    meta = dict(bt.beads[2].meta)
    assert [c["xml"] for c in meta.pop("inline")["source"]] == ['<x xmlns="urn:oasis:names:tc:xliff:document:1.2" id="1"/>']
    assert meta == {"id": "u2", "document": "news.docx", "state": "final", "notes": ["client note"]}


def test_xliff_2_is_read(tmp_path):
    path = tmp_path / "v2.xlf"
    path.write_text('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="zh-TW">'
                    '<file id="f"><unit id="1"><segment state="final"><source>A cadre.</source>'
                    '<target>一名幹部。</target></segment></unit>'
                    '<unit id="2" translate="no"><segment><source>ACME</source></segment></unit></file></xliff>',
                    encoding="utf-8")
    bt = import_tm(path)
    assert [(s, t) for _, s, t in bt.pairs()] == [("A cadre.", "一名幹部。")]
    assert (bt.src_lang, bt.tgt_lang) == ("en", "zh")
    assert bt.meta["lang_tags"] == {"target": "zh-TW"}
    assert bt.meta["import"]["not_translatable"] == 1


def test_tsv_with_a_header_keeps_other_columns(tmp_path):
    path = tmp_path / "tm.tsv"
    path.write_text("id\tTarget\tSource\tscore\tclient\n7\t你好。\tHello.\t0.75\tACME\n"
                    "8\t再见。\tGoodbye.\t\t\n", encoding="utf-8")
    bt = import_tm(path)
    assert (bt.src_lang, bt.tgt_lang) == ("en", "zh")  # detected from the text
    assert [(s, t) for _, s, t in bt.pairs()] == [("Hello.", "你好。"), ("Goodbye.", "再见。")]
    assert [b.score for b in bt.beads] == [0.75, None]
    assert bt.beads[0].meta == {"id": "7", "client": "ACME"}
    assert bt.beads[1].meta == {"id": "8"}


def test_headerless_csv_semicolons_and_gb18030(tmp_path):
    path = tmp_path / "tm.csv"
    path.write_bytes("南京是江苏的省会。;Nanjing is the capital of Jiangsu.\n朱志强;Zhu Zhiqiang\n".encode("gb18030"))
    bt = import_tm(path)
    assert (bt.src_lang, bt.tgt_lang) == ("zh", "en")
    assert bt.tgt_text(bt.beads[1]) == "Zhu Zhiqiang"
    assert len(bt.beads) == 2


def test_malformed_rows_and_files_name_the_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("Hello.\t你好。\nno tab on this line\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_tm(path)
    assert (e.value.path, e.value.line) == (str(path), 2)
    assert "expected at least 2 columns" in e.value.message and "tab" in e.value.hint

    broken = tmp_path / "broken.tmx"
    broken.write_text('<?xml version="1.0"?>\n<tmx version="1.4">\n<header/>\n<body><tu></body>\n</tmx>\n')
    with pytest.raises(InputError, match="not well-formed XML") as e:
        import_tm(broken)
    assert e.value.line == 4

    wrong = tmp_path / "wrong.tmx"
    wrong.write_text('<?xml version="1.0"?><html><body/></html>')
    with pytest.raises(InputError, match="not a TMX file"):
        import_tm(wrong)

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        import_tm(empty)

    same = tmp_path / "same.tsv"
    same.write_text("Hello.\tGoodbye.\n", encoding="utf-8")
    with pytest.raises(InputError, match="both look like en"):
        import_tm(same)
    assert len(import_tm(same, src_lang="en", tgt_lang="zh").beads) == 1


# --- hostile XML ---------------------------------------------------------------------------

def _xxe(secret) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE tmx [ <!ENTITY xxe SYSTEM "{secret.as_uri()}"> ]>
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>&xxe;</seg></tuv><tuv xml:lang="zh-CN"><seg>秘密</seg></tuv></tu>
</body></tmx>
"""


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xliff [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="x" source-language="en" target-language="zh-CN" datatype="plaintext"><body>
<trans-unit id="1"><source>&lol9;</source><target>笑</target></trans-unit>
</body></file></xliff>
"""


def test_external_entities_are_refused_and_nothing_leaks(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    for encoding in ("utf-8", "utf-16"):
        path = tmp_path / f"xxe-{encoding}.tmx"
        path.write_bytes(_xxe(secret).replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
                         .encode(encoding))
        with pytest.raises(InputError, match="declares XML entities") as e:
            import_tm(path)
        assert "TOP-SECRET" not in str(e.value)

    # The CLI: exit 3, one message, no output file.
    runner = CliRunner()
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["import", str(tmp_path / "xxe-utf-8.tmx"), "-o", str(out)])
    assert result.exit_code == 3
    assert "declares XML entities" in result.output and "TOP-SECRET" not in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_entity_expansion_bomb_is_refused_without_expanding():
    with pytest.raises(InputError, match="declares XML entities"):
        parse_xml_safely(BILLION_LAUGHS.encode(), "bomb.xlf")


def test_entities_hidden_from_the_prolog_scan_are_still_refused(monkeypatch):
    # A comment before the DOCTYPE that looks like a start tag must not hide the entities
    # from the scan; and should anything slip past it, the parser itself neither loads
    # nor expands them, and the declared entities are found in the parsed DTD.
    sneaky = BILLION_LAUGHS.replace("<!DOCTYPE", "<!-- <x> --><!DOCTYPE", 1).encode()
    with pytest.raises(InputError, match="declares XML entities"):
        parse_xml_safely(sneaky, "sneaky.xlf")
    from aligner.io import tm_import
    monkeypatch.setattr(tm_import, "_prolog_declares_entities", lambda data: False)
    with pytest.raises(InputError, match="declares XML entities"):
        parse_xml_safely(BILLION_LAUGHS.encode(), "bomb.xlf")
    secret_free = _xxe(Path("/etc/hostname")).encode()
    with pytest.raises(InputError, match="declares XML entities"):
        parse_xml_safely(secret_free, "xxe.tmx")


# --- the command ----------------------------------------------------------------------------

def test_import_command_writes_a_bitext_and_keeps_old_output_on_failure(tmp_path):
    src = tmp_path / "memory.tmx"
    src.write_text(THIRD_PARTY_TMX, encoding="utf-8")
    out = tmp_path / "memory.jsonl"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "imported 3 translation units (en->zh); 1 without en or zh text skipped" in result.output
    bt = read_bitext(out)
    assert len(bt.beads) == 3

    before = out.read_bytes()
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(bad), "-o", str(out)])
    assert result.exit_code == 3
    assert f"aligner: error: {bad}:1: expected at least 2 columns" in result.output
    assert out.read_bytes() == before  # nothing clobbered

    result = runner.invoke(main, ["import", str(tmp_path / "memory.doc"), "-o", str(out)])
    assert result.exit_code == 2 and "cannot tell the format" in result.output  # pass --format

    result = runner.invoke(main, ["import", "-", "--format", "tsv", "-o", "-"],
                           input="Hello.\t你好。\n".encode())
    assert result.exit_code == 0
    assert '"src_text": "Hello."' in result.stdout
