"""Editing a bitext as a reviewer does: the library under `aligner review`, usable without a browser.

    ed = Editor.open("out/article.en-zh.jsonl", glossary=glossary)
    ed.merge(3)                       # bead 3 and bead 4 become one bead
    ed.split(5, src_at=1, tgt_at=2)   # bead 5's first source / first two target sentences stay
    ed.move(7, "tgt", "next")         # bead 7's last target sentence goes to bead 8
    ed.edit_target(9, ["新的译文。"])   # origin "edited", the old text kept in meta
    ed.set_review(10, "approved")
    ed.realign()                      # re-align the stretches next to what was fixed
    ed.undo(); ed.redo()
    ed.save()                         # atomic, NAME.jsonl.bak kept; refused if the file changed

Beads and segments are never changed in place: every edit builds new Bead (and Segment)
objects for what it changes and keeps the others, so an undo step is a cheap copy of three
lists, and what an edit changed is the stretch of beads that are not the same objects
(`changed_range`).

What a person did is recorded on the bead, in the file: `meta["review"]` is "fixed" (merged,
split, a sentence moved out of it, the target edited), "approved" or "rejected". Fixed and approved beads
get score 1.0 (a person vouched for them; the aligner's score is kept in
meta["aligner_score"]); they are the hard anchors of `realign`.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from aligner.errors import AlignerError, InputError, ModelError, OutputError
from aligner.io.atomic import atomic_open
from aligner.io.bitext_jsonl import read_bitext, write_bitext
from aligner.model import Bead, Bitext, Document, Segment

#: Review statuses a person can give a bead; "fixed" is given by the edits themselves.
STATUSES = ("approved", "rejected")
#: Beads a person vouched for: the anchors of a re-alignment.
ANCHOR_STATUSES = ("approved", "fixed")
#: Undo steps kept (each is three list copies: cheap even for 100,000 beads).
UNDO_LIMIT = 500
#: Longest target sentence an edit may set (characters).
MAX_TEXT = 20_000
#: Beads re-aligned on each side of a fix at first; doubled while the new alignment has not
#: rejoined the old one by the edge of the window (or the window reaches the next anchor).
REALIGN_WINDOW = 24
#: Beads at a window's open edge that must agree with the old alignment to stop growing it.
REJOIN_BEADS = 3

_SURROGATE = re.compile("[\ud800-\udfff]")


class EditError(AlignerError):
    """An edit that cannot be made (no next bead, a split point outside the bead, ...)."""

    exit_code = 3


class SaveRefused(OutputError):
    """The file changed on disk since it was loaded: saving would overwrite someone's work."""


@dataclass
class _State:
    beads: list[Bead]
    tgt_text: str
    tgt_segments: list[Segment]
    pending: list[Bead]  # anchors fixed or approved since the last re-alignment
    label: str = ""


def fingerprint(path: str | Path) -> tuple[int, str]:
    """(size, sha256) of a file: what `save` compares to refuse overwriting a changed file."""
    data = Path(path).read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def changed_range(old: Sequence[Bead], new: Sequence[Bead]) -> tuple[int, int, int]:
    """(start, old_end, new_end): old[start:old_end] became new[start:new_end]; beads outside
    are the same objects."""
    n = min(len(old), len(new))
    start = 0
    while start < n and old[start] is new[start]:
        start += 1
    tail = 0
    while tail < n - start and old[len(old) - 1 - tail] is new[len(new) - 1 - tail]:
        tail += 1
    return start, len(old) - tail, len(new) - tail


