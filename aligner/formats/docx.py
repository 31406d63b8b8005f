"""DOCX: the bilingual two-column table translators send to clients for review.

A title and a one-line summary, then per document a table: source on the left,
target on the right, one row per bead, the header row repeated on every page.
Glossary terms are highlighted; a bead that needs review has its target cell shaded
and a short italic line saying why (machine translation, low score, glossary
violation). Chinese text gets a Chinese font (East Asian font slot of each run).
"""

from __future__ import annotations

import io
from typing import IO

from aligner.documents.docx import DocxDocument
from aligner.formats.base import Format, WriteOptions
from aligner.formats.common import document_name, visible_controls
from aligner.formats.review import Highlight, bead_terms, review_reasons, summarize, violations
from aligner.model import Bitext

LANG_NAMES = {"en": "English", "zh": "中文"}
EAST_ASIAN_FONT = "Microsoft YaHei"  # on Windows and Office for Mac; Word substitutes elsewhere
REVIEW_SHADE = "FFF3D6"
HEADER_SHADE = "E8EAED"


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _east_asian(run) -> None:
    from docx.oxml.ns import qn
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _fill(paragraph, text: str, spans: list[Highlight]) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    pos = 0
    for h in spans + [None]:
        end = h.start if h else len(text)
        if end > pos:
            _east_asian(paragraph.add_run(visible_controls(text[pos:end])))
        if h:
            run = paragraph.add_run(visible_controls(text[h.start:h.end]))
            run.font.highlight_color = WD_COLOR_INDEX.PINK if h.problem else WD_COLOR_INDEX.YELLOW
            _east_asian(run)
            pos = h.end


class DocxFormat(DocxDocument, Format):
    name = "docx"
    extensions = (".docx",)
    mime_types = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
    binary = True
    description = "Word document with a bilingual two-column table (client review)"

    def _write(self, bitexts: list[Bitext], f: IO[bytes], options: WriteOptions) -> None:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Pt, RGBColor
        from docx.table import _Cell

        low = options.low_score
        document = docx.Document()
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE  # two columns of prose read better wide
        section.page_width, section.page_height = section.page_height, section.page_width
        for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, margin, Pt(54))
        normal = document.styles["Normal"]
        normal.font.size = Pt(10.5)
        _east_asian_style(normal)

        s = summarize(bitexts, low)
        title = options.title or ("Bilingual review: " + (document_name(bitexts[0], 0) if len(bitexts) == 1
                                                          else f"{len(bitexts)} documents"))
        document.add_heading(visible_controls(title), level=1)
        line = (f"{s['beads']} segments; {s['review']} to review "
                f"({s['origins'].get('mt', 0)} machine translated, {s['low_score']} with score below {low:g}, "
                f"{s['violations']} with glossary violations).")
        document.add_paragraph(line)

        for k, bt in enumerate(bitexts):
            if len(bitexts) > 1:
                document.add_heading(visible_controls(document_name(bt, k)), level=2)
            pairs = list(bt.pairs())
            # All rows at once, cells reached through the row XML: python-docx's add_row()
            # and row.cells walk the whole table each time (quadratic on long documents).
            table = document.add_table(rows=len(pairs) + 1, cols=2)
            table.style = "Table Grid"
            rows = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
            _repeat_header(table.rows[0])
            for cell, lang in zip(rows[0], (bt.src_lang, bt.tgt_lang)):
                run = cell.paragraphs[0].add_run(LANG_NAMES.get(lang, lang))
                run.bold = True
                _east_asian(run)
                _shade(cell, HEADER_SHADE)
            for (src_cell, tgt_cell), (bead, src, tgt) in zip(rows[1:], pairs):
                terms = bead_terms(bt, bead, src, tgt, options.glossary)
                _fill(src_cell.paragraphs[0], src, terms.source)
                _fill(tgt_cell.paragraphs[0], tgt, terms.target)
                reasons = review_reasons(bead, low)
                if reasons:
                    _shade(tgt_cell, REVIEW_SHADE)
                    why = "Check: " + ", ".join(reasons)
                    viol = violations(bead)
                    if viol:
                        why += " \u2014 " + "; ".join(viol)
                    note = tgt_cell.add_paragraph().add_run(visible_controls(why))
                    note.italic = True
                    note.font.size = Pt(8.5)
                    note.font.color.rgb = RGBColor(0x9A, 0x4A, 0x00)
                    _east_asian(note)
        # Zip into memory, then write: a zip writer whose file fails under it (disk full) is
        # left for the garbage collector, which prints an "Exception ignored in
        # ZipFile.__del__" traceback after the error message.
        buffer = io.BytesIO()
        document.save(buffer)
        f.write(buffer.getbuffer())


def _east_asian_style(style) -> None:
    from docx.oxml.ns import qn
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
