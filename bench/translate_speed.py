"""How close `aligner translate` comes to the fastest bare CTranslate2 loop on this machine
(printed, not asserted).

Builds a random-weight transformer of Argos size (6+6 layers, d_model 512, 8 heads, FFN 2048,
a 32k vocabulary, int8 like the Argos packages, fixed seed) into a temporary Argos package
with a sentencepiece model trained on the Bible text, then translates the first N English
lines of /work/shared/data/bible-dev/001.en, in one run:

1. bare, aligner's old settings: one `translate_batch` call, pre-tokenized, batch 32 examples,
   inter_threads 1, intra_threads = the cores (what aligner did before issue 16);
2. bare, a small sweep: inter/intra threads (1 x cores, cores x 1, and 2 x cores/2 when there
   are 4+ cores) x batch 32 / 64 examples, and the fastest of those by tokens (2,048); the row
   with aligner's own settings (`choose_threads(0)`, batch 32) is marked, and measured apart
   if the sweep lacks it;
3. aligner: `translate_files([file], "en", "zh", out, presplit=True, ...)` with its default
   threads and batch size, the whole run in-process (model load, reading, segmenting,
   tokenizing, translating, detokenizing, rebuilding, writing the article and the bitext);
4. Argos Translate's own API (`argostranslate.translate.apply_packaged_translation`, what
   `translate()` runs per paragraph: one `translate_batch` per line, its own settings: beam
   ARGOS_BEAM_SIZE, no max_decoding_length) on the first --argos-sentences of those lines.

Each row prints sentences/s, sentences per CPU-second and the peak RSS growth of a bare run
(a rough figure for the memory the replicas take). Random weights almost never say </s>, so
nearly every sentence decodes to max_decoding_length. Goal: aligner >= 0.95x the fastest bare.
With --memory, last, the memory row: the peak RSS of a whole `aligner translate --threads 4`
process (4 replicas, the most aligner starts by default) at aligner's decoding defaults (beam
4, 256 pieces), on 4 x 32 sentences so that every replica has a full batch in flight.

    python3 bench/translate_speed.py                      # 500 sentences, beam 2, < 10 min on 2 cores
    python3 bench/translate_speed.py --memory             # and the memory row (minutes more)
    python3 bench/translate_speed.py --sentences 2000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # shared cores: don't spin while waiting

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# ../shared beside the checkout (or beside the folder of worktrees that holds it).
DATA = next((p / "shared" / "data" / "bible-dev" for p in (REPO.parent, REPO.parent.parent)
             if (p / "shared" / "data" / "bible-dev").is_dir()), REPO.parent / "shared" / "data" / "bible-dev")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def train_sentencepiece(texts: list[Path], dest: Path, vocab_size: int) -> list[str]:
    import sentencepiece as spm

    lines = []
    for t in texts:
        lines += [line for line in t.read_text(encoding="utf-8").splitlines() if line.strip()]
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=str(dest / "sp"),
                                   vocab_size=vocab_size, character_coverage=0.9995,
                                   model_type="unigram", minloglevel=2, num_threads=2)
    (dest / "sp.model").rename(dest / "sentencepiece.model")
    (dest / "sp.vocab").unlink()
    sp = spm.SentencePieceProcessor(model_file=str(dest / "sentencepiece.model"))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_random_model(model_dir: Path, vocab: list[str], *, layers=6, d=512, heads=8, ffn=2048,
                       seed=1234) -> None:
    import numpy as np
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)

    def w(*shape, scale=0.05):
        return (rng.standard_normal(shape, dtype=np.float32) * scale)

    def ln(spec):
        spec.gamma = np.ones(d, dtype=np.float32)
        spec.beta = np.zeros(d, dtype=np.float32)

    def linear(spec, out_dim, in_dim):
        spec.weight = w(out_dim, in_dim)
        spec.bias = np.zeros(out_dim, dtype=np.float32)

    spec = transformer_spec.TransformerSpec.from_config(layers, heads)  # pre-norm, sinusoidal
    V = len(vocab)
    spec.encoder.embeddings[0].weight = w(V, d, scale=0.1)
    spec.decoder.embeddings.weight = w(V, d, scale=0.1)
    for side in (spec.encoder, spec.decoder):
        ln(side.layer_norm)
        for layer in side.layer:
            att = layer.self_attention
            ln(att.layer_norm)
            linear(att.linear[0], 3 * d, d)
            linear(att.linear[1], d, d)
            if hasattr(layer, "attention"):
                ln(layer.attention.layer_norm)
                linear(layer.attention.linear[0], d, d)
                linear(layer.attention.linear[1], 2 * d, d)
                linear(layer.attention.linear[2], d, d)
            ln(layer.ffn.layer_norm)
            linear(layer.ffn.linear_0, ffn, d)
            linear(layer.ffn.linear_1, d, ffn)
    linear(spec.decoder.projection, V, d)
    spec.config.add_source_eos = True
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization="int8")  # Argos packages are int8
    model_dir.mkdir(parents=True)
    spec.save(str(model_dir))


def build_package(root: Path, vocab_size: int, target_vocab: int) -> Path:
    pkg = root / "translate-en_zh-bench"
    pkg.mkdir(parents=True)
    pieces = train_sentencepiece([DATA / "001.en", DATA / "001.zh"], pkg, vocab_size)
    vocab = pieces + [f"<pad{i}>" for i in range(max(0, target_vocab - len(pieces)))]
    build_random_model(pkg / "model", vocab)
    (pkg / "metadata.json").write_text(json.dumps({
        "package_version": "0.0-bench", "argos_version": "1.9.0", "from_code": "en",
        "from_name": "English", "to_code": "zh", "to_name": "Chinese", "type": "translate"}))
    return pkg


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_now_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=500)
    ap.add_argument("--argos-sentences", type=int, default=30,
                    help="sentences for Argos's own API (about 1 sentence/s)")
    ap.add_argument("--beam-size", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=64, help="max_decoding_length")
    ap.add_argument("--repeats", type=int, default=1, help="runs per row; the median is printed")
    ap.add_argument("--sp-vocab", type=int, default=8000, help="sentencepiece vocabulary (padded to 32k)")
    ap.add_argument("--memory", action="store_true",
                    help="also the memory row: a whole `aligner translate --threads 4` process at aligner's "
                         "decoding defaults (minutes: random weights decode every sentence to 256 pieces)")
    ap.add_argument("--memory-sentences", type=int, default=0,
                    help="sentences for the memory row (default: enough to give every replica a full batch)")
    args = ap.parse_args()

    import statistics

    import ctranslate2
    import sentencepiece as spm

    from aligner.translate import translate_files
    from aligner.translate.engine import available_cores, choose_threads
    from aligner.translate.pipeline import TranslateOptions

    t_start = time.perf_counter()

    cores = available_cores()
    with tempfile.TemporaryDirectory(prefix="aligner-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        pkg = build_package(tmp / "packages", args.sp_vocab, 32000)
        print(f"built a random 6+6-layer d512 model, 32k vocabulary, int8 in "
              f"{time.perf_counter() - t0:.1f} s ({(pkg / 'model' / 'model.bin').stat().st_size / 1e6:.0f} MB)")
        os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "packages")

        lines = DATA.joinpath("001.en").read_text(encoding="utf-8").splitlines()[: args.sentences]
        src = tmp / "bible.en.txt"
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"input: {len(lines)} lines of {DATA / '001.en'}, beam {args.beam_size}, max_decoding_length "
              f"{args.max_length}, {cores} cores available, load average {os.getloadavg()[0]:.1f} "
              f"(median of {args.repeats} run{'s' * (args.repeats != 1)} per row)")
        sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
        tokens = [sp.encode(line, out_type=str) for line in lines]

        def timed(fn) -> tuple[float, float, float]:
            """(seconds, CPU seconds, peak RSS growth in MB while it ran), medians over the repeats."""
            import threading

            runs = []
            for _ in range(args.repeats):
                rss0 = rss_now_mb()
                peak = [rss0]
                stop = threading.Event()

                def sample():
                    while not stop.wait(0.05):
                        peak[0] = max(peak[0], rss_now_mb())
                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                c0, t = cpu_seconds(), time.perf_counter()
                fn()
                runs.append((time.perf_counter() - t, cpu_seconds() - c0, 0.0))
                stop.set()
                sampler.join()
                runs[-1] = (runs[-1][0], runs[-1][1], peak[0] - rss0)
            return tuple(statistics.median(r[k] for r in runs) for k in range(3))  # type: ignore[return-value]

        rows: list[tuple[str, int, float, float, float]] = []

        def report(name: str, n: int, seconds: float, cpu: float, rss: float | None) -> None:
            rows.append((name, n, seconds, cpu, rss or 0.0))
            mem = f", RSS +{rss:5.0f} MB" if rss is not None else ""
            print(f"{name:58s} {n / seconds:7.2f} sentences/s, {n / cpu:6.2f} per CPU-second{mem}", flush=True)

        def bare(inter: int, intra: int, batch: int, batch_type: str = "examples") -> tuple[float, float, float]:
            def go():
                translator = ctranslate2.Translator(str(pkg / "model"), device="cpu", inter_threads=inter,
                                                    intra_threads=intra)
                translator.translate_batch(tokens, max_batch_size=batch, batch_type=batch_type,
                                           beam_size=args.beam_size, length_penalty=0.2, return_scores=True,
                                           max_decoding_length=args.max_length)
                del translator
            return timed(go)

        old = (1, cores, 32)
        report(f"bare, aligner's old settings (inter 1, intra {cores}, batch 32)", len(lines), *bare(*old))
        ours = (*choose_threads(0), TranslateOptions().batch_size)  # what `aligner translate` uses here
        inters = sorted({1, cores} | ({2} if cores >= 4 else set()))
        sweep = {old: rows[-1][2]}
        configs = [(inter, max(1, cores // inter), batch) for inter in inters for batch in (32, 64)]
        for cfg in configs + ([ours] if ours not in configs else []):
            if cfg == old:
                continue
            seconds, cpu, rss = bare(*cfg)
            sweep[cfg] = seconds
            label = " = aligner's settings" if cfg == ours else ""
            report(f"bare, inter {cfg[0]}, intra {cfg[1]}, batch {cfg[2]}{label}", len(lines), seconds, cpu, rss)
        best = min(sweep, key=sweep.get)  # type: ignore[arg-type]
        seconds, cpu, rss = bare(best[0], best[1], 2048, "tokens")
        sweep_tokens = seconds
        report(f"bare, inter {best[0]}, intra {best[1]}, batch 2048 tokens", len(lines), seconds, cpu, rss)
        fastest = min(min(sweep.values()), sweep_tokens)

        def run_aligner():
            translate_files([src], "en", "zh", tmp / "out", presplit=True, force=True,
                            beam_size=args.beam_size, max_decoding_length=args.max_length)
        seconds, cpu, rss = timed(run_aligner)
        report(f"aligner translate, whole run (inter {ours[0]}, intra {ours[1]}, batch {ours[2]})", len(lines),
               seconds, cpu, rss)
        aligner_seconds = seconds

        try:
            from argostranslate import package as argos_package
            from argostranslate import translate as argos_translate
        except ImportError:
            print("argostranslate is not installed: no Argos row")
        else:
            class OneSentence:  # the lines are sentences already; Argos's sentencizers need models
                def split_sentences(self, text):
                    return [text]

            apkg = argos_package.Package(pkg)
            few = lines[: args.argos_sentences]

            def run_argos():
                from argostranslate import settings as argos_settings

                translator = ctranslate2.Translator(str(pkg / "model"), device="cpu",
                                                    inter_threads=argos_settings.inter_threads,
                                                    intra_threads=argos_settings.intra_threads)
                for line in few:
                    argos_translate.apply_packaged_translation(apkg, line, translator, OneSentence(),
                                                               num_hypotheses=1)
            seconds, cpu, _ = timed(run_argos)
            report("Argos Translate's own API (apply_packaged_translation per line)", len(few), seconds, cpu, None)

        if args.memory:
            # The memory a translator's machine needs: the whole `aligner translate` process (model,
            # replicas, batches in flight) with the most replicas aligner starts by default
            # (MAX_REPLICAS: a machine of 4 cores or more), at aligner's own decoding defaults
            # (beam 4, up to 256 pieces; random weights decode every sentence to that length, the
            # worst case), on enough sentences to keep every replica busy with a full batch.
            from aligner.translate.engine import MAX_REPLICAS

            n = min(len(lines), args.memory_sentences if args.memory_sentences > 0 else MAX_REPLICAS * ours[2])
            few_src = tmp / "memory.en.txt"
            few_src.write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
            cmd = [sys.executable, "-m", "aligner", "translate", str(few_src), "--from", "en", "--to", "zh",
                   "--out", str(tmp / "out-memory"), "--presplit", "-q", "--threads", str(MAX_REPLICAS)]
            t = time.perf_counter()
            proc = subprocess.Popen(cmd, env=dict(os.environ, PYTHONPATH=str(REPO)))
            _, status, usage = os.wait4(proc.pid, 0)
            print(f"{f'aligner translate --threads {MAX_REPLICAS} ({MAX_REPLICAS} replicas), beam 4, max 256':58s} "
                  f"peak RSS {usage.ru_maxrss / 1024:5.0f} MB for the whole process ({n} sentences, "
                  f"{time.perf_counter() - t:.0f} s, exit {os.waitstatus_to_exitcode(status)})", flush=True)

        ratio = (len(lines) / aligner_seconds) / (len(lines) / fastest)
        print(f"aligner / fastest bare sentence rate: {ratio:.3f}x (goal: >= 0.95x); "
              f"aligner / bare with aligner's settings: {sweep[ours] / aligner_seconds:.3f}x; "
              f"fastest bare / old settings: {sweep[old] / fastest:.2f}x")
        cpu_rate = {r[0]: r[1] / r[3] for r in rows}
        ours_row = next(r for r in rows if r[0].startswith("aligner translate"))
        best_cpu = max(v for k, v in cpu_rate.items() if k.startswith("bare"))
        print(f"per CPU-second: aligner / best bare {cpu_rate[ours_row[0]] / best_cpu:.3f}x "
              f"(the fairer figure when other work shares the cores)")
        print(f"peak RSS of the whole bench: {peak_rss_mb():.0f} MB; load average now {os.getloadavg()[0]:.1f}; "
              f"bench time {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