class SentenceVectors:
    """Sentence vectors by text (the encoder is multilingual), encoded on first use and kept
    for the life of a review server: what the embedding signal asks for when it re-aligns a
    stretch. `pooled` gives the built-in encoder's pooled features instead (the embedding
    signal joins spans from them, as `aligner align` does), kept the same way."""

    def __init__(self) -> None:
        self._vectors: dict[str, Any] = {}
        self._pooled: dict[str, Any] = {}
        self._lock = threading.Lock()  # one encoding at a time (the server's threads share it)
        self.encoded = 0  # sentences encoded (each text once)

    def __len__(self) -> int:
        return len(self._vectors) + len(self._pooled)

    def __contains__(self, text: object) -> bool:
        return text in self._vectors or text in self._pooled

    def __call__(self, texts: Sequence[str]) -> Any:
        import numpy as np

        from aligner.align.signals.embedding import encode

        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
            if todo:
                for t, v in zip(todo, np.asarray(encode(None, todo), dtype=np.float32)):
                    self._vectors[t] = v
                self.encoded += len(todo)
            return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)

    def pooled(self, texts: Sequence[str]) -> Any:
        import numpy as np

        from aligner.align.signals.embedding import Pooled, encode_pooled

        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._pooled))
            if todo:
                got = encode_pooled(todo)
                for x, t in enumerate(todo):
                    self._pooled[t] = (got.bos[x], got.inner[x], got.eos[x], got.tokens[x])
                self.encoded += len(todo)
            rows = [self._pooled[t] for t in texts]
            if not rows:
                z = np.zeros((0, 512), np.float32)
                return Pooled(z, z, z, np.zeros(0, np.float32))
            return Pooled(*(np.stack([r[i] for r in rows]) for i in range(3)),
                          np.array([r[3] for r in rows], np.float32))


