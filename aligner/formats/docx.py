"""DOCX: the bilingual two-column table translators send to clients for review.

A title and a one-line summary, then per document a table: bead id, source, target and
score (the id and score columns can be left out), one row per bead, the header row
repeated on every page and no row split across pages. Every run says its language
(w:lang: en-US, zh-CN or the bitext's variant) for spelling checkers and fonts.
With a glossary, the glossary check's findings (every missing or forbidden term) are
listed under the target, and for each term the translation handled whether the model
got it right or enforcement put it there.
Glossary terms are highlighted; a bead that needs review has its target cell shaded
and a short italic line saying why (machine translation, low score, glossary
violation). Chinese text gets a Chinese font (East Asian font slot of each run).
"""

from __future__ import annotations

import io
from typing import IO

from aligner.formats.docx_document import DocxDocument
from aligner.formats.base import Format, WriteOptions
from aligner.formats.common import bitext_tags, document_name, visible_controls
from aligner.formats.review import (Highlight, bead_terms, check_glossary, finding_text, review_reasons, summarize,
                                    term_origins, violations)
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


def _cant_split(tr) -> None:
    """A row (its <w:tr>) is never broken across pages: a reviewer reads a segment and its
    translation together (Word and LibreOffice honour w:cantSplit)."""
    from docx.oxml import OxmlElement
    tr_pr = tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _east_asian(run, lang: str | None = None) -> None:
    """The East Asian font slot, and the run's language (w:lang), which spelling checkers
    and font choice in Word and LibreOffice go by."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    if lang:
        el = r_pr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            r_pr.append(el)
        if lang.startswith("zh"):
            el.set(qn("w:val"), lang)
            el.set(qn("w:eastAsia"), lang)
        else:
            el.set(qn("w:val"), lang)


def word_lang(tag: str) -> str:
    """The tag Word's w:lang wants: a language with its region (en-US, zh-CN, zh-TW)."""
    return {"en": "en-US", "zh": "zh-CN", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}.get(tag, tag)


def _fill(paragraph, text: str, spans: list[Highlight], lang: str | None = None) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    pos = 0
    for h in spans + [None]:
        end = h.start if h else len(text)
        if end > pos:
            _east_asian(paragraph.add_run(visible_controls(text[pos:end])), lang)
        if h:
            run = paragraph.add_run(visible_controls(text[h.start:h.end]))
            run.font.highlight_color = WD_COLOR_INDEX.PINK if h.problem else WD_COLOR_INDEX.YELLOW
            _east_asian(run, lang)
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

        findings = check_glossary(bitexts, options.glossary)
        s = summarize(bitexts, low, findings)
        title = options.title or ("Bilingual review: " + (document_name(bitexts[0], 0) if len(bitexts) == 1
                                                          else f"{len(bitexts)} documents"))
        document.add_heading(visible_controls(title), level=1)
        line = (f"{s['beads']} segments; {s['review']} to review "
                f"({s['origins'].get('mt', 0)} machine translated, {s['low_score']} with score below {low:g}, "
                f"{s['violations']} with glossary violations).")
        if options.glossary is not None:
            line += f" Glossary check: {s['missing_terms']} terms missing or forbidden."
        document.add_paragraph(line)

        for k, bt in enumerate(bitexts):
            if len(bitexts) > 1:
                document.add_heading(visible_controls(document_name(bt, k)), level=2)
            langs = [word_lang(t) for t in bitext_tags(bt, options.lang_tags)]
            pairs = list(bt.pairs())
            cols = 4 if options.columns else 2
            # All rows at once, cells reached through the row XML: python-docx's add_row()
            # and row.cells walk the whole table each time (quadratic on long documents).
            table = document.add_table(rows=len(pairs) + 1, cols=cols)
            table.style = "Table Grid"
            rows = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
            _repeat_header(table.rows[0])
            for tr in table._tbl.tr_lst:
                _cant_split(tr)
            heads = [LANG_NAMES.get(bt.src_lang, bt.src_lang), LANG_NAMES.get(bt.tgt_lang, bt.tgt_lang)]
            if options.columns:
                heads = ["#"] + heads + ["Score"]
                _widths(table, section)
            for cell, head in zip(rows[0], heads):
                run = cell.paragraphs[0].add_run(head)
                run.bold = True
                _east_asian(run)
                _shade(cell, HEADER_SHADE)
            for cells, (bead, src, tgt) in zip(rows[1:], pairs):
                if options.columns:
                    id_cell, src_cell, tgt_cell, score_cell = cells
                    _small(id_cell.paragraphs[0], str(bead.id))
                    _small(score_cell.paragraphs[0], f"{bead.score:.2f}" if bead.score is not None else "\u2013")
                else:
                    src_cell, tgt_cell = cells
                terms = bead_terms(bt, bead, src, tgt, options.glossary)
                _fill(src_cell.paragraphs[0], src, terms.source, langs[0])
                _fill(tgt_cell.paragraphs[0], tgt, terms.target, langs[1])
                reasons = review_reasons(bead, low)
                found = findings[k].get(bead.id) or []
                if found and "glossary violation" not in reasons:
                    reasons.append("glossary violation")
                notes = []
                if reasons:
                    _shade(tgt_cell, REVIEW_SHADE)
                    why = "Check: " + ", ".join(reasons)
                    viol = violations(bead) + [finding_text(x) for x in found if finding_text(x) not in violations(bead)]
                    if viol:
                        why += " \u2014 " + "; ".join(viol)
                    notes.append(why)
                notes += term_origins(bead)
                for text in notes:
                    note = tgt_cell.add_paragraph().add_run(visible_controls(text))
                    note.italic = True
                    note.font.size = Pt(8.5)
                    note.font.color.rgb = RGBColor(0x9A, 0x4A, 0x00)
                    _east_asian(note, "en-US")
        # Zip into memory, then write: a zip writer whose file fails under it (disk full) is
        # left for the garbage collector, which prints an "Exception ignored in
        # ZipFile.__del__" traceback after the error message.
        buffer = io.BytesIO()
        document.save(buffer)
        f.write(buffer.getbuffer())


def _east_asian_style(style) -> None:
    from docx.oxml.ns import qn
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _small(paragraph, text: str) -> None:
    from docx.shared import Pt
    run = paragraph.add_run(text)
    run.font.size = Pt(8.5)


def _widths(table, section) -> None:
    """Narrow id and score columns, the text columns sharing the rest of the page."""
    from docx.shared import Emu
    usable = section.page_width - section.left_margin - section.right_margin
    narrow = Emu(int(usable * 0.06))
    wide = Emu(int((usable - 2 * narrow) / 2))
    table.autofit = False
    for i, width in enumerate((narrow, wide, wide, narrow)):
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
