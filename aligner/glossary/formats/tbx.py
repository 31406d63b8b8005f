"""Glossaries as TBX (TermBase eXchange, ISO 30042), the terminology format CAT tools
(Trados MultiTerm, memoQ, Phrase, Weblate) import and export.

Written as TBX-Basic (`<martif>`, one `<termEntry>` per glossary row). Forbidden
renderings are `deprecatedTerm-admn-sts` terms, aliases are `variant` terms in the source
language; case, do-not-translate and unknown columns travel as `x-aligner-*` data
categories so a round trip keeps every field. Reads TBX 2 (`martif`/`termEntry`/`langSet`/
`tig`) and TBX 3 (`tbx`/`conceptEntry`/`langSec`/`termSec`) from other tools.

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
DEPRECATED = "deprecatedTerm-admn-sts"
_DEPRECATED = {"deprecatedterm-admn-sts", "supersededterm-admn-sts", "deprecated", "superseded",
               "deprecatedterm", "supersededterm"}
_EXTRA = "x-aligner-extra:"


def _lang(code: str | None) -> str | None:
    if not code:
        return None
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in ("en", "zh") else base


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
                    code = _lang(child.get(XML_LANG))
                    if code:
                        langs.setdefault(code, []).extend(self._terms(child))
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
            for t in tgt_terms:
                if t["deprecated"] and src_for_bad:
                    rows.append({**base, "source": src_for_bad["text"], "target": t["text"],
                                 "aliases": "|".join(x["text"] for x in good_src[1:]),
                                 "case": src_for_bad["case"] or "", "status": "forbidden"})
            for t in src_terms:
                if t["deprecated"] and tgt_for_bad:
                    rows.append({**base, "source": t["text"], "target": tgt_for_bad["text"],
                                 "case": t["case"] or "", "status": "forbidden"})
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
            info = {"text": _text(term_el), "deprecated": False, "case": None}
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

    def dumps(self, glossary: Glossary) -> bytes:
        root = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: glossary.src_lang})
        header = etree.SubElement(root, "martifHeader")
        fd = etree.SubElement(header, "fileDesc")
        sd = etree.SubElement(fd, "sourceDesc")
        etree.SubElement(sd, "p").text = "Glossary written by aligner"
        body = etree.SubElement(etree.SubElement(root, "text"), "body")
        for i, t in enumerate(glossary.terms, 1):
            body.append(self._entry(glossary, t, i))
        etree.indent(root, space="  ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    @staticmethod
    def _entry(glossary: Glossary, t: Term, i: int):
        entry = etree.Element("termEntry", id=f"t{i}")
        if t.status == "dnt":
            etree.SubElement(entry, "descrip", type="x-aligner-status").text = "dnt"
        for k, v in t.extra.items():
            etree.SubElement(entry, "descrip", type=_EXTRA + k).text = v
        if t.note:
            etree.SubElement(entry, "note").text = t.note
        bad = glossary.forbidden_lang(t) if t.status == "forbidden" else None

        def add_term(lang_set, text, deprecated=False, variant=False, case=None):
            tig = etree.SubElement(lang_set, "tig")
            etree.SubElement(tig, "term").text = text
            if variant:
                etree.SubElement(tig, "termNote", type="termType").text = "variant"
            else:
                etree.SubElement(tig, "termNote", type="administrativeStatus").text = \
                    DEPRECATED if deprecated else PREFERRED
            if case:
                etree.SubElement(tig, "termNote", type="x-aligner-case").text = case

        src = etree.SubElement(entry, "langSet", {XML_LANG: t.src_lang})
        add_term(src, t.source, deprecated=bad == t.src_lang, case=t.case)
        for a in t.aliases:
            add_term(src, a, variant=True)
        if t.target:
            tgt = etree.SubElement(entry, "langSet", {XML_LANG: t.tgt_lang})
            add_term(tgt, t.target, deprecated=bad == t.tgt_lang)
        return entry