class Editor:
    """One bitext under review: its beads, the edits made, and the file it came from."""

    def __init__(self, bitext: Bitext, path: str | Path | None = None, glossary: Any = None):
        self.bitext = bitext
        self.path = Path(path) if path is not None else None
        self.glossary = glossary
        self._undo: list[_State] = []
        self._redo: list[_State] = []
        self._pending: list[Bead] = []
        self._saved: list[Bead] | None = list(bitext.beads)  # the beads as on disk
        self._saved_tgt = bitext.target.text
        self.loaded: tuple[int, str] | None = fingerprint(self.path) if self.path else None
        #: sentence vectors for re-alignment; a review server gives all its editors one
        self.vectors = SentenceVectors()

    @classmethod
    def open(cls, path: str | Path, glossary: Any = None) -> "Editor":
        """Read a bitext file for review. The file's fingerprint is taken before and after
        reading, so a file being rewritten while it is read is noticed."""
        before = _safe_fingerprint(path)
        bitext = read_bitext(path)
        ed = cls(bitext, path, glossary)
        if ed.loaded != before:
            raise InputError("the file changed while it was being read", path=path,
                             hint="Run `aligner review` again once the program writing it is done.")
        return ed

    # ------------------------------------------------------------------ state
    @property
    def beads(self) -> list[Bead]:
        return self.bitext.beads

    @property
    def dirty(self) -> bool:
        return not (self._saved is not None and len(self._saved) == len(self.beads)
                    and all(a is b for a, b in zip(self._saved, self.beads))
                    and self._saved_tgt == self.bitext.target.text)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def _snapshot(self, label: str = "") -> _State:
        t = self.bitext.target
        return _State(list(self.beads), t.text, list(t.segments), list(self._pending), label)

    def _restore(self, s: _State) -> None:
        self.bitext.beads = list(s.beads)
        self.bitext.target.text = s.tgt_text
        self.bitext.target.segments = list(s.tgt_segments)
        self._pending = list(s.pending)

    def _begin(self, label: str) -> None:
        self._undo.append(self._snapshot(label))
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()

    def undo(self) -> str:
        """Go back one edit; returns what was undone."""
        if not self._undo:
            raise EditError("nothing to undo")
        s = self._undo.pop()
        self._redo.append(self._snapshot(s.label))
        self._restore(s)
        return s.label

    def redo(self) -> str:
        if not self._redo:
            raise EditError("nothing to redo")
        s = self._redo.pop()
        self._undo.append(self._snapshot(s.label))
        self._restore(s)
        return s.label

    def _bead(self, i: int) -> Bead:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(self.beads):
            raise EditError(f"there is no bead {i!r} (the bitext has {len(self.beads)})")
        return self.beads[i]

    def _fixed(self, bead: Bead, **changes: Any) -> Bead:
        """A copy of `bead` (with `changes`) marked as fixed by a person: an anchor."""
        new = replace(bead, **changes)
        new.meta = _vouched(new.meta, new.score, "fixed")
        new.score = 1.0
        self._pending.append(new)
        return new

    # ------------------------------------------------------------------ edits
    def merge(self, i: int, direction: str = "next") -> None:
        """Merge bead i with the next (or previous) bead."""
        if direction not in ("next", "prev"):
            raise EditError(f"merge direction must be 'next' or 'prev', not {direction!r}")
        j = i + 1 if direction == "next" else i - 1
        self._bead(i)
        if not 0 <= j < len(self.beads):
            raise EditError(f"bead {i + 1} has no {'next' if direction == 'next' else 'previous'} bead to merge with")
        a, b = sorted((i, j))
        first, second = self.beads[a], self.beads[b]
        self._begin(f"merge beads {a + 1} and {b + 1}")
        meta = dict(first.meta)
        meta.pop("evidence", None)
        for key in ("terms", "violations"):
            items = list(first.meta.get(key) or []) + list(second.meta.get(key) or [])
            if items:
                meta[key] = items
            else:
                meta.pop(key, None)
        meta = _without_target_offsets(meta)
        origin = first.origin if first.origin == second.origin else (first.origin if first.tgt else second.origin)
        merged = self._fixed(first, src=sorted(first.src + second.src), tgt=sorted(first.tgt + second.tgt),
                             origin=origin, meta=meta)
        self.bitext.beads[a:b + 1] = [merged]

    def split(self, i: int, src_at: int, tgt_at: int) -> None:
        """Split bead i in two: the first keeps its first `src_at` source and `tgt_at` target
        sentences, the second the rest. Each part keeps at least one sentence."""
        bead = self._bead(i)
        for name, at, ids in (("src_at", src_at, bead.src), ("tgt_at", tgt_at, bead.tgt)):
            if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= len(ids):
                raise EditError(f"{name} must be between 0 and {len(ids)} for bead {i + 1}, not {at!r}")
        if src_at + tgt_at == 0 or (len(bead.src) - src_at) + (len(bead.tgt) - tgt_at) == 0:
            raise EditError(f"splitting bead {i + 1} there would leave an empty bead")
        self._begin(f"split bead {i + 1}")
        one = self._fixed(bead, src=bead.src[:src_at], tgt=bead.tgt[:tgt_at],
                          meta=self._meta_for(bead.meta, bead.src[:src_at]))
        two = self._fixed(bead, src=bead.src[src_at:], tgt=bead.tgt[tgt_at:],
                          meta=self._meta_for(bead.meta, bead.src[src_at:]))
        self.bitext.beads[i:i + 1] = [one, two]

    def move(self, i: int, side: str, to: str) -> None:
        """Move a sentence across a bead boundary: with to="prev" the first `side` ("src" or
        "tgt") sentence of bead i goes to the end of bead i-1; with to="next" its last one goes
        to the start of bead i+1. A bead left with no sentence at all disappears."""
        if side not in ("src", "tgt") or to not in ("prev", "next"):
            raise EditError(f"move needs side 'src' or 'tgt' and to 'prev' or 'next', not {side!r}, {to!r}")
        bead = self._bead(i)
        ids = getattr(bead, side)
        if not ids:
            raise EditError(f"bead {i + 1} has no {'source' if side == 'src' else 'target'} sentence to move")
        j = i - 1 if to == "prev" else i + 1
        if not 0 <= j < len(self.beads):
            raise EditError(f"bead {i + 1} has no {'previous' if to == 'prev' else 'next'} bead")
        other = self.beads[j]
        self._begin(f"move a sentence from bead {i + 1} to bead {j + 1}")
        moved = ids[0] if to == "prev" else ids[-1]
        rest = ids[1:] if to == "prev" else ids[:-1]
        gained = getattr(other, side) + [moved] if to == "prev" else [moved] + getattr(other, side)
        # The bead the sentence left is the one the person fixed (an anchor); the bead that
        # received it only changed: its aligner score no longer applies.
        new_bead = self._fixed(bead, **{side: rest})
        new_bead.meta = self._meta_for(new_bead.meta, new_bead.src)
        new_other = replace(other, **{side: gained})
        new_other.meta = self._meta_for(other.meta, new_other.src)
        if other.meta.get("review") not in ANCHOR_STATUSES:
            new_other.score = None
        pair = [new_other, new_bead] if to == "prev" else [new_bead, new_other]
        pair = [b for b in pair if b.src or b.tgt]
        a = min(i, j)
        self.bitext.beads[a:a + 2] = pair

    def set_review(self, i: int, status: str | None) -> None:
        """Mark bead i "approved" or "rejected", or None to clear the mark."""
        if status is not None and status not in STATUSES:
            raise EditError(f"a bead can be marked {' or '.join(STATUSES)}, not {status!r}")
        bead = self._bead(i)
        if bead.meta.get("review") == status:
            return
        self._begin(f"{status or 'unmark'} bead {i + 1}")
        meta = dict(bead.meta)
        score = bead.score
        if "aligner_score" in meta:  # undo what an earlier approval did to the score
            score = meta.pop("aligner_score")
        meta.pop("review", None)
        if status == "approved":
            meta = _vouched(meta, score, "approved")
            score = 1.0
        elif status == "rejected":
            meta["review"] = "rejected"
        new = replace(bead, meta=meta, score=score)
        if status == "approved":
            self._pending.append(new)
        self.bitext.beads[i] = new

    def edit_target(self, i: int, texts: Sequence[str]) -> None:
        """Set the target sentences of bead i (one text per target sentence; a bead without a
        target sentence gets one new sentence). The target Document's text and every
        segment's offsets change with it, so exports and glossary checks see the edit. The
        bead's origin becomes "edited"; its first text and origin are kept in meta."""
        bead = self._bead(i)
        texts = [_clean(t) for t in texts] if isinstance(texts, (list, tuple)) else None
        want = max(1, len(bead.tgt))
        if texts is None or len(texts) != want:
            raise EditError(f"bead {i + 1} has {want} target sentence{'s' if want > 1 else ''}: "
                            f"give one text for each (one per line)")
        old = self.bitext.tgt_text(bead)
        if bead.tgt and [self.bitext.target.segments[j].text for j in bead.tgt] == texts:
            return
        self._begin(f"edit the target of bead {i + 1}")
        meta = _terms_after_edit(bead.meta, texts, self.bitext.tgt_lang)
        meta.setdefault("original_target", old)
        meta.setdefault("original_origin", bead.origin)
        if bead.tgt:
            _replace_segments(self.bitext.target, bead.tgt, texts)
            tgt = list(bead.tgt)
        else:
            at = self._insert_point(i)
            _insert_segment(self.bitext.target, at, texts[0])
            # every later target sentence moved up by one: renumber the beads that hold them
            self.bitext.beads[:] = [b if not any(j >= at for j in b.tgt) or k == i
                                    else replace(b, tgt=[j + 1 if j >= at else j for j in b.tgt])
                                    for k, b in enumerate(self.beads)]
            tgt = [at]
        self.bitext.beads[i] = self._fixed(bead, tgt=tgt, origin="edited", meta=meta)

    def _insert_point(self, i: int) -> int:
        """Where a new target sentence for bead i goes: after the last target sentence of the
        beads before it."""
        for b in reversed(self.beads[:i]):
            if b.tgt:
                return max(b.tgt) + 1
        return 0

    def _meta_for(self, meta: dict[str, Any], src: list[int]) -> dict[str, Any]:
        """A bead's meta for a part of it: glossary terms and violations whose term is not in
        the part's source text are left out; the aligner's evidence no longer applies."""
        meta = dict(meta)
        meta.pop("evidence", None)
        text = self.bitext.src_text(Bead(src=src, tgt=[])).lower()
        for key, field_name in (("terms", "source"), ("violations", "term")):
            items = meta.get(key)
            if not isinstance(items, list):
                continue
            kept = [e for e in items if not isinstance(e, dict)
                    or str(e.get("matched") or e.get(field_name) or e.get("source") or "").lower() in text]
            if kept:
                meta[key] = kept
            else:
                meta.pop(key)
        return _without_target_offsets(meta)

    # ------------------------------------------------------------------ re-alignment
    def anchors(self) -> list[int]:
        """Indices of the beads a person fixed or approved."""
        return [k for k, b in enumerate(self.beads) if b.meta.get("review") in ANCHOR_STATUSES]

    def realign(self, window: int = REALIGN_WINDOW, **align_options: Any) -> dict[str, Any]:
        """Re-run the aligner between the anchors next to the beads fixed or approved since the
        last re-alignment, so that one correction repairs the errors that followed from it.

        Anchors are never changed. A stretch between two anchors is re-aligned whole when it
        is short; a long one only within `window` beads of the new anchor, the window
        doubling until the new alignment rejoins the old one before the window's edge (the
        old beads at the edge are then kept). Returns {"stretches", "changed"}, changed being
        the number of beads that differ from before.
        """
        from aligner.align import align_sentences

        anchors = self.anchors()
        pending = {id(b) for b in self._pending}
        new_anchor = {k for k in anchors if id(self.beads[k]) in pending}
        if not new_anchor:
            raise EditError("nothing to re-align from: fix or approve a bead first "
                            "(merge, split, move a sentence, edit or approve)")
        if glossary := self.glossary:
            align_options.setdefault("glossary", glossary)
        bounds = [-1] + anchors + [len(self.beads)]
        beads = list(self.beads)
        work: list[tuple[int, int, list[Bead]]] = []
        for lo, hi in zip(bounds, bounds[1:]):
            a, b = lo + 1, hi  # the free beads between two anchors
            if a >= b:
                continue
            left, right = lo in new_anchor, hi in new_anchor
            if not (left or right):
                continue
            work.extend(self._realign_gap(beads, a, b, left, right, window, align_sentences, align_options))
        self._begin("re-align from the fixes")
        changed = 0
        for a, b, new in sorted(work, key=lambda w: -w[0]):  # from the end: indices stay valid
            changed += sum(1 for x in new if not any(x is y for y in beads[a:b]))
            self.bitext.beads[a:b] = new
        self._pending = []
        if not changed:
            # nothing moved: keep no undo step that would change nothing
            self._undo.pop()
        return {"stretches": len(work), "changed": changed}

    def _realign_gap(self, beads, a, b, left, right, window, align, options):
        """The new beads for the free beads a..b-1, as (start, end, beads) runs: near the new
        anchor(s) only, each side's window doubling on its own until the new alignment
        rejoins the old one at the window's open edge; the whole gap once the windows meet."""
        w = {side: max(1, window) for side, new in (("left", left), ("right", right)) if new}
        done: dict[str, tuple[int, int, list[Bead]]] = {}
        while True:
            if sum(w.values()) >= b - a:
                return [(a, b, self._align_stretch(beads[a:b], align, options))]
            for side in w:
                if side in done:
                    continue
                lo, hi = (a, a + w[side]) if side == "left" else (b - w[side], b)
                new = self._align_stretch(beads[lo:hi], align, options)
                edge = (new[-REJOIN_BEADS:], beads[hi - REJOIN_BEADS:hi]) if side == "left" \
                    else (new[:REJOIN_BEADS], beads[lo:lo + REJOIN_BEADS])
                if _same(*edge):
                    done[side] = (lo, hi, new)
                else:
                    w[side] *= 2
            if len(done) == len(w):
                return list(done.values())

    def _align_stretch(self, old: list[Bead], align, options) -> list[Bead]:
        """The beads the aligner finds for the sentences of `old` (a run of beads); beads
        equal to an old one are the old objects (their meta and origin are kept)."""
        src = sorted(i for bead in old for i in bead.src)
        tgt = sorted(j for bead in old for j in bead.tgt)
        if not src or not tgt:
            result = [([i], []) for i in src] + [([], [j]) for j in tgt]
            scores = [(1.0, 0.0)] * len(result)
        else:
            s_doc, t_doc = self.bitext.source, self.bitext.target
            src_texts = [s_doc.segments[i].text for i in src]
            tgt_texts = [t_doc.segments[j].text for j in tgt]
            if "signals" not in options and "embedding" not in options:
                extra = self._embedding_signals()
                if "weights" in extra:
                    extra["weights"] = {**extra["weights"], **(options.get("weights") or {})}
                options = {**options, **extra}
            alignment = align(src_texts, tgt_texts, s_doc.lang, t_doc.lang, **options)
            result = [([src[i] for i in bd.src], [tgt[j] for j in bd.tgt]) for bd in alignment.beads]
            scores = [(bd.score, bd.evidence) for bd in alignment.beads]
        by_pair = {(tuple(bd.src), tuple(bd.tgt)): bd for bd in old}
        out = []
        for (s, t), (score, evidence) in zip(result, scores):
            kept = by_pair.get((tuple(s), tuple(t)))
            out.append(kept if kept is not None else
                       Bead(src=s, tgt=t, score=score, origin="aligned", id=-1,
                            meta={"evidence": evidence, "realigned": True}))
        return out

    def _embedding_signals(self) -> dict[str, Any]:
        """Options for the aligner: the default signals, with the sentence-embedding signal fed
        by `self.vectors` (kept by text: a window that grows, or the next
        re-alignment, encodes no sentence twice). A stretch of a long bitext is aligned as the
        aligner aligned the whole of it: without the encoder first, then with it on the
        uncertain beads only (so only their sentences are encoded). {} (the aligner's own
        defaults) when the aligner has no such signal; {"embedding": False} when no encoder
        is installed."""
        try:
            from aligner.align.core import DEFAULT_SIGNALS, DEFAULT_WEIGHTS
            from aligner.align.signals import get_signal
            from aligner.align.signals.embedding import ENCODE_ALL_SENTENCES, use_encoder
        except ImportError:
            return {}
        if "embedding" not in DEFAULT_SIGNALS:
            return {}
        try:
            use_encoder()  # loaded once per process (the review server loads it at start)
        except ModelError:  # no encoder installed: re-align without it
            return {"embedding": False}
        names = [n for n in DEFAULT_SIGNALS if n != "embedding"]
        if len(self.bitext.source.segments) + len(self.bitext.target.segments) <= ENCODE_ALL_SENTENCES:
            embedding = get_signal("embedding", weight=DEFAULT_WEIGHTS.get("embedding", 1.0), encoder=self.vectors)
            return {"signals": [*names, embedding]}
        embedding = get_signal("embedding", weight=DEFAULT_WEIGHTS.get("embedding", 1.0), encoder=self.vectors,
                               encode_all=0)
        # the weights of a long text's model-free passes (make_signals would take the stretch
        # for a short text encoded whole)
        return {"signals": [*names, embedding], "weights": {"length": DEFAULT_WEIGHTS["length"]}}

    # ------------------------------------------------------------------ saving
    def save(self, path: str | Path | None = None) -> Path:
        """Write the bitext atomically, keeping the previous file as NAME.jsonl.bak. Refused
        (SaveRefused) when the file changed on disk since it was loaded or last saved."""
        dest = Path(path) if path is not None else self.path
        if dest is None:
            raise OutputError("this bitext has no file to save to")
        if dest == self.path and self.loaded is not None:
            now = _safe_fingerprint(dest)
            if now != self.loaded:
                raise SaveRefused("the file changed on disk since it was loaded (another program, "
                                  "or another review tab, saved it)", path=dest,
                                  hint="Nothing was saved. Reload to see the file as it is now; "
                                       "your edits here are lost on reload, so note them first.")
            previous = dest.read_bytes()
            with atomic_open(dest.with_name(dest.name + ".bak"), "wb") as f:
                f.write(previous)
        out = Bitext(self.bitext.source, self.bitext.target,
                     [b if b.id == k else replace(b, id=k) for k, b in enumerate(self.beads)],
                     self.bitext.meta)
        write_bitext(out, dest)
        if dest == self.path:
            self.loaded = fingerprint(dest)
            self._saved = list(self.beads)
            self._saved_tgt = self.bitext.target.text
        return dest


