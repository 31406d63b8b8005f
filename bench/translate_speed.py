"""How close `aligner translate` comes to the bare CTranslate2 engine (printed, not asserted).

Builds a random-weight transformer of Argos size (6+6 layers, d_model 512, 8 heads, FFN 2048,
a 32k vocabulary, int8 like the Argos packages, fixed seed) into a temporary Argos package
with a sentencepiece model trained on the Bible text, then translates the first N English
lines of /work/shared/data/bible-dev/001.en:

1. aligner: `translate_files([file], "en", "zh", out, presplit=True, ...)`, the whole run
   in-process (model load, reading, segmenting, tokenizing, translating, detokenizing,
   rebuilding, writing the article and the bitext);
2. bare: one `ctranslate2.Translator.translate_batch` call on the same sentences,
   pre-tokenized, with the same beam size, batch size, threads and max_decoding_length.

Random weights almost never say </s>, so nearly every sentence decodes to max_decoding_length
(the bare run prints how many pieces it produced). Goal: aligner within 1.15x of bare.

    python3 bench/translate_speed.py                      # 2,000 sentences, beam 2
    python3 bench/translate_speed.py --sentences 5000 --beam-size 4 --threads 4
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # shared cores: don't spin while waiting

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "bible-dev"


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--beam-size", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=64, help="max_decoding_length")
    ap.add_argument("--sp-vocab", type=int, default=8000, help="sentencepiece vocabulary (padded to 32k)")
    ap.add_argument("--order", choices=["bare-first", "aligner-first"], default="bare-first")
    args = ap.parse_args()

    import ctranslate2
    import sentencepiece as spm

    from aligner.translate import translate_files

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
        print(f"input: {len(lines)} lines of {DATA / '001.en'}, beam {args.beam_size}, batch "
              f"{args.batch_size}, {args.threads} threads, max_decoding_length {args.max_length}, "
              f"{os.cpu_count()} CPUs")

        def run_aligner():
            t = time.perf_counter()
            summary = translate_files([src], "en", "zh", tmp / "out", presplit=True, force=True,
                                      beam_size=args.beam_size, batch_size=args.batch_size,
                                      threads=args.threads, max_decoding_length=args.max_length)
            seconds = time.perf_counter() - t
            return summary.sentences, seconds, None

        def run_bare():
            sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
            tokens = [sp.encode(line, out_type=str) for line in lines]
            translator = ctranslate2.Translator(str(pkg / "model"), device="cpu", inter_threads=1,
                                                intra_threads=args.threads)
            t = time.perf_counter()
            out = translator.translate_batch(tokens, max_batch_size=args.batch_size, batch_type="examples",
                                             beam_size=args.beam_size, length_penalty=0.2,
                                             return_scores=True, max_decoding_length=args.max_length)
            seconds = time.perf_counter() - t
            return len(out), seconds, sum(len(r.hypotheses[0]) for r in out)

        runs = [("bare", run_bare), ("aligner", run_aligner)]
        if args.order == "aligner-first":
            runs.reverse()
        results = {}
        for name, fn in runs:
            n, seconds, produced = fn()
            results[name] = (n, seconds)
            pieces = f"{produced} target pieces, " if produced is not None else ""
            print(f"{name:8s} {n} sentences in {seconds:7.1f} s = {n / seconds:7.2f} sentences/s "
                  f"({pieces}peak RSS so far {peak_rss_mb():.0f} MB)")
        (na, sa), (nb, sb) = results["aligner"], results["bare"]
        ratio = (nb / sb) / (na / sa)
        print(f"bare / aligner sentence rate: {ratio:.3f}x (goal: <= 1.15x)")
        print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
