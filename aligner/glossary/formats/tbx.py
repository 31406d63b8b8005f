"""Glossaries as TBX (TermBase eXchange, ISO 30042), the terminology format CAT tools
(Trados MultiTerm, memoQ, Phrase, Weblate) import and export.

Written as concept-oriented TBX-Basic (`<martif>`, one `<termEntry>` per concept: the
preferred rendering `preferredTerm-admn-sts`, other renderings of the same source
`admittedTerm-admn-sts`, forbidden renderings `deprecatedTerm-admn-sts`, all in their
language's `<langSet>`), so translate-toolkit's `unit.target` is the preferred form.
Aliases are `variant` terms in the source language; language tags as TMX and XLIFF
write them (zh-CN unless told otherwise); case, do-not-translate and unknown columns travel as `x-aligner-*` data
categories so a round trip keeps every field. Reads TBX 2 (`martif`/`termEntry`/`langSet`/
`tig`) and TBX 3 (`tbx`/`conceptEntry`/`langSec`/`termSec`) from other tools, in both
shapes: one entry per concept, or one per glossary row (what this module wrote before).

translate-toolkit's TBX class keeps terms and notes but not statuses per term, aliases or
extra fields, so this module uses lxml directly, with the project's safe parser
(aligner.text.xml: no DTD loaded, no entity resolved, no network touched); files that
declare entities are refused.
"""

from __future__ import annotations

from lxml import etree

from aligner.glossary.formats.base import GlossaryFormat, Parsed, Problem
from aligner.glossary.model import COLUMNS, Glossary, Term
from aligner.text.xml import declares_entities, safe_parser
from aligner.text.xml import local_name as _local

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"
DEPRECATED = "deprecatedTerm-admn-sts"
_DEPRECATED = {"deprecatedterm-admn-sts", "supersededterm-admn-sts", "deprecated", "superseded",
               "deprecatedterm", "supersededterm"}
_EXTRA = "x-aligner-extra:"


def _lang(code: str | None) -> str | None:
    if not code:
        return None
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in ("en", "zh") else base


def _keep_tag(parsed: Parsed, written: str, code: str) -> None:
    """Remember a tag that says more than its language (zh-TW, zh-Hant, en-GB), once per language."""
    tag = written.strip().replace("_", "-")
    if tag.lower() != code and not any(_lang(t) == code for t in parsed.lang_tags):
        parsed.lang_tags.append(tag)


def _text(el) -> str:
    return "".join(el.itertext()).strip()