# ---------------------------------------------------------------------- helpers

def _safe_fingerprint(path: str | Path) -> tuple[int, str]:
    try:
        return fingerprint(path)
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a bitext .jsonl file", path=path) from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=path) from None


def _vouched(meta: dict[str, Any], score: float | None, status: str) -> dict[str, Any]:
    meta = dict(meta)
    if meta.get("review") not in ANCHOR_STATUSES and score is not None and score != 1.0:
        meta.setdefault("aligner_score", score)
    meta["review"] = status
    return meta


def _without_target_offsets(meta: dict[str, Any]) -> dict[str, Any]:
    """Glossary term records keep where the term's rendering was in the target (translate
    writes them); once the bead's target sentences change, those offsets point elsewhere."""
    terms = meta.get("terms")
    if not isinstance(terms, list) or not any(isinstance(e, dict) and ("target_start" in e or "target_end" in e)
                                              for e in terms):
        return meta
    meta = dict(meta)
    meta["terms"] = [{k: v for k, v in e.items() if k not in ("target_start", "target_end")}
                     if isinstance(e, dict) else e for e in terms]
    return meta


def _terms_after_edit(meta: dict[str, Any], texts: list[str], lang: str) -> dict[str, Any]:
    """After a person rewrote the target: a term recorded as rendered whose rendering is no
    longer in the text becomes "missing" (exports then flag it)."""
    from aligner.formats.review import OK_TERM_STATUSES

    meta = _without_target_offsets(meta)
    terms = meta.get("terms")
    if not isinstance(terms, list):
        return dict(meta)
    text = "".join(texts) if lang == "zh" else " ".join(texts).lower()
    out = []
    for e in terms:
        if isinstance(e, dict) and isinstance(e.get("target"), str) and e["target"] \
                and str(e.get("status") or "ok").lower() in OK_TERM_STATUSES:
            rendering = e["target"] if lang == "zh" else e["target"].lower()
            if rendering not in text:
                e = {**e, "status": "missing"}
        out.append(e)
    return {**meta, "terms": out}


