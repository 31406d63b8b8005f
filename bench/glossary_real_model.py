"""Glossary enforcement on a real, trained translation model (printed, not asserted).

The test models translate word for word, so their attention is a perfect diagonal; a trained
model's attention is learned and noisy. This benchmark takes the small en->zh and zh->en
models that bench/train_model.py trains (from its cache; it trains them first if they are
missing), installs them with `aligner models install`, and translates, in each direction,
sentences that hold glossary terms:
- corpus: the sentences of corpus/article.*.txt with terms of glossaries/news.tsv;
- news: bible-dev and mac-dev sentences whose Bible or novel names (Moses, Egypt, 陈清扬 ...)
  are replaced by the news glossary's names (Zhu Zhiqiang, Nanjing, 南京军区 ...);
- unseen: the same with invented names and their renderings (Qiao Linfeng 乔林峰, Kelvashire
  凯尔瓦郡 ...), written to a second glossary: names the model has never seen.
Then it enforces the glossaries (aligner.glossary.enforce, as `aligner translate --glossary`
does) and prints, per direction and per set:
- terms rendered as the glossary says after enforcement, and what `aligner glossary check`
  (run on a TSV of the sources and enforced translations) reports;
- forbidden renderings left;
- damage to the rest of the sentence: chrF (0-1) between the enforced and the unenforced
  translation with the terms' spans removed from both, the mean over all sentences and over
  the sentences enforcement changed, and the worst 10 with both versions;
- how often each method was needed (model right, forbidden, attention, prefix, insert, failed);
- the time enforcement adds per sentence (translating with attention + the corrections),
  wall and CPU, beside the plain translation time per sentence.

    nice -n 19 python3 bench/train_model.py --minutes 30     # once: the models (cached)
    python3 bench/glossary_real_model.py --minutes 30        # the same training options
    # each direction with its training defaults (zh->en: --target-vocab seen --curriculum 200,
    # which it needs to read its source; bench/train_model.py DIRECTION_DEFAULTS), attention layer 1:
    python3 bench/glossary_real_model.py --minutes 30 --alignment-layer 1 --no-train
    python3 bench/glossary_real_model.py --quick             # with the --quick models
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import train_model  # noqa: E402
from train_model import DATA  # noqa: E402

NEWS = REPO / "glossaries" / "news.tsv"

# Names in the development texts (English, Chinese), by kind, that a glossary name replaces.
PERSONS = [("Abraham", "亚伯拉罕"), ("Isaac", "以撒"), ("Jacob", "雅各"), ("Joseph", "约瑟"),
           ("Moses", "摩西"), ("Aaron", "亚伦"), ("Noah", "挪亚"), ("Laban", "拉班"),
           ("Esau", "以扫"), ("Pharaoh", "法老"), ("Chen Qingyang", "陈清扬"), ("Wang Er", "王二"),
           ("Ye Wenjie", "叶文洁"), ("Shi Qiang", "史强"), ("Wang Miao", "汪淼")]
PLACES = [("Egypt", "埃及"), ("Canaan", "迦南"), ("Bethel", "伯特利"), ("Jordan", "约旦")]
# The news glossary's names (as they stand in glossaries/news.tsv) ...
NEWS_PERSONS = [("Zhu Zhiqiang", "朱志强"), ("Gu Xiaohua", "顾晓华")]
NEWS_PLACES = [("Nanjing", "南京"), ("Beijing", "北京"), ("Jiangsu Province", "江苏省"),
               ("the Nanjing Military Region", "南京军区"), ("the Epoch Times", "大纪元时报"),
               ("the Chinese Communist Party", "中国共产党")]
# ... and invented ones, in no training text.
UNSEEN_PERSONS = [("Qiao Linfeng", "乔林峰"), ("Dai Moxuan", "戴墨轩"), ("Hollis Ventrow", "霍利斯·文特罗"),
                  ("Oriane Dufresnel", "奥丽安·迪弗雷内尔"), ("Ruan Zhixiu", "阮知秀")]
UNSEEN_PLACES = [("Kelvashire", "凯尔瓦郡"), ("Zhuoshan County", "卓山县"), ("Port Amberlee", "安伯利港"),
                 ("Lanxi Gorge", "澜溪峡")]


def unseen_glossary(path: Path) -> None:
    rows = ["source\ttarget\taliases\tcase\tstatus\tnote"]
    rows += [f"{en}\t{zh}\t\t\tpreferred\tinvented for bench/glossary_real_model.py"
             for en, zh in UNSEEN_PERSONS + UNSEEN_PLACES]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _lines(lang: str) -> list[str]:
    """Development sentences in `lang`: bible-dev, then mac-dev."""
    out = []
    for f in sorted((DATA / "bible-dev").glob(f"*.{lang}")) + sorted((DATA / "mac-dev").glob(f"*.{lang}")):
        out += [s.strip() for s in f.read_text(encoding="utf-8").splitlines()]
    return [s for s in out if s]


def _article(en: str) -> str:
    return en[4:] if en.startswith("the ") else en


def placed(lang: str, names: list[tuple[str, str]], places: list[tuple[str, str]], n: int,
           rng: random.Random) -> list[str]:
    """Up to n sentences in `lang` whose Bible/novel names are replaced by `names` (persons)
    and `places`: each known name of a sentence becomes one term, the same term throughout."""
    k = 0 if lang == "en" else 1
    known = [(p, names) for p in PERSONS] + [(p, places) for p in PLACES]
    out = []
    for s in _lines(lang):
        if lang == "en" and len(s.split()) > 40 or lang == "zh" and len(s) > 60:
            continue
        hit = False
        for pair, pool in known:
            name = pair[k]
            pat = re.compile(rf"\b{re.escape(name)}\b") if lang == "en" else re.compile(re.escape(name))
            if pat.search(s):
                term = rng.choice(pool)[k]
                if lang == "en":
                    # "the Epoch Times" loses its article at the start or after a preposition's "the".
                    s = pat.sub(lambda m, t=term, s=s: _article(t) if (m.start() == 0 or s[max(0, m.start() - 4):m.start()] == "the ") else t, s)
                    if s[:1].islower():
                        s = s[0].upper() + s[1:]
                else:
                    s = pat.sub(term, s)
                hit = True
        if hit:
            out.append(s)
    rng.shuffle(out)
    return out[:n]


def corpus_sentences(lang: str, direction) -> list[str]:
    from aligner.segment import split_sentences

    text = (REPO / "corpus" / f"article.{lang}.txt").read_text(encoding="utf-8")
    out = []
    for para in text.split("\n"):
        for a, b in split_sentences(para, lang):
            s = para[a:b]
            if direction.find(s):
                out.append(s)
    return out


# --- measuring ---------------------------------------------------------------------------

def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in sorted(set(spans), reverse=True):
        text = text[:s] + " " + text[e:]
    return " ".join(text.split())


def term_spans_before(st, direction) -> list[tuple[int, int]]:
    """Spans of the unenforced translation that stand for the sentence's terms: renderings
    and forbidden renderings of them, and the spans attention aligns to each term."""
    from aligner.glossary.enforce import aligned_span, piece_spans

    wanted = {m.entry.id for m in st.matches}
    spans = [(r.start, r.end) for r in direction.renderings(st.original) if r.entry.id in wanted]
    spans += [(f.start, f.end) for f in direction.forbidden(st.original) if f.entry.id in wanted]
    tr = st.tr0
    if tr is not None and tr.attention:
        src_spans = piece_spans(tr.source_tokens, st.source)
        tgt_spans = piece_spans(tr.target_tokens, tr.text)
        for m in st.matches:
            sp = aligned_span(tr, src_spans, tgt_spans, m.start, m.end, direction.tgt_lang)
            if sp is not None:
                spans.append(sp)
    return spans


class _Probe:
    def __init__(self, source, matches, original, tr0):
        self.source, self.matches, self.original, self.tr0 = source, matches, original, tr0


def check_tsv(path: Path, sources: list[str], targets: list[str], src: str, tgt: str,
              glossaries: list[Path], env: dict) -> dict:
    """Run the real `aligner glossary check` on a TSV of (source, translation) rows."""
    from aligner.formats.tsv import escape_cell

    rows = ["source\ttarget"] + [f"{escape_cell(s)}\t{escape_cell(t)}" for s, t in zip(sources, targets)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "aligner", "glossary", "check", str(path), "--from", src, "--to", tgt,
           "--json"] + [x for g in glossaries for x in ("-g", str(g))]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if p.returncode not in (0, 1):
        raise SystemExit(f"glossary check failed ({p.returncode}): {p.stderr}")
    rep = json.loads(p.stdout)
    kinds = Counter(v["kind"] for v in rep["items"])
    return {"exit": p.returncode, "terms": rep["terms"], "violations": rep["violations"],
            "missing": kinds["missing"], "forbidden": kinds["forbidden"]}


def run_direction(direction_code: str, pkg: Path, sets: dict[str, list[str]], glossary, gpaths,
                  env: dict, work: Path, args) -> dict:
    import sacrebleu

    from aligner.glossary.enforce import _Sentence, enforce_translations
    from aligner.translate.engine import Engine

    src, tgt = direction_code.split("-")
    d = glossary.direction(src, tgt)
    engine = Engine.load(src, tgt, packages_dir=env["ARGOS_PACKAGES_DIR"], beam_size=args.beam_size,
                         threads=args.threads)
    print(f"\n=== {src} -> {tgt}: {pkg} (load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}) ===")
    all_sources = [s for v in sets.values() for s in v]
    which = [k for k, v in sets.items() for _ in v]
    engine.translate(all_sources[:8])  # warm up (model load, allocator)

    # Plain and with attention, twice, alternating; the faster of each (the CPUs are shared).
    walls = {"plain": [], "att": []}
    cpus = {"plain": [], "att": []}
    for _ in range(2):
        for kind in ("plain", "att"):
            w, c = time.perf_counter(), cpu()
            out = engine.translate(all_sources, return_attention=kind == "att")
            walls[kind].append(time.perf_counter() - w)
            cpus[kind].append(cpu() - c)
            if kind == "plain":
                plain = out
            else:
                with_att = out
    w2, c2 = time.perf_counter(), cpu()
    enforced = enforce_translations(engine, all_sources, list(with_att), glossary, src, tgt,
                                    methods=args.methods)
    w3, c3 = time.perf_counter(), cpu()
    n = len(all_sources)

    check_before = check_tsv(work / f"{direction_code}.before.tsv", all_sources, [t.text for t in plain],
                             src, tgt, gpaths, env)
    check_after = check_tsv(work / f"{direction_code}.after.tsv", all_sources, [e.text for e in enforced],
                            src, tgt, gpaths, env)

    rows = []
    per_set: dict[str, dict] = {}
    for k, s, tr, e in zip(which, all_sources, with_att, enforced):
        st = _Sentence(d, s, tr)
        ok_terms = sum(1 for t in e.terms if t["status"] != "failed")
        wanted = {m.entry.id for m in st.matches}
        forbidden_left = sum(1 for f in d.forbidden(e.text) if f.entry.id in wanted)
        before = _without(tr.text, term_spans_before(_Probe(s, st.matches, tr.text, tr), d))
        after = _without(e.text, [(t["target_start"], t["target_end"]) for t in e.terms
                                  if "target_start" in t])
        # chrF of what is left; two empty remainders are the same sentence.
        if not before and not after:
            chrf = 1.0
        else:
            chrf = sacrebleu.sentence_chrf(after, [before]).score / 100
        if not e.changed:
            chrf = 1.0
        methods = Counter("failed" if t["status"] == "failed" else t["method"] for t in e.terms)
        rows.append({"set": k, "source": s, "before": tr.text, "after": e.text, "chrf": chrf,
                     "changed": e.changed, "methods": methods})
        p = per_set.setdefault(k, {"sentences": 0, "terms": 0, "ok": 0, "forbidden_left": 0,
                                   "methods": Counter(), "chrf": [], "chrf_changed": []})
        p["sentences"] += 1
        p["terms"] += len(e.terms)
        p["ok"] += ok_terms
        p["forbidden_left"] += forbidden_left
        p["methods"].update(methods)
        p["chrf"].append(chrf)
        if e.changed:
            p["chrf_changed"].append(chrf)

    def line(name, p):
        mean = sum(p["chrf"]) / max(1, len(p["chrf"]))
        ch = p["chrf_changed"]
        mch = sum(ch) / len(ch) if ch else float("nan")
        m = p["methods"]
        print(f"{name:8} {p['sentences']:5} {p['terms']:6} {100 * p['ok'] / max(1, p['terms']):7.1f}% "
              f"{p['forbidden_left']:6} {mean:8.3f} {mch:9.3f} ({len(ch):3})  "
              + "  ".join(f"{k} {m.get(k, 0)}" for k in ("model", "forbidden", "attention", "prefix", "insert", "failed")))

    print(f"{'set':8} {'sents':>5} {'terms':>6} {'right':>8} {'forbid':>6} {'chrF all':>8} "
          f"{'chrF chgd':>9} (  n)  methods")
    total = {"sentences": 0, "terms": 0, "ok": 0, "forbidden_left": 0, "methods": Counter(),
             "chrf": [], "chrf_changed": []}
    for k, p in per_set.items():
        line(k, p)
        for key in total:
            if isinstance(total[key], list):
                total[key] += p[key]
            elif isinstance(total[key], Counter):
                total[key].update(p[key])
            else:
                total[key] += p[key]
    line("all", total)
    failed_pairs = {(i, t["source"]) for i, e in enumerate(enforced) for t in e.terms if t["status"] == "failed"}
    print(f"failed (sentence, term) pairs: {len(failed_pairs)} (what `glossary check` counts as violations)")
    print(f"`aligner glossary check` (exit {check_after['exit']}): {check_after['terms']} terms, "
          f"{check_after['violations']} violation(s) after enforcement ({check_after['missing']} missing, "
          f"{check_after['forbidden']} forbidden); before: {check_before['violations']} "
          f"({check_before['missing']} missing, {check_before['forbidden']} forbidden)")
    t_plain, t_att, t_enf = min(walls["plain"]), min(walls["att"]), w3 - w2
    cpu_plain, cpu_att, cpu_enf = min(cpus["plain"]), min(cpus["att"]), c3 - c2
    add_w = (t_att - t_plain + t_enf) / n
    add_c = (cpu_att - cpu_plain + cpu_enf) / n
    print(f"time per sentence: plain translation {1000 * t_plain / n:.1f} ms wall / {1000 * cpu_plain / n:.1f} ms CPU; "
          f"with attention {1000 * t_att / n:.1f} / {1000 * cpu_att / n:.1f}; corrections "
          f"{1000 * t_enf / n:.1f} / {1000 * cpu_enf / n:.1f}; enforcement adds {1000 * add_w:.1f} ms wall "
          f"/ {1000 * add_c:.1f} ms CPU ({add_c / max(1e-9, cpu_plain / n):.2f}x the plain translation's CPU)")
    # The damage by method: mean chrF of the changed sentences where each method was used.
    by_method: dict[str, list[float]] = {}
    for r in rows:
        if r["changed"]:
            for k in r["methods"]:
                by_method.setdefault(k, []).append(r["chrf"])
    print("chrF of the rest, changed sentences using each method: " + ", ".join(
        f"{k} {sum(v) / len(v):.3f} ({len(v)})" for k, v in sorted(by_method.items())))
    worst = sorted((r for r in rows if r["changed"]), key=lambda r: r["chrf"])[:args.worst]
    print(f"worst {len(worst)} by chrF of the rest of the sentence:")
    for r in worst:
        print(f"  [{r['set']}] chrF {r['chrf']:.3f}  {dict(r['methods'])}\n"
              f"    source:     {r['source']}\n    unenforced: {r['before']}\n    enforced:   {r['after']}")
    return {"per_set": per_set, "total": total, "check": check_after, "check_before": check_before,
            "add_ms_wall": 1000 * add_w, "add_ms_cpu": 1000 * add_c, "plain_ms_cpu": 1000 * cpu_plain / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    train_model.add_options(ap)  # the training options name the cached models to use
    ap.add_argument("--sentences", type=int, default=320, help="sentences per direction (about)")
    ap.add_argument("--beam-size", dest="beam_size", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--worst", type=int, default=10)
    ap.add_argument("--direction", choices=["en-zh", "zh-en", "both"], default="both")
    ap.add_argument("--methods", type=lambda v: tuple(x for x in v.split(",") if x),
                    default=("attention", "prefix", "insert"),
                    help="correction steps, comma-separated (default: attention,prefix,insert)")
    ap.add_argument("--no-train", dest="no_train", action="store_true",
                    help="stop, rather than train, when the cache has no model trained with these options")
    ap.add_argument("--packages", nargs="+", metavar="ARGOSMODEL",
                    help="use these packages (translate-en_zh-*.argosmodel ...) instead of the cache")
    args = ap.parse_args()
    train_model.resolve(args)
    args.force = args.reconvert = False
    from aligner.glossary import load_glossaries

    # One generator for both directions, en->zh first: a run of one direction alone places
    # other names in its sentences than a run of both.
    rng = random.Random(17)

    with tempfile.TemporaryDirectory(prefix="aligner-glossary-real-") as tmp:
        work = Path(tmp)
        unseen = work / "unseen.tsv"
        unseen_glossary(unseen)
        gpaths = [NEWS, unseen]
        glossary = load_glossaries(gpaths)
        env = dict(os.environ, ARGOS_PACKAGES_DIR=str(work / "packages"),
                   PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        results = {}
        for code in (["en-zh", "zh-en"] if args.direction == "both" else [args.direction]):
            if args.packages:
                pkg = next(Path(p) for p in args.packages if f"-{code.replace('-', '_')}-" in Path(p).name)
            else:
                targs = train_model.for_direction(code, args)  # the direction's training defaults
                targs.threads = 2  # torch threads, should the model need training first
                dest = train_model.package_path(code, targs)
                trained = dest if args.alignment_layer == -1 else dest.parent.parent / dest.name
                if not trained.exists():
                    # Say so: a cache miss (other options, changed data) costs a training.
                    if args.no_train:
                        raise SystemExit(f"no cached {code} model trained with these options ({trained}): "
                                         "run bench/train_model.py with them first, or drop --no-train")
                    print(f"[{code}] no cached model trained with these options: training one first "
                          f"({args.minutes:g} min)", flush=True)
                pkg = train_model.run_direction(code, targs)
            p = subprocess.run([sys.executable, "-m", "aligner", "models", "install", str(pkg)],
                               capture_output=True, text=True, env=env, cwd=REPO)
            if p.returncode:
                raise SystemExit(f"`aligner models install {pkg}` failed: {p.stderr}")
            print(p.stdout.strip() or p.stderr.strip())
            src, tgt = code.split("-")
            d = glossary.direction(src, tgt)
            quota = args.sentences
            sets = {"corpus": corpus_sentences(src, d)}
            rest = max(0, quota - len(sets["corpus"]))
            sets["news"] = placed(src, NEWS_PERSONS, NEWS_PLACES, rest // 2, rng)
            sets["unseen"] = placed(src, UNSEEN_PERSONS, UNSEEN_PLACES, rest - len(sets["news"]), rng)
            sets = {k: [s for s in v if d.find(s)] for k, v in sets.items()}
            results[code] = run_direction(code, pkg, sets, glossary, gpaths, env, work, args)
        print(f"\nsummary (load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
              f"methods {','.join(args.methods)}; attention layer {args.alignment_layer}):")
        for code, r in results.items():
            t = r["total"]
            ch = t["chrf_changed"]
            print(f"  {code}: {t['sentences']} sentences, {t['terms']} terms, "
                  f"{100 * t['ok'] / max(1, t['terms']):.1f}% rendered as the glossary says "
                  f"(glossary check: {r['check']['violations']} violation(s)), "
                  f"{t['forbidden_left']} forbidden left, chrF of the rest {sum(t['chrf']) / max(1, len(t['chrf'])):.3f} "
                  f"(changed sentences: {sum(ch) / max(1, len(ch)):.3f}), +{r['add_ms_cpu']:.1f} ms CPU per sentence")


if __name__ == "__main__":
    main()
