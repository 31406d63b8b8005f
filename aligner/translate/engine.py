"""The translation engine: an installed Argos package run through CTranslate2 directly.

Argos Translate's own `translate()` splits, tokenizes and translates one text at a time; here
every sentence of every file goes through `Translator.translate_batch` in large batches
(sorted by length, so little padding), with the package's sentencepiece model for tokens. The
CTranslate2 model is loaded once per run (and kept in a small cache for library callers).
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from typing import Callable, Sequence

from aligner.errors import ModelError, UsageError
from aligner.translate.packages import InstalledPackage, require_package

# Decoding settings Argos Translate uses for its packages (argostranslate.translate).
LENGTH_PENALTY = 0.2
DEFAULT_MAX_DECODING_LENGTH = 256
# Longest input CTranslate2 reads (its `max_input_length` default): longer inputs would be
# cut off silently, so the pipeline refuses them with a message naming the file and line.
MAX_INPUT_LENGTH = 1024
# Sentences per translate_batch call: big enough that CTranslate2 fills every batch after
# sorting by length, small enough to report progress every few seconds.
CHUNK_BATCHES = 16
# The range of each decoding option (the CLI's --beam-size, --batch-size, --threads and
# --max-length take these ranges): beyond them CTranslate2 crashes (100,000 threads is a
# SIGSEGV) or asks for more memory than a machine has.
OPTION_RANGES = {"beam_size": (1, 32), "batch_size": (1, 1024), "threads": (0, 128),
                 "max_decoding_length": (1, MAX_INPUT_LENGTH)}


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
def _load_translator(model_dir: str, stamp: tuple, device: str, threads: int, compute_type: str):
    import ctranslate2

    return ctranslate2.Translator(model_dir, device=device, inter_threads=1,
                                  intra_threads=threads, compute_type=compute_type)


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
                 max_decoding_length: int = DEFAULT_MAX_DECODING_LENGTH):
        self.package = package
        self.translator = translator
        self.sp = sp
        self.device = device
        self.threads = threads
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
        try:
            translator = _load_translator(str(package.model_dir), _stamp(str(model_bin)), device,
                                          threads, compute_type)
        except FileNotFoundError:
            raise ModelError("broken package: no model/model.bin", path=package.path,
                             hint="Reinstall it with `aligner models install`.") from None
        except (RuntimeError, ValueError, OSError) as e:
            raise ModelError(f"broken package: CTranslate2 cannot load its model ({e})",
                             path=package.path, hint="Reinstall it with `aligner models install`.") from None
        return cls(package, translator, sp, device=device, threads=threads, beam_size=beam_size,
                   batch_size=batch_size, max_decoding_length=max_decoding_length)

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
        `progress(n)` is called after each chunk with the number of sentences it finished.
        """
        if target_prefixes is not None and len(target_prefixes) != len(sentences):
            raise ValueError("target_prefixes must have one entry per sentence")
        tokens = [self.tokenize(s) for s in sentences]
        results: list[Translation | None] = [None] * len(sentences)
        todo = []
        for i, toks in enumerate(tokens):
            if toks:
                todo.append(i)
            else:  # nothing to translate (blank text): CTranslate2 needs at least one token
                results[i] = Translation("", [], [], [] if return_attention else None, 0.0)
        if len(todo) < len(sentences) and progress is not None:
            progress(len(sentences) - len(todo))
        # Sort by length so each batch has little padding; chunk so progress can be reported.
        todo.sort(key=lambda i: len(tokens[i]))
        pkg_prefix = [self.package.target_prefix] if self.package.target_prefix else []
        chunk = max(1, self.batch_size * CHUNK_BATCHES)
        for start in range(0, len(todo), chunk):
            ids = todo[start:start + chunk]
            prefixes = None
            if pkg_prefix or target_prefixes is not None:
                prefixes = [pkg_prefix + list(target_prefixes[i] if target_prefixes else []) for i in ids]
                prefixes = [p or None for p in prefixes]
            longest = max(len(tokens[i]) for i in ids)
            out = self._translate_batch(
                [tokens[i] for i in ids], prefixes,
                max_batch_size=self.batch_size, batch_type="examples",
                beam_size=self.beam_size, num_hypotheses=1, length_penalty=LENGTH_PENALTY,
                return_scores=True, return_attention=return_attention, replace_unknowns=True,
                max_input_length=self.max_input_length,
                max_decoding_length=min(self.max_decoding_length,
                                        max(16, 3 * longest + 10) + len(pkg_prefix)),
            )
            for i, r in zip(ids, out):
                results[i] = self._result(tokens[i], r, return_attention, len(pkg_prefix))
            if progress is not None:
                progress(len(ids))
        return results  # type: ignore[return-value]

    def _translate_batch(self, *args, **kwargs):
        try:
            return self.translator.translate_batch(*args, **kwargs)
        except (RuntimeError, ValueError) as e:  # e.g. a sentence longer than the model allows
            raise ModelError(f"the {self.from_code}→{self.to_code} model failed: {e}",
                             path=self.package.path,
                             hint="Split very long sentences, or lower --batch-size if memory ran out.") from None

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
