"""The translation engine: an installed Argos package run through CTranslate2 directly.

Argos Translate's own `translate()` splits, tokenizes and translates one text at a time; here
every sentence of every file goes through `Translator.translate_batch` in batches sorted by
length within a window of sentences (so little padding), with the package's sentencepiece
model for tokens. Several batches are kept in flight (`asynchronous=True`), so each of the
translator's replicas (`inter_threads`) always has one to work on: on a few cores, replicas
of one thread each translate more per CPU-second than one translator with many threads
(bench/translate_speed.py). The CTranslate2 model is loaded once per run (and kept in a small
cache for library callers).
"""

from __future__ import annotations

import collections
import functools
import math
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from aligner.errors import ModelError, UsageError
from aligner.translate.options import MAX_INPUT_LENGTH, OPTION_RANGES  # noqa: F401  (re-exported)
from aligner.translate.packages import InstalledPackage, require_package

# Decoding settings Argos Translate uses for its packages (argostranslate.translate).
LENGTH_PENALTY = 0.2
DEFAULT_MAX_DECODING_LENGTH = 256
# Sentences a batch is chosen among (a window of the stream, in batches): enough for batches
# of like lengths (little padding), few enough that no sentence waits long, so each file is
# finished, and written, soon after its last sentence is read.
WINDOW_BATCHES = 2
# At most this many translator replicas (inter_threads) on the CPU: each one holds its own
# working memory (about 0.2 GB at batch 32 for an Argos-size model), so a default run stays
# well within an 8 GB laptop's memory however many cores it has.
MAX_REPLICAS = 4


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, e.g. under taskset or a
    container's cpuset), not every core of the machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def choose_threads(threads: int = 0, device: str = "cpu") -> tuple[int, int]:
    """(inter_threads, intra_threads) for a run with `threads` CPU threads in all (0: every
    available core). On the CPU, replicas of few threads translating batches side by side use
    the cores better than one translator with many threads (1.6x on 2 cores: issue 16's
    table): one replica per core up to MAX_REPLICAS, the remaining cores shared out as threads
    within each replica. On a GPU: one replica; `threads` (0: CTranslate2's default) serves the
    CPU-side work."""
    if device != "cpu":
        return 1, threads
    total = threads or available_cores()
    inter = max(1, min(total, MAX_REPLICAS))
    return inter, max(1, total // inter)


@dataclass
class Translation:
    text: str                      # detokenized translation
    source_tokens: list[str]       # sentencepiece pieces fed to the model (no </s>)
    target_tokens: list[str]       # pieces the model produced
    attention: list[list[float]] | None  # [target piece][source piece], when asked
    score: float | None            # log-probability / length**LENGTH_PENALTY (0 is best)


def check_options(**values: int) -> None:
    """Refuse a decoding option outside its range (OPTION_RANGES): a UsageError, exit 2."""
    for name, value in values.items():
        low, high = OPTION_RANGES[name]
        if not low <= value <= high:
            flag = "--max-length" if name == "max_decoding_length" else "--" + name.replace("_", "-")
            raise UsageError(f"{flag} must be between {low} and {high}, not {value}")


def resolve_device(device: str) -> str:
    """The device to run on. Asking for one this machine lacks is an option to change (a
    UsageError, exit 2), not a missing model (exit 4)."""
    import ctranslate2

    if device not in ("cpu", "cuda", "auto"):
        raise UsageError(f"unknown device {device!r}: use cpu, cuda or auto")
    has_cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if has_cuda else "cpu"
    if device == "cuda" and not has_cuda:
        raise UsageError("--device cuda: no CUDA device is available to CTranslate2 on this machine; "
                         "use --device cpu, or auto, which picks a GPU when there is one")
    return device


@functools.lru_cache(maxsize=2)
def _load_translator(model_dir: str, stamp: tuple, device: str, inter_threads: int, intra_threads: int,
                     compute_type: str):
    import ctranslate2

    return ctranslate2.Translator(model_dir, device=device, inter_threads=inter_threads,
                                  intra_threads=intra_threads, compute_type=compute_type)


@functools.lru_cache(maxsize=4)
def _load_sentencepiece(path: str, stamp: tuple):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=path)


