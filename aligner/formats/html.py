"""HTML review page: one self-contained file a reviewer opens in any browser.

Source and target side by side, one row per bead; glossary terms highlighted (hover
for the glossary entry), beads that need a look flagged (machine translation, low
score, glossary violation, untranslated), a summary at the top and a switch that
shows only the flagged beads (CSS only: no script, no external resource). All text is
escaped, so an article containing `<script>` shows it as text.
"""

from __future__ import annotations

import html
from typing import IO

from aligner import __version__
from aligner.formats.html_document import HtmlDocument
from aligner.formats.base import Format, WriteOptions
from aligner.formats.common import bitext_tags, document_name, visible_controls
from aligner.formats.review import (Highlight, bead_terms, check_glossary, finding_text, review_reasons, summarize,
                                    term_origins, violations)
from aligner.model import Bitext

LANG_NAMES = {"en": "English", "zh": "中文"}

CSS = """
:root {
  --bg: #f7f7f5; --card: #ffffff; --fg: #1f2328; --muted: #656d76; --line: #e4e4e0;
  --term: #fff0a6; --term-edge: #c9a400; --problem: #ffd9d6; --problem-edge: #cf222e;
  --review: #fff8eb; --review-edge: #e8a317; --mt: #ddf4ff; --mt-fg: #0550ae;
  --low: #fff1e5; --low-fg: #9a4a00; --bad-fg: #a40e26;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
        "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
        "WenQuanYi Micro Hei", sans-serif;
}
:lang(zh) {
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
               "Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif;
  line-height: 1.8;
}
.page { max-width: 1440px; margin: 0 auto; padding: 20px 24px 48px; }
header.summary {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 16px 20px; margin-bottom: 20px;
}
h1 { font-size: 20px; margin: 0 0 2px; }
.docs { color: var(--muted); margin: 0 0 12px; }
.stats { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 12px; padding: 0; }
.stats div { min-width: 96px; }
.stats dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stats dd { margin: 0; font-size: 22px; font-weight: 600; }
.stats .attention dd { color: var(--low-fg); }
.stats .bad dd { color: var(--bad-fg); }
.legend { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; font-size: 13px; color: var(--muted); }
.legend label { color: var(--fg); cursor: pointer; user-select: none; }
section.bitext { margin-bottom: 28px; }
h2 { font-size: 16px; margin: 0 0 8px; }
table { width: 100%; border-collapse: separate; border-spacing: 0; table-layout: fixed;
        background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
col.num { width: 3.2em; } col.info { width: 11em; }
th { position: sticky; top: 0; z-index: 1; background: #eef0f2; text-align: left; font-size: 13px;
     padding: 8px 12px; border-bottom: 1px solid var(--line); }
th:first-child { border-top-left-radius: 10px; } th:last-child { border-top-right-radius: 10px; }
td { vertical-align: top; padding: 9px 12px; border-bottom: 1px solid var(--line);
     white-space: pre-wrap; overflow-wrap: anywhere; }
tbody tr:last-child td { border-bottom: 0; }
td.num { color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; padding-right: 4px; }
td.num a { color: inherit; text-decoration: none; }
td.info { font-size: 12px; white-space: normal; }
tr.review td { background: var(--review); }
tr.review td:first-child { box-shadow: inset 4px 0 0 var(--review-edge); }
tr.violation td:first-child { box-shadow: inset 4px 0 0 var(--problem-edge); }
mark.term { background: var(--term); color: inherit; border-bottom: 2px solid var(--term-edge);
            border-radius: 3px; padding: 0 1px; }
mark.term.problem { background: var(--problem); border-bottom: 2px dashed var(--problem-edge); }
.badge { display: inline-block; border-radius: 999px; padding: 0 8px; margin: 0 4px 4px 0;
         font-size: 11px; font-weight: 600; line-height: 18px; white-space: nowrap; }
.badge.mt { background: var(--mt); color: var(--mt-fg); }
.badge.low { background: var(--low); color: var(--low-fg); }
.badge.bad { background: var(--problem); color: var(--bad-fg); }
.badge.ok { background: #dafbe1; color: #116329; }
.score { font-variant-numeric: tabular-nums; color: var(--muted); margin-right: 6px; }
ul.violations { margin: 6px 0 0; padding: 0 0 0 18px; color: var(--bad-fg); font-size: 13px; white-space: normal; }
ul.origins { margin: 6px 0 0; padding: 0 0 0 18px; color: var(--muted); font-size: 12px; white-space: normal; }
.empty { color: var(--muted); font-style: italic; }
body:has(#only-review:checked) tbody tr:not(.review) { display: none; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
@media (max-width: 900px) { col.info { width: 7em; } .page { padding: 12px; } }
@media print { th { position: static; } .legend label { display: none; } }
"""