def _same(a: Sequence[Bead], b: Sequence[Bead]) -> bool:
    return len(a) == len(b) and all(x.src == y.src and x.tgt == y.tgt for x, y in zip(a, b))


def _clean(text: Any) -> str:
    if not isinstance(text, str):
        raise EditError("a target text must be a string")
    text = " ".join(text.split()) if "\n" in text or "\r" in text else text.strip()
    if not text:
        raise EditError("a target sentence cannot be empty: to leave a source sentence "
                        "untranslated, move the target sentence to a neighbouring bead")
    if len(text) > MAX_TEXT:
        raise EditError(f"a target sentence can have at most {MAX_TEXT:,} characters")
    if _SURROGATE.search(text) or "\x00" in text:
        raise EditError("the text holds characters that cannot be saved (NUL or a lone surrogate)")
    return text


def _replace_segments(doc: Document, ids: list[int], texts: list[str]) -> None:
    """Replace the text of segments `ids` of `doc` by `texts`, shifting every later offset."""
    new_text = dict(zip(ids, texts))
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0  # in the old text
    shift = 0
    for seg in doc.segments:
        if seg.id in new_text:
            parts.append(doc.text[pos:seg.start])
            t = new_text[seg.id]
            parts.append(t)
            start = seg.start + shift
            shift += len(t) - (seg.end - seg.start)
            segments.append(Segment(seg.id, start, start + len(t), t, seg.paragraph))
            pos = seg.end
        elif shift:
            segments.append(Segment(seg.id, seg.start + shift, seg.end + shift, seg.text, seg.paragraph))
        else:
            segments.append(seg)
    parts.append(doc.text[pos:])
    doc.text = "".join(parts)
    doc.segments = segments


def _insert_segment(doc: Document, at: int, text: str) -> None:
    """Insert a new segment as segment number `at` (later ones are renumbered)."""
    sep = "\n" if "\n" in doc.text else ("" if doc.lang == "zh" else " ")
    if at > 0:
        prev = doc.segments[at - 1]
        offset, piece, paragraph = prev.end, sep + text, prev.paragraph
        start = offset + len(sep)
    else:
        offset, piece = 0, (text + sep if doc.segments else text)
        paragraph = doc.segments[0].paragraph if doc.segments else 0
        start = 0
    doc.text = doc.text[:offset] + piece + doc.text[offset:]
    n = len(piece)
    segments = []
    for seg in doc.segments:
        if seg.id < at:
            segments.append(seg)
        else:
            if seg.id == at:
                segments.append(Segment(at, start, start + len(text), text, paragraph))
            segments.append(Segment(seg.id + 1, seg.start + n, seg.end + n, seg.text, seg.paragraph))
    if at == len(doc.segments):
        segments.append(Segment(at, start, start + len(text), text, paragraph))
    doc.segments = segments