def _stamp(path: str) -> tuple:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Engine:
    """One Argos package, loaded: tokenize, translate in batches, detokenize."""

    def __init__(self, package: InstalledPackage, translator, sp, *, device: str, threads: int,
                 beam_size: int, batch_size: int,
                 max_decoding_length: int = DEFAULT_MAX_DECODING_LENGTH,
                 inter_threads: int = 1, intra_threads: int = 0):
        self.package = package
        self.translator = translator
        self.sp = sp
        self.device = device
        self.threads = threads
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        # Batches submitted and not yet collected: one per replica at work plus one waiting,
        # so no replica idles; no more, because Ctrl-C lets the batches in flight finish first.
        self.in_flight = inter_threads + 1
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.max_decoding_length = max_decoding_length
        self.max_input_length = MAX_INPUT_LENGTH

    @classmethod
    def load(cls, from_code: str, to_code: str, *, device: str = "cpu", threads: int = 0,
             beam_size: int = 4, batch_size: int = 32, packages_dir=None,
             max_decoding_length: int = DEFAULT_MAX_DECODING_LENGTH,
             compute_type: str = "default") -> "Engine":
        """Load the installed package for the pair; ModelError if it is missing or broken."""
        check_options(beam_size=beam_size, batch_size=batch_size, threads=threads,
                      max_decoding_length=max_decoding_length)
        package = require_package(from_code, to_code, packages_dir)
        device = resolve_device(device)
        sp_path = str(package.sentencepiece_model)
        model_bin = package.model_dir / "model.bin"
        try:
            sp = _load_sentencepiece(sp_path, _stamp(sp_path))
        except FileNotFoundError:
            raise ModelError("broken package: no sentencepiece.model", path=package.path,
                             hint="Reinstall it with `aligner models install`.") from None
        except Exception as e:
            raise ModelError(f"broken package: cannot read sentencepiece.model ({e})",
                             path=package.path, hint="Reinstall it with `aligner models install`.") from None
        inter, intra = choose_threads(threads, device)
        try:
            translator = _load_translator(str(package.model_dir), _stamp(str(model_bin)), device,
                                          inter, intra, compute_type)
        except FileNotFoundError:
            raise ModelError("broken package: no model/model.bin", path=package.path,
                             hint="Reinstall it with `aligner models install`.") from None
        except (RuntimeError, ValueError, OSError) as e:
            raise ModelError(f"broken package: CTranslate2 cannot load its model ({e})",
                             path=package.path, hint="Reinstall it with `aligner models install`.") from None
        return cls(package, translator, sp, device=device, threads=threads, beam_size=beam_size,
                   batch_size=batch_size, max_decoding_length=max_decoding_length,
                   inter_threads=inter, intra_threads=intra)

    @property
    def from_code(self) -> str:
        return self.package.from_code

    @property
    def to_code(self) -> str:
        return self.package.to_code

    def tokenize(self, text: str) -> list[str]:
        return self.sp.encode(text, out_type=str)

    def detokenize(self, pieces: list[str]) -> str:
        text = self.sp.decode_pieces(list(pieces))
        # sentencepiece keeps the space of a leading word-start marker in some models.
        return text[1:] if text.startswith(" ") else text

    def translate(self, sentences: Sequence[str], *, return_attention: bool = False,
                  target_prefixes: list[list[str]] | None = None,
                  progress: Callable[[int], None] | None = None) -> list[Translation]:
        """Translate sentences in batches; results come back in input order.

        `target_prefixes[i]` forces the translation of sentence i to start with those pieces.
        `progress(n)` is called after each batch with the number of sentences it finished.
        """
        if target_prefixes is not None and len(target_prefixes) != len(sentences):
            raise ValueError("target_prefixes must have one entry per sentence")
        return list(self.translate_iter(sentences, return_attention=return_attention,
                                        target_prefixes=target_prefixes, progress=progress))

    def translate_iter(self, sentences: Iterable[str], *, return_attention: bool = False,
                       target_prefixes: Iterable[list[str] | None] | None = None,
                       progress: Callable[[int], None] | None = None,
                       window: int | None = None) -> Iterator[Translation]:
        """Translate a stream of sentences, yielding each translation, in input order, as soon
        as it and every one before it are done.

        The stream is read into a pool of `window` sentences (default WINDOW_BATCHES batches).
        Each batch is the oldest sentence of the pool with its neighbours in length (so the
        batch has little padding), and the pool is topped up from the stream: sentences are
        translated nearly in input order, none waits behind more than a window, and a caller
        that writes a file once its last sentence is back writes files one after another.
        Up to `in_flight` batches are queued on the translator at once, so its replicas never
        wait for the caller. `progress(n)` is called after each batch."""
        window = max(1, window or self.batch_size * WINDOW_BATCHES)
        items = iter(sentences)
        prefixes = iter(target_prefixes) if target_prefixes is not None else None
        pkg_prefix = [self.package.target_prefix] if self.package.target_prefix else []
        done: dict[int, Translation] = {}
        queue: collections.deque = collections.deque()  # (ids, their tokens, async results)
        pool: list[int] = []  # read and not yet submitted, in input order
        tokens: dict[int, list[str]] = {}
        forced: dict[int, list[str] | None] = {}
        state = {"read": 0, "next": 0, "exhausted": False}

        def refill() -> None:
            blank = 0
            while not state["exhausted"] and len(pool) < window:
                try:
                    text = next(items)
                except StopIteration:
                    state["exhausted"] = True
                    break
                i = state["read"]
                state["read"] += 1
                prefix = next(prefixes) if prefixes is not None else None
                toks = self.tokenize(text)
                if toks:
                    pool.append(i)
                    tokens[i] = toks
                    forced[i] = prefix
                else:  # nothing to translate (blank text): CTranslate2 needs at least one token
                    done[i] = Translation("", [], [], [] if return_attention else None, 0.0)
                    blank += 1
            if blank and progress is not None:
                progress(blank)

        def collect() -> None:
            ids, toks, results = queue.popleft()
            try:
                outs = [r.result() for r in results]
            except (RuntimeError, ValueError) as e:
                raise self._failure(e) from None
            for i, t, r in zip(ids, toks, outs):
                done[i] = self._result(t, r, return_attention, len(pkg_prefix))
            if progress is not None:
                progress(len(ids))

        def ready() -> Iterator[Translation]:
            while state["next"] in done:
                yield done.pop(state["next"])
                state["next"] += 1

        while True:
            refill()
            yield from ready()
            if not pool:
                break
            # The oldest sentence and its neighbours in length.
            by_length = sorted(pool, key=lambda i: (len(tokens[i]), i))
            at = by_length.index(pool[0])
            start = max(0, min(at - self.batch_size // 2, len(by_length) - self.batch_size))
            ids = by_length[start:start + self.batch_size]
            taken = set(ids)
            pool[:] = [i for i in pool if i not in taken]
            batch = [tokens.pop(i) for i in ids]
            batch_prefixes = None
            if pkg_prefix or prefixes is not None:
                batch_prefixes = [pkg_prefix + list(forced.pop(i, None) or []) for i in ids]
                batch_prefixes = [p or None for p in batch_prefixes]
            while len(queue) >= self.in_flight:
                collect()
                yield from ready()
            longest = max(len(t) for t in batch)
            queue.append((ids, batch, self._translate_batch(
                batch, batch_prefixes, asynchronous=True,
                max_batch_size=self.batch_size, batch_type="examples",
                beam_size=self.beam_size, num_hypotheses=1, length_penalty=LENGTH_PENALTY,
                return_scores=True, return_attention=return_attention, replace_unknowns=True,
                max_input_length=self.max_input_length,
                max_decoding_length=min(self.max_decoding_length,
                                        max(16, 3 * longest + 10) + len(pkg_prefix)))))
        while queue:
            collect()
            yield from ready()

    def attention_for(self, sentences: Sequence[str], translations: Sequence[str]) -> list[Translation]:
        """The model's attention for given translations of `sentences` (e.g. a translation
        corrected by hand or by the glossary): each one is forced as the target prefix and
        decoding stops one piece after it, so the attention is what the model gives while
        reading exactly that text. `.text` is the translation as given."""
        if len(sentences) != len(translations):
            raise ValueError("one translation per sentence is needed")
        pkg_prefix = [self.package.target_prefix] if self.package.target_prefix else []
        out: list[Translation] = []
        for at in range(0, len(sentences), self.batch_size):
            src = [self.tokenize(s) for s in sentences[at:at + self.batch_size]]
            tgt = [self.tokenize(t) for t in translations[at:at + self.batch_size]]
            todo = [k for k, (a, b) in enumerate(zip(src, tgt)) if a and b]
            res = self._translate_batch(
                [src[k] for k in todo], [pkg_prefix + tgt[k] for k in todo],
                max_batch_size=self.batch_size, beam_size=1, return_attention=True,
                max_input_length=self.max_input_length,
                max_decoding_length=len(pkg_prefix) + max((len(tgt[k]) for k in todo), default=0) + 1) \
                if todo else []
            got = dict(zip(todo, res))
            for k, text in enumerate(translations[at:at + self.batch_size]):
                if k not in got:
                    out.append(Translation(text, src[k], tgt[k], [], None))
                    continue
                rows = got[k].attention[0] if got[k].attention else []
                rows = rows[len(pkg_prefix):len(pkg_prefix) + len(tgt[k])]
                out.append(Translation(text, src[k], tgt[k], [list(r[:len(src[k])]) for r in rows], None))
        return out

    def _failure(self, e: Exception) -> ModelError:
        return ModelError(f"the {self.from_code}→{self.to_code} model failed: {e}",
                          path=self.package.path,
                          hint="Split very long sentences, or lower --batch-size if memory ran out.")

    def _translate_batch(self, *args, **kwargs):
        try:
            return self.translator.translate_batch(*args, **kwargs)
        except (RuntimeError, ValueError) as e:  # e.g. a sentence longer than the model allows
            raise self._failure(e) from None

    def _result(self, source: list[str], r, with_attention: bool, skip: int) -> Translation:
        pieces = list(r.hypotheses[0])[skip:]
        attention = None
        if with_attention:
            rows = r.attention[0] if r.attention else []
            attention = [list(row[:len(source)]) for row in rows[skip:skip + len(pieces)]]
        score = r.scores[0] if r.scores else None
        if score is not None and not math.isfinite(score):
            score = None
        return Translation(self.detokenize(pieces), source, pieces, attention, score)