def _e(text: object) -> str:
    return html.escape(visible_controls(str(text)), quote=True)


def _marked(text: str, spans: list[Highlight]) -> str:
    """Escaped text with the glossary spans wrapped in <mark>."""
    out, pos = [], 0
    for h in spans:
        out.append(_e(text[pos:h.start]))
        cls = "term problem" if h.problem else "term"
        out.append(f'<mark class="{cls}" title="{_e(h.title)}">{_e(text[h.start:h.end])}</mark>')
        pos = h.end
    out.append(_e(text[pos:]))
    return "".join(out)


def _stat(label: str, value: object, cls: str = "") -> str:
    return f'<div class="{cls}"><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>'


def _section(k: int, bt: Bitext, names: tuple[str, str], options: WriteOptions,
             findings: dict | None = None) -> tuple[list[str], int]:
    """The table of one bitext, and how many term occurrences it highlights in the source."""
    low = options.low_score
    src_tag, tgt_tag = bitext_tags(bt, options.lang_tags)
    a, b = names
    heading = f"{a} \u2192 {b}" if b else a
    out = [f'<section class="bitext" id="doc-{k + 1}">', f'<h2>{_e(heading)}</h2>',
           '<table><colgroup><col class="num"><col class="src"><col class="tgt"><col class="info"></colgroup>',
           f'<thead><tr><th>#</th><th lang="{src_tag}">{_e(LANG_NAMES.get(bt.src_lang, bt.src_lang))}</th>'
           f'<th lang="{tgt_tag}">{_e(LANG_NAMES.get(bt.tgt_lang, bt.tgt_lang))}</th><th>Check</th></tr></thead>',
           '<tbody>']
    term_count = 0
    for bead, src, tgt in bt.pairs():
        terms = bead_terms(bt, bead, src, tgt, options.glossary)
        term_count += len(terms.source)
        reasons = review_reasons(bead, low)
        found = (findings or {}).get(bead.id) or []
        viol = violations(bead) + [finding_text(f) for f in found if finding_text(f) not in violations(bead)]
        if found and "glossary violation" not in reasons:
            reasons.append("glossary violation")
        origins = term_origins(bead)
        low_score = bead.score is not None and bead.score < low
        classes = ["bead"] + (["review"] if reasons else []) + (["mt"] if bead.origin == "mt" else []) \
            + (["low"] if low_score else []) + (["violation"] if viol else [])
        row_id = f"b{k + 1}-{bead.id}"
        badges = []
        if bead.score is not None:
            badges.append(f'<span class="score">{bead.score:.2f}</span>')
        if bead.origin == "mt":
            badges.append('<span class="badge mt">MT</span>')
        elif bead.origin == "import":
            badges.append('<span class="badge ok" title="from a translation memory">TM</span>')
        if low_score:
            badges.append('<span class="badge low">low</span>')
        if viol:
            badges.append('<span class="badge bad">violation</span>')
        if not bead.tgt:
            badges.append('<span class="badge bad">untranslated</span>')
        if bead.kind != "1-1":
            badges.append(f'<span class="badge">{_e(bead.kind)}</span>')
        src_html = _marked(src, terms.source) if src else '<span class="empty">(none)</span>'
        tgt_html = _marked(tgt, terms.target) if tgt else '<span class="empty">(not translated)</span>'
        if viol:
            tgt_html += '<ul class="violations">' + "".join(f"<li>{_e(v)}</li>" for v in viol) + "</ul>"
        if origins:
            tgt_html += '<ul class="origins">' + "".join(f"<li>{_e(o)}</li>" for o in origins) + "</ul>"
        out.append(f'<tr id="{row_id}" class="{" ".join(classes)}"'
                   + (f' title="{_e("; ".join(reasons))}"' if reasons else "") + '>'
                   f'<td class="num"><a href="#{row_id}">{_e(bead.id)}</a></td>'
                   f'<td class="src" lang="{src_tag}">{src_html}</td>'
                   f'<td class="tgt" lang="{tgt_tag}">{tgt_html}</td>'
                   f'<td class="info">{"".join(badges)}</td></tr>')
    out.append('</tbody></table></section>')
    return out, term_count


