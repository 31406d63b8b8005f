"""The text layer: what both languages' text means to every other part of aligner.

One idea per module, imported by name (nothing heavy here, so importing one module does
not load jieba, snowball or CC-CEDICT):

* scripts    which characters are Chinese (Han) and which are Latin letters
* normalize  full-width/half-width folding, NFKC, length-keeping case and punctuation folding
* lemmas     English forms stemming cannot reach (irregular verbs and plurals)
* tokens     English words, stems and stop words; Chinese words (jieba)
* dictionary CC-CEDICT, parsed once per process
* xml        the one safe XML parser (no entities, no network, bounded depth)
"""
