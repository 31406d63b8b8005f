"""`aligner review` as a command: prints the URL, serves the page, stops on Ctrl-C."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from aligner.io.bitext_jsonl import write_bitext
from test_export_support import corpus_bitext

REPO = Path(__file__).resolve().parent.parent


def _env():
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_review_serves_until_ctrl_c(tmp_path):
    path = tmp_path / "a.en-zh.jsonl"
    write_bitext(corpus_bitext(), path)
    proc = subprocess.Popen([sys.executable, "-m", "aligner", "review", str(path), "--no-browser"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        line = proc.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", line)
        assert m, line
        port, token = int(m.group(1)), m.group(2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/api/open", body=json.dumps({"doc": 0}),
                     headers={"Content-Type": "application/json", "X-Review-Token": token})
        r = conn.getresponse()
        data = json.loads(r.read())
        assert r.status == 200 and data["summary"]["beads"] == len(corpus_bitext().beads)
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Stopped; every bitext is saved." in err
    assert "Traceback" not in err


def test_review_refuses_bad_input_with_a_message(tmp_path):
    bad = tmp_path / "notes.jsonl"
    bad.write_text("hello\n", encoding="utf-8")
    for args, text in (([str(tmp_path / "missing.jsonl")], "no such file"), ([str(bad)], "not valid JSON"),
                       (["-"], "not stdin")):
        r = subprocess.run([sys.executable, "-m", "aligner", "review", *args, "--no-browser"],
                           capture_output=True, text=True, env=_env(), timeout=60)
        assert r.returncode == 3, r.stderr
        assert text in r.stderr and "Traceback" not in r.stderr
