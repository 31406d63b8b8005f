"""`aligner tm` as a user types it: imports (concurrent, interrupted), search, export, and
hostile memories (not a database, read-only, a server that refuses the connection)."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import pg_server  # noqa: E402
from pg_server import _free_port  # noqa: E402

from aligner.io.bitext_jsonl import read_bitext  # noqa: E402
from aligner.memory import open_memory  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def aligner(*args, env=None, **kw):
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          env=e, cwd=ROOT, **kw)


def popen(*args):
    return subprocess.Popen([sys.executable, "-m", "aligner", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)


def write_tmx(path: Path, n: int, tag: str) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" '
                'creationtool="t" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="t"/><body>\n')
        for i in range(n):
            f.write(f'<tu><tuv xml:lang="en"><seg>Sentence {tag} number {i} of the test.</seg></tuv>'
                    f'<tuv xml:lang="zh-CN"><seg>测试的第{i}句{tag}。</seg></tuv></tu>\n')
        f.write("</body></tmx>\n")
    return path


@pytest.fixture(scope="module")
def pg():
    server = pg_server.Server()
    url, why = server.start()
    if url is None:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def spec(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "memory.sqlite")
    return request.getfixturevalue("pg").new_database(f"tm_cli_{abs(hash(str(tmp_path))) % 10**8}")


def _units(spec) -> int:
    with open_memory(spec, create=False, readonly=True) as tm:
        return tm.stats().units


def test_import_search_stats_export_remove(spec, tmp_path):
    tmx = write_tmx(tmp_path / "a.tmx", 30, "A")
    r = aligner("tm", "import", tmx, "--tm", spec)
    assert r.returncode == 0, r.stderr
    assert "a.tmx: 30 added, 0 already in the memory" in r.stderr
    r = aligner("tm", "import", tmx, "--tm", spec)
    assert "0 added, 30 already in the memory" in r.stderr
    r = aligner("tm", "search", "第12句", "--tm", spec)
    assert r.returncode == 0 and r.stdout.splitlines() == [
        "Sentence A number 12 of the test.\t测试的第12句A。\timported\ta.tmx"]
    r = aligner("tm", "stats", "--tm", spec)
    assert r.returncode == 0 and ": 30 units" in r.stdout and "en->zh-CN 30" in r.stdout
    out = tmp_path / "out.tmx"
    r = aligner("tm", "export", "-o", out, "--tm", spec)
    assert r.returncode == 0 and out.read_text(encoding="utf-8").count("<tu ") == 30
    r = aligner("tm", "remove", "--file", "a.tmx", "--tm", spec)
    assert r.returncode == 0 and "30 units removed" in r.stderr
    assert _units(spec) == 0


def test_path_is_under_the_data_dir(tmp_path):
    r = aligner("tm", "path", env={"XDG_DATA_HOME": str(tmp_path)})
    assert r.stdout.strip() == str(tmp_path / "aligner" / "memory.sqlite")
    r = aligner("tm", "import", write_tmx(tmp_path / "x.tmx", 3, "X"), env={"XDG_DATA_HOME": str(tmp_path)})
    assert r.returncode == 0 and (tmp_path / "aligner" / "memory.sqlite").exists()


def test_help_has_examples():
    for cmd in ("import", "add", "export", "search", "stats", "remove", "path", "create", "index"):
        r = aligner("tm", cmd, "--help")
        assert r.returncode == 0 and "Example" in r.stdout, cmd


def test_concurrent_imports_lose_nothing(spec, tmp_path):
    files = [write_tmx(tmp_path / f"{t}.tmx", 25_000, t) for t in ("P", "Q")]
    aligner("tm", "create", "--tm", spec)
    procs = [popen("tm", "import", f, "--tm", spec, "-q") for f in files]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _units(spec) == 50_000
    with open_memory(spec, readonly=True) as tm:
        assert tm.lookup(["Sentence P number 24999 of the test.", "Sentence Q number 0 of the test."],
                         "en", "zh") and all(tm.lookup(["Sentence Q number 17 of the test."], "en", "zh"))


def _committed(spec) -> int:
    try:
        if spec.startswith("postgresql"):
            import psycopg

            with psycopg.connect(spec) as c:
                row = c.execute("SELECT max(done) FROM imports WHERE finished IS NULL").fetchone()
        else:
            with sqlite3.connect(f"file:{spec}?mode=ro", uri=True) as c:
                row = c.execute("SELECT max(done) FROM imports WHERE finished IS NULL").fetchone()
        return row[0] or 0
    except Exception:
        return 0


def test_killed_import_leaves_the_memory_as_it_was_and_resumes(spec, tmp_path):
    aligner("tm", "import", write_tmx(tmp_path / "first.tmx", 5, "F"), "--tm", spec)
    big = write_tmx(tmp_path / "big.tmx", 60_000, "B")
    proc = popen("tm", "import", big, "--tm", spec, "-q")
    deadline = time.time() + 600
    while _committed(spec) < 10_000 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 10_000 <= _committed(spec) < 60_000
    # As it was: the committed batches are not used, look-ups and stats see the 5 units.
    with open_memory(spec, readonly=True) as tm:
        assert tm.stats().units == 5
        assert tm.lookup_exact(["Sentence B number 3 of the test."], "en", "zh")[0] == []
        # (fuzzy: 7 of 8 tokens, and 6 of 8 = 75)
        assert [m.target for m in tm.lookup(["Sentence B number 3 of the test."], "en", "zh")[0]] == [
            "测试的第3句F。", "测试的第0句F。", "测试的第1句F。"]
    r = aligner("tm", "stats", "--tm", spec)
    assert "interrupted import of" in r.stdout and "big.tmx" in r.stdout
    r = aligner("tm", "import", big, "--tm", spec)
    assert r.returncode == 0, r.stderr
    assert "resumed after unit" in r.stderr and "already in the memory" in r.stderr
    assert _units(spec) == 60_005
    with open_memory(spec, readonly=True) as tm:
        assert tm.lookup(["Sentence B number 3 of the test."], "en", "zh")[0][0].target == "测试的第3句B。"
        assert tm.stats().interrupted == []


def test_not_a_database_one_message_nothing_lost(tmp_path):
    bad = tmp_path / "memory.sqlite"
    bad.write_bytes(os.urandom(4096))
    before = bad.read_bytes()
    for args in (("stats",), ("import", write_tmx(tmp_path / "a.tmx", 2, "A")), ("search", "word")):
        r = aligner("tm", *args, "--tm", bad)
        assert r.returncode == 3, r.stderr
        assert r.stderr.startswith(f"aligner: error: {bad}: not a translation memory: the file is not an SQLite")
        assert "Traceback" not in r.stderr
    assert bad.read_bytes() == before


def test_read_only_memory(tmp_path):
    tmx = write_tmx(tmp_path / "a.tmx", 3, "A")
    shared = Path(tempfile.mkdtemp(prefix="aligner-ro-"))
    try:
        mem = shared / "memory.sqlite"
        assert aligner("tm", "import", tmx, "--tm", mem).returncode == 0
        os.chmod(mem, 0o444)
        for f in (shared, tmx.parent, tmx):
            os.chmod(f, 0o755 if f.is_dir() else 0o644)
        digest = hashlib.sha256(mem.read_bytes()).hexdigest()
        # A file without write bits is read-only for aligner even when root runs it (the
        # permission check alone would let root write).
        user = {}
        ro_tmp = Path(tempfile.mkdtemp(prefix="aligner-ro-in-"))
        os.chmod(ro_tmp, 0o755)
        other = write_tmx(ro_tmp / "b.tmx", 2, "B")
        os.chmod(other, 0o644)
        env = {"HOME": str(ro_tmp), "XDG_DATA_HOME": str(ro_tmp)}
        r = aligner("tm", "import", other, "--tm", mem, env=env, **user)
        assert r.returncode == 5, r.stderr
        assert "the translation memory is read-only" in r.stderr and "Traceback" not in r.stderr
        r = aligner("tm", "search", "Sentence", "--tm", mem, env=env, **user)
        assert r.returncode == 0 and len(r.stdout.splitlines()) == 3, r.stderr
        r = aligner("tm", "stats", "--tm", mem, env=env, **user)
        assert r.returncode == 0 and ": 3 units" in r.stdout
        assert hashlib.sha256(mem.read_bytes()).hexdigest() == digest
    finally:
        import shutil

        shutil.rmtree(shared, ignore_errors=True)


def test_refused_connection(tmp_path):
    url = f"postgresql://aligner@127.0.0.1:{_free_port()}/memory"
    r = aligner("tm", "import", write_tmx(tmp_path / "a.tmx", 2, "A"), "--tm", url)
    assert r.returncode == 3 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"aligner: error: {url}: cannot connect to the translation memory:")
    assert len(r.stderr.strip().splitlines()) == 2  # the message and what to check


def test_mt_bitext_needs_include_mt(tmp_path):
    from aligner.io.bitext_jsonl import write_bitext
    from aligner.model import Bead, Bitext, Document

    bt = Bitext(Document.from_sentences("en", ["Machine made.", "Human made."], path="a.en.txt"),
                Document.from_sentences("zh", ["机器做的。", "人做的。"]),
                [Bead([0], [0], origin="mt"), Bead([1], [1], origin="edited", id=1)])
    path = tmp_path / "a.en-zh.jsonl"
    write_bitext(bt, path)
    mem = tmp_path / "m.sqlite"
    r = aligner("tm", "add", path, "--tm", mem)
    assert r.returncode == 0 and "1 added, 0 already in the memory, 1 skipped" in r.stderr
    r = aligner("tm", "add", path, "--tm", mem, "--origin", "approved-mt")
    assert "1 added, 1 already in the memory" in r.stderr


def test_translate_rerun_after_the_memory_changed_is_not_skipped(argos_dir, tmp_path):
    """The run stamp records the memory's contents: the same memory unchanged skips the file;
    a unit added (or removed) makes the re-run translate it again, with the new unit."""
    spec = str(tmp_path / "memory.sqlite")
    src = tmp_path / "news.en.txt"
    src.write_text("The committee met on Tuesday.\nNothing here is in the memory.\n", encoding="utf-8")
    tsv = tmp_path / "units.tsv"
    tsv.write_text("The committee met on Tuesday.\t委员会周二开会。\n", encoding="utf-8")
    assert aligner("tm", "import", str(tsv), "--from", "en", "--to", "zh-CN", "--tm", spec).returncode == 0
    out = tmp_path / "out"
    args = ("translate", str(src), "--from", "en", "--to", "zh", "-o", str(out), "--presplit", "--tm", spec)
    first = aligner(*args)
    assert first.returncode == 0, first.stderr
    second = aligner(*args)
    assert second.returncode == 0 and "already up to date" in second.stdout + second.stderr
    more = tmp_path / "more.tsv"
    more.write_text("Nothing here is in the memory.\t这里没有什么在记忆里。\n", encoding="utf-8")
    assert aligner("tm", "import", str(more), "--from", "en", "--to", "zh-CN", "--tm", spec).returncode == 0
    third = aligner(*args)
    assert third.returncode == 0, third.stderr
    assert "already up to date" not in third.stdout + third.stderr
    bt = read_bitext(out / "news.en-zh.jsonl")
    assert [(b.origin, bt.tgt_text(b)) for b in bt.beads] == [("tm", "委员会周二开会。"), ("tm", "这里没有什么在记忆里。")]
    assert aligner(*args).returncode == 0 and "already up to date" in aligner(*args).stdout + aligner(*args).stderr
    # Removing units changes the contents too.
    assert aligner("tm", "remove", "--file", "more.tsv", "--tm", spec).returncode == 0
    fourth = aligner(*args)
    assert "already up to date" not in fourth.stdout + fourth.stderr
    assert [b.origin for b in read_bitext(out / "news.en-zh.jsonl").beads] == ["tm", "mt"]


def test_index_builds_the_concordance_that_import_leaves_for_later(spec, tmp_path):
    r = aligner("tm", "import", write_tmx(tmp_path / "a.tmx", 40, "A"), "--tm", spec)
    assert r.returncode == 0, r.stderr
    r = aligner("tm", "stats", "--tm", spec)
    sqlite = not spec.startswith("postgresql")
    assert r.returncode == 0 and ("40 units not yet in it" in r.stdout) == sqlite
    r = aligner("tm", "index", "--tm", spec)
    assert r.returncode == 0 and f"{40 if sqlite else 0} units added to the concordance index" in r.stderr
    r = aligner("tm", "stats", "--tm", spec)
    assert ("concordance index: built" in r.stdout) == sqlite and "not yet" not in r.stdout
    r = aligner("tm", "search", "number 17 of", "--tm", spec)
    assert r.returncode == 0 and r.stdout.splitlines() == ["Sentence A number 17 of the test.\t测试的第17句A。\timported\ta.tmx"]
