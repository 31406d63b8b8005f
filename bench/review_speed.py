#!/usr/bin/env python3
"""`aligner review` on a 5,000-bead bitext (the Bible in ../shared/data): how fast the page opens
and answers in headless Chromium, and how fast a re-alignment from one fixed bead is.

    python3 bench/review_speed.py                         # aligns bible-dev/001 first (about a minute)
    python3 bench/review_speed.py --bitext bible.jsonl    # a bitext aligned before

Figures (printed, not asserted; goals from issue 15):
  open        from the navigation until the page shows the first beads and has answered a key
              (j moves the selection): goal < 2 s; beside it, the same texts as bare <div>s loaded
              in the same browser (the floor any page showing them all at once pays). The page
              loads the other beads in parts after the first screen, answering keys meanwhile,
              and builds rows as they come near the screen: when every bead is loaded is printed.
              The first open is also printed: the server loads the sentence encoder and the
              dictionaries in the background from its start, meanwhile
  edit        a merge by key, until the page shows it
  re-align    one wrong bead in the middle (it takes the next target sentence, the following
              beads shift), fixed by moving that sentence back, then re-aligned from the fix:
              goal < 1 s, asked of the server's API once its warm-up is done, the first time
              (the stretch's uncertain sentences encoded) and again after an undo (vectors kept);
              wall and CPU time (user+sys of this process, the server's threads included);
              beside it, aligning the whole text again (what a tool without anchors must do),
              and whether the beads came back as the aligner had them
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner.align import align_documents  # noqa: E402
from aligner.align.files import load_documents  # noqa: E402
from aligner.io.bitext_jsonl import write_bitext  # noqa: E402
from aligner.model import Bead  # noqa: E402
from aligner.review.edits import Editor  # noqa: E402
from aligner.review.server import WARM_UP_SENTENCES, ReviewServer  # noqa: E402


def rel(path: Path) -> str:
    try:
        return os.path.relpath(path, REPO)
    except ValueError:
        return str(path)


def bible_bitext(data: Path, out: Path) -> tuple[Path, float]:
    d = data / "bible-dev"
    src, tgt = load_documents(d / "001.en", d / "001.zh", presplit=True)
    t0 = time.perf_counter()
    bitext = align_documents(src, tgt)
    secs = time.perf_counter() - t0
    write_bitext(bitext, out)
    return out, secs


def break_and_fix(ed: Editor, at: int, span: int = 6) -> list[tuple[list[int], list[int]]]:
    """Make bead `at` take the next target sentence and the next `span` beads shift by one (as an
    aligner's error propagates), then fix bead `at` as a reviewer would: move the sentence back
    to the next bead. Returns the beads as they were before."""
    before = [(b.src, b.tgt) for b in ed.beads]
    k = at
    while not (len(ed.beads[k].tgt) == 1 and all(len(ed.beads[k + d].tgt) == 1 for d in range(span + 1))):
        k += 1
    beads = ed.beads
    first = beads[k].tgt[0]
    beads[k] = Bead(src=beads[k].src, tgt=[first, first + 1], score=0.9, id=beads[k].id)
    for d in range(1, span):
        b = beads[k + d]
        beads[k + d] = Bead(src=b.src, tgt=[b.tgt[0] + 1], score=0.8, id=b.id)
    b = beads[k + span]
    beads[k + span] = Bead(src=b.src, tgt=[], score=0.5, id=b.id)
    ed.move(k, "tgt", "next")
    return before


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def bench_page(path: Path, chromium: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ed = Editor.open(path)
    srv = ReviewServer([ed])  # starts loading the encoder and dictionaries in the background
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    n = len(ed.beads)
    bare = "".join(f"<div><p>{html.escape(s)}</p><p>{html.escape(t)}</p></div>"
                   for _, s, t in ed.bitext.pairs())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
        opens, bares, edits, alls, readies = [], [], [], [], []
        for attempt in range(3):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            t0 = time.perf_counter()
            page.goto(srv.url)
            page.wait_for_selector("body[data-ready='1']")
            page.keyboard.press("j")
            page.wait_for_selector("#beads .bead:nth-child(2).sel")
            opens.append(time.perf_counter() - t0)
            if attempt == 0:
                warming = srv.warming.is_alive()
            readies.append(page.evaluate("window.reviewReady") / 1000)
            # every bead loaded (in parts after the first screen); performance.now() counts
            # from the navigation
            page.wait_for_selector("body[data-loaded='1']", state="attached", timeout=60_000)
            alls.append(page.evaluate("window.reviewAllLoaded") / 1000)
            t0 = time.perf_counter()
            page.keyboard.press("m")
            expect(page.locator("#summary")).to_contain_text(f"{n - 1} beads")
            edits.append(time.perf_counter() - t0)
            page.keyboard.press("u")
            expect(page.locator("#summary")).to_contain_text(f"{n} beads")
            page.close()
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            t0 = time.perf_counter()
            page.set_content(f"<!DOCTYPE html><meta charset=utf-8><body>{bare}</body>")
            page.evaluate("document.body.offsetHeight")
            bares.append(time.perf_counter() - t0)
            page.close()
        browser.close()
    srv.warming.join()
    warm = srv.warming.seconds
    srv.shutdown()
    srv.server_close()
    print(f"== page: {n:,} beads in headless Chromium ==")
    print(f"  open and interactive: {min(opens):.2f} s best of 3, {opens[0]:.2f} s the first time "
          f"(the server {'still loading' if warming else 'done loading'} the encoder meanwhile)   [goal < 2 s]   "
          f"(bare <div>s with the same texts: {min(bares):.2f} s, ratio {min(opens) / min(bares):.1f}x)")
    print(f"  first screen shown (page clock, from the navigation): {min(readies):.2f} s")
    print(f"  every bead loaded (in parts after the first screen, keys answered meanwhile): {min(alls):.2f} s "
          f"after the navigation")
    print(f"  a merge by key, until shown: {min(edits) * 1000:.0f} ms")
    print(f"  (the server's warm-up, in the background from its start, took {warm:.1f} s: the first "
          f"in this process, it loaded the encoder and the dictionaries)")


def _post(srv: ReviewServer, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=600)
    conn.request("POST", "/api/edit", body=json.dumps(body),
                 headers={"Content-Type": "application/json", "X-Review-Token": srv.token})
    r = conn.getresponse()
    data = json.loads(r.read())
    conn.close()
    if r.status != 200:
        raise SystemExit(f"the server answered {r.status}: {data}")
    return data


def bench_realign(path: Path, full_secs: float | None) -> None:
    """Through the server's API (as the page asks for it), after the server's warm-up."""
    ed = Editor.open(path)
    t0, c0 = time.perf_counter(), cpu()
    srv = ReviewServer([ed])
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    srv.warming.join()
    warm, warm_cpu = time.perf_counter() - t0, cpu() - c0
    mid = len(ed.beads) // 2
    before = break_and_fix(ed, mid)
    sentences = len(ed.bitext.source.segments) + len(ed.bitext.target.segments)
    times, cpus, encoded = [], [], []
    rev = 0
    for attempt in range(3):
        n0 = srv.vectors.encoded
        t0, c0 = time.perf_counter(), cpu()
        r = _post(srv, {"doc": 0, "rev": rev, "op": "realign"})
        times.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
        encoded.append(srv.vectors.encoded - n0)
        rev = r["rev"]
        back = [(b.src, b.tgt) for b in ed.beads]
        same = sum(1 for a, b in zip(back, before) if a == b) if len(back) == len(before) else None
        if attempt < 2:
            rev = _post(srv, {"doc": 0, "rev": rev, "op": "undo"})["rev"]
    srv.shutdown()
    srv.server_close()
    print(f"\n== re-align from one fixed bead in the middle (bead {mid + 1} of {len(ed.beads):,}), "
          f"through the server ==")
    print(f"  re-align: {times[0]:.2f} s the first time (CPU {cpus[0]:.2f} s; {encoded[0]} sentences encoded), "
          f"{min(times[1:]):.2f} s again (CPU {min(cpus[1:]):.2f} s; {max(encoded[1:])} encoded: vectors kept)"
          f"   [goal < 1 s]")
    print(f"  {r['message']}; "
          + (f"{same:,} of {len(before):,} beads as the aligner had them before the error"
             if same is not None else f"{len(back):,} beads (the aligner had {len(before):,})"))
    print(f"  sentences encoded by the server in all: {srv.vectors.encoded} of {sentences:,} "
          f"({WARM_UP_SENTENCES} of each side by the warm-up)")
    if full_secs is not None:
        print(f"  aligning the whole text again instead: {full_secs:.1f} s (ratio {full_secs / times[0]:.0f}x "
              f"to the first re-alignment)")
    print(f"  (the server's warm-up, dictionaries and encoder, in the background from its start: "
          f"{warm:.1f} s, CPU {warm_cpu:.1f} s, not counted)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                    help="the development data directory (default: ../shared/data from the repository)")
    ap.add_argument("--bitext", type=Path, help="a bitext to use instead of aligning bible-dev/001")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    print(f"aligner review speed; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          f"(shared: timings vary)\n")
    with tempfile.TemporaryDirectory() as tmp:
        full = None
        if args.bitext:
            path = args.bitext
        else:
            if not (args.data / "bible-dev").is_dir():
                raise SystemExit(f"no bible-dev/ in {args.data}: give --data DIR or --bitext FILE")
            path, full = bible_bitext(args.data, Path(tmp) / "bible.jsonl")
            print(f"bitext: aligner align {rel(args.data / 'bible-dev/001.en')} "
                  f"{rel(args.data / 'bible-dev/001.zh')} --presplit  ({full:.1f} s)\n")
        bench_page(path, args.chromium)
        bench_realign(path, full)


if __name__ == "__main__":
    main()