def render_html(bitexts: list[Bitext], options: WriteOptions) -> str:
    low = options.low_score
    findings = check_glossary(bitexts, options.glossary)
    s = summarize(bitexts, low, findings)
    names = [(document_name(bt, k), bt.target.name if bt.target.path else "") for k, bt in enumerate(bitexts)]
    title = options.title or ("Review: " + (names[0][0] if len(bitexts) == 1 else f"{len(bitexts)} documents"))
    langs = sorted({(bt.src_lang, bt.tgt_lang) for bt in bitexts})
    pair = ", ".join(f"{LANG_NAMES.get(a, a)} \u2192 {LANG_NAMES.get(b, b)}" for a, b in langs)
    sections, term_count = [], 0
    for k, bt in enumerate(bitexts):
        lines, n = _section(k, bt, names[k], options, findings[k])
        sections += lines
        term_count += n

    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="generator" content="aligner {_e(__version__)}">',
           f'<title>{_e(title)}</title>', f'<style>{CSS}</style>', '</head>', '<body>', '<div class="page">',
           '<header class="summary">', f'<h1>{_e(title)}</h1>']
    docs = "; ".join(f"{a} \u2192 {b}" if b else a for a, b in names)
    out.append(f'<p class="docs">{_e(pair)} \u00b7 {_e(docs)}</p>')
    out.append('<dl class="stats">')
    if len(bitexts) > 1:
        out.append(_stat("Documents", s["documents"]))
    out.append(_stat("Beads", s["beads"]))
    out.append(_stat("To review", s["review"], "attention" if s["review"] else ""))
    out.append(_stat("Machine translated", s["origins"].get("mt", 0)))
    out.append(_stat(f"Score below {low:g}", s["low_score"], "attention" if s["low_score"] else ""))
    out.append(_stat("Glossary violations", s["violations"], "bad" if s["violations"] else ""))
    if options.glossary is not None:
        out.append(_stat("Terms missing or forbidden", s["missing_terms"], "bad" if s["missing_terms"] else ""))
    out.append(_stat("Glossary terms", term_count))
    if s["mean_score"] is not None:
        out.append(_stat("Mean score", f"{s['mean_score']:.2f}"))
    out.append('</dl>')
    out.append('<div class="legend"><span><mark class="term">term</mark> glossary term</span>'
               '<span><mark class="term problem">term</mark> term not as the glossary says</span>'
               '<span><span class="badge mt">MT</span>machine translation</span>'
               f'<span><span class="badge low">low</span>score below {low:g}</span>'
               '<label><input type="checkbox" id="only-review"> show only beads to review</label></div>')
    out.append('</header>')
    out += sections
    out.append(f'<footer>Made with aligner {_e(__version__)}. Hover a highlighted term for its glossary entry.</footer>')
    out.append('</div></body></html>')
    return "\n".join(out) + "\n"


class HtmlFormat(HtmlDocument, Format):
    name = "html"
    extensions = (".html", ".htm")
    read_extensions = (".html", ".htm", ".xhtml")  # documents to translate
    mime_types = ("text/html",)
    description = "one self-contained review page: side by side, terms highlighted, problems flagged"

    def _write(self, bitexts: list[Bitext], f: IO[str], options: WriteOptions) -> None:
        f.write(render_html(bitexts, options))