class TbxFormat(GlossaryFormat):
    name = "tbx"
    suffixes = (".tbx", ".tbxm")
    description = "TermBase eXchange, ISO 30042 (CAT tools)"

    def parse(self, data: bytes, path: str, keep_raw: bool = True) -> Parsed:
        parsed = Parsed([], [], list(COLUMNS), [])
        try:
            root = etree.fromstring(data, safe_parser(remove_pis=True))
        except etree.XMLSyntaxError as e:
            parsed.problems.append(Problem(e.lineno, "xml", f"not well-formed XML ({e.msg})",
                                           hint="Export the TBX again from its tool, or fix the XML."))
            return parsed
        if declares_entities(root):
            parsed.problems.append(Problem(1, "xml", "the file declares XML entities, which are "
                                           "not accepted (they can expand without limit or read "
                                           "local files)", hint="Remove the <!DOCTYPE ...[ ... ]> block."))
            return parsed
        if _local(root) not in ("martif", "tbx"):
            parsed.problems.append(Problem(root.sourceline, "xml", f"not a TBX file (root element "
                                           f"<{_local(root)}>, expected <martif> or <tbx>)"))
            return parsed
        declared = _lang(root.get(XML_LANG))
        entries = [el for el in root.iter() if _local(el) in ("termEntry", "conceptEntry")]
        src_lang = tgt_lang = None
        for entry in entries:
            line = entry.sourceline
            langs: dict[str, list[dict]] = {}
            note = ""
            status = None
            extra: dict[str, str] = {}
            for child in entry:
                name = _local(child)
                typ = child.get("type") or ""
                if name == "note" and not note:
                    note = _text(child)
                elif name in ("descrip", "admin"):
                    if typ == "x-aligner-status":
                        status = _text(child)
                    elif typ.startswith(_EXTRA):
                        extra[typ[len(_EXTRA):]] = child.text or ""
                    elif typ == "definition" and not note:
                        note = _text(child)
                elif name in ("langSet", "langSec"):
                    written = child.get(XML_LANG)
                    code = _lang(written)
                    if code:
                        langs.setdefault(code, []).extend(self._terms(child))
                        _keep_tag(parsed, written, code)
            if len(langs) < 2 and not (status == "dnt" and langs):
                parsed.problems.append(Problem(line, "tbx", "term entry with fewer than two "
                                               "languages, skipped", severity="warning"))
                continue
            codes = list(langs)
            if src_lang is None:
                src_lang = declared if declared in codes else ("en" if "en" in codes else codes[0])
                others = [c for c in codes if c != src_lang]
                tgt_lang = others[0] if others else ("zh" if src_lang == "en" else "en")
            src_terms = langs.get(src_lang, [])
            tgt_terms = langs.get(tgt_lang, [])
            good_src = [t for t in src_terms if not t["deprecated"]]
            good_tgt = [t for t in tgt_terms if not t["deprecated"]]
            rows: list[dict] = []
            base = {"note": note, **extra}
            if good_src and (good_tgt or status == "dnt"):
                main = good_src[0]
                aliases = [t["text"] for t in good_src[1:]]
                targets = [t["text"] for t in good_tgt] or [""]
                for i, target in enumerate(targets):
                    rows.append({**base, "source": main["text"], "target": target,
                                 "aliases": "|".join(aliases) if i == 0 else "",
                                 "case": main["case"] or "", "status": status or "preferred"})
            src_for_bad = good_src[0] if good_src else None
            tgt_for_bad = good_tgt[0] if good_tgt else None
            # A forbidden term's note is its own (on the term) or else the concept's; its
            # aliases are the source's only in an entry that is one forbidden row (the older
            # shape): in a concept entry they belong to the preferred row.
            concept = bool(rows)

            def bad_row(source, target, case, term, aliases=""):
                return {**base, "note": term["note"] if term["note"] is not None else note,
                        "source": source, "target": target, "aliases": "" if concept else aliases,
                        "case": case or "", "status": "forbidden"}

            for t in tgt_terms:
                if t["deprecated"] and src_for_bad:
                    rows.append(bad_row(src_for_bad["text"], t["text"], src_for_bad["case"], t,
                                        "|".join(x["text"] for x in good_src[1:])))
            for t in src_terms:
                if t["deprecated"] and tgt_for_bad:
                    rows.append(bad_row(t["text"], tgt_for_bad["text"], t["case"], t))
            if not rows:
                parsed.problems.append(Problem(line, "tbx", "term entry without a usable term pair, "
                                               "skipped", severity="warning"))
            for values in rows:
                parsed.add_row(line, values, new_columns=True)
        if src_lang and tgt_lang:
            parsed.src_lang, parsed.tgt_lang = src_lang, tgt_lang
        return parsed

    @staticmethod
    def _terms(lang_el) -> list[dict]:
        out = []
        for el in lang_el:
            if _local(el) not in ("tig", "ntig", "termSec"):
                continue
            term_el = next((e for e in el.iter() if _local(e) == "term"), None)
            if term_el is None:
                continue
            note_el = next((e for e in el if _local(e) == "note"), None)
            info = {"text": _text(term_el), "deprecated": False, "case": None,
                    "note": _text(note_el) if note_el is not None else None}
            for n in el.iter():
                if _local(n) not in ("termNote", "admin", "termNoteGrp"):
                    continue
                typ = (n.get("type") or "")
                value = _text(n)
                if typ == "administrativeStatus" and value.lower() in _DEPRECATED:
                    info["deprecated"] = True
                elif typ == "x-aligner-case":
                    info["case"] = value
            if info["text"]:
                out.append(info)
        return out

    def dumps(self, glossary: Glossary, lang_tags=None) -> bytes:
        """Concept-oriented TBX-Basic: one <termEntry> per concept, every term of it (the
        preferred rendering, admitted ones, forbidden ones as deprecated) in its
        language's <langSet>. `lang_tags` (BCP 47, e.g. ["zh-TW"]) give the languages'
        tags; by default the same as TMX and XLIFF write (en, zh-CN)."""
        tags = _tags(glossary, lang_tags)
        root = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: tags(glossary.src_lang)})
        header = etree.SubElement(root, "martifHeader")
        fd = etree.SubElement(header, "fileDesc")
        sd = etree.SubElement(fd, "sourceDesc")
        etree.SubElement(sd, "p").text = "Glossary written by aligner"
        body = etree.SubElement(etree.SubElement(root, "text"), "body")
        for i, concept in enumerate(_concepts(glossary), 1):
            body.append(_entry(concept, i, tags))
        etree.indent(root, space="  ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _tags(glossary: Glossary, lang_tags):
    from aligner.formats.common import lang_tag, tag_overrides
    over = tag_overrides(lang_tags or getattr(glossary, "lang_tags", None))
    return lambda lang: over.get(lang) or lang_tag(lang)


class _Concept:
    """The glossary rows of one concept: its first row (the preferred rendering, or a
    row of its own), other renderings of the same source (admitted) and forbidden ones."""

    def __init__(self, main: Term):
        self.main = main
        self.admitted: list[Term] = []
        self.forbidden: list[tuple[Term, str]] = []  # (row, the language of its forbidden side)
        self.bad_lang: str | None = None  # when `main` is a forbidden row: its forbidden side


def _concepts(glossary: Glossary) -> list[_Concept]:
    from aligner.glossary.model import concept_key

    out: list[_Concept] = []
    by_source: dict[str, _Concept] = {}  # concept_key of an approved source form -> concept
    by_target: dict[str, _Concept] = {}
    for t in glossary.terms:
        if t.status == "forbidden":
            bad = glossary.forbidden_lang(t)
            if bad == t.tgt_lang:
                home = by_source.get(concept_key(t.source, t.src_lang, t.sensitive(t.source)))
            else:
                home = by_target.get(concept_key(t.target, t.tgt_lang))
            # A forbidden row joins its concept when nothing of it would be lost there.
            if home is not None and not t.aliases and t.extra == home.main.extra \
                    and (t.note or not home.main.note) and (bad == t.src_lang or t.case == home.main.case):
                home.forbidden.append((t, bad))
                continue
            c = _Concept(t)
            c.bad_lang = bad
            out.append(c)
            continue
        key = concept_key(t.source, t.src_lang, t.sensitive(t.source))
        home = by_source.get(key)
        if home is not None and t.status == home.main.status == "preferred" and not t.aliases \
                and t.note == home.main.note and t.case == home.main.case and t.extra == home.main.extra:
            home.admitted.append(t)
            if t.target:
                by_target.setdefault(concept_key(t.target, t.tgt_lang), home)
            continue
        c = _Concept(t)
        out.append(c)
        by_source.setdefault(key, c)
        if t.target:
            by_target.setdefault(concept_key(t.target, t.tgt_lang), c)
    return out


def _add_term(lang_set, text, status=PREFERRED, variant=False, case=None, note=None):
    tig = etree.SubElement(lang_set, "tig")
    etree.SubElement(tig, "term").text = text
    if variant:
        etree.SubElement(tig, "termNote", type="termType").text = "variant"
    else:
        etree.SubElement(tig, "termNote", type="administrativeStatus").text = status
    if case:
        etree.SubElement(tig, "termNote", type="x-aligner-case").text = case
    if note:
        etree.SubElement(tig, "note").text = note


def _entry(c: _Concept, i: int, tags):
    t = c.main
    entry = etree.Element("termEntry", id=f"c{i}")
    if t.status == "dnt":
        etree.SubElement(entry, "descrip", type="x-aligner-status").text = "dnt"
    for k, v in t.extra.items():
        etree.SubElement(entry, "descrip", type=_EXTRA + k).text = v
    if t.note:
        etree.SubElement(entry, "note").text = t.note
    bad = None
    if c.bad_lang is not None:
        bad = "src" if c.bad_lang == t.src_lang else "tgt"
    src = etree.SubElement(entry, "langSet", {XML_LANG: tags(t.src_lang)})
    _add_term(src, t.source, DEPRECATED if bad == "src" else PREFERRED, case=t.case)
    for a in t.aliases:
        _add_term(src, a, variant=True)
    for row, lang in c.forbidden:
        if lang == row.src_lang:
            _add_term(src, row.source, DEPRECATED, case=row.case, note=_own_note(row, t))
    targets = [(t.target, DEPRECATED if bad == "tgt" else PREFERRED, None)] if t.target else []
    targets += [(a.target, ADMITTED, None) for a in c.admitted]
    targets += [(row.target, DEPRECATED, _own_note(row, t)) for row, lang in c.forbidden if lang == row.tgt_lang]
    if targets:
        tgt = etree.SubElement(entry, "langSet", {XML_LANG: tags(t.tgt_lang)})
        for text, status, note in targets:
            _add_term(tgt, text, status, note=note)
    return entry


def _own_note(row: Term, main: Term) -> str | None:
    """A merged row's note, when it is not the concept's."""
    return row.note if row.note and row.note != main.note else None
