"""The review server without a browser: who gets in, what a request may be."""

from __future__ import annotations

import http.client
import json

from aligner.io.bitext_jsonl import write_bitext
from aligner.review.server import MAX_BODY, WARM_UP_SENTENCES
from test_export_support import corpus_bitext, make_bitext


def _request(srv, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def test_requests_without_the_token_are_refused(serve, tmp_path):
    path = tmp_path / "a.jsonl"
    write_bitext(corpus_bitext(), path)
    srv = serve([path])
    good = {"X-Review-Token": srv.token}
    body = json.dumps({"doc": 0})
    assert _request(srv, "POST", "/api/open", body, good)[0] == 200
    assert _request(srv, "POST", "/api/open", body)[0] == 403
    assert _request(srv, "POST", "/api/open", body, {"X-Review-Token": "x" + srv.token})[0] == 403
    assert _request(srv, "POST", "/api/open", body, {"Cookie": f"token={srv.token}"})[0] == 403
    assert _request(srv, "GET", "/")[0] == 403
    assert _request(srv, "GET", "/?token=wrong")[0] == 403
    assert _request(srv, "GET", "/?token=%E4%B8%AD%FF")[0] == 403
    assert _request(srv, "POST", "/api/open", body, {"X-Review-Token": "tök\u00ff"})[0] == 403
    assert _request(srv, "GET", f"/?token={srv.token}")[0] == 200
    # another site's page (or a DNS-rebinding name) is refused even with the token
    assert _request(srv, "POST", "/api/open", body, {**good, "Origin": "http://evil.example"})[0] == 403
    assert _request(srv, "POST", "/api/open", body, {**good, "Host": "evil.example"})[0] == 403
    # bounded, JSON only, documents by number only
    # a body over the limit is refused from its Content-Length, before it is read
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn.putrequest("POST", "/api/open")
    for k, v in {**good, "Content-Type": "application/json", "Content-Length": str(MAX_BODY + 1)}.items():
        conn.putheader(k, v)
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
    assert _request(srv, "POST", "/api/open", body, {**good, "Content-Type": "text/plain"})[0] == 415
    status, data = _request(srv, "POST", "/api/open", json.dumps({"doc": "/etc/passwd"}), good)
    assert status == 400 and b"no document" in data
    status, data = _request(srv, "POST", "/api/save", json.dumps({"doc": 0, "rev": 0, "path": "/tmp/x"}), good)
    assert status == 200 and json.loads(data)["message"].startswith("saved a.jsonl")
    assert srv.server_address[0] == "127.0.0.1"


def test_the_server_loads_the_encoder_at_start_and_keeps_one_store_of_vectors(serve, tmp_path):
    """The warm-up (in the background from the server's start) loads the dictionaries and the
    sentence encoder by encoding the first sentences of the first bitext; every bitext of the
    server re-aligns with the same store of vectors, so a sentence is encoded once per server."""
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_bitext(corpus_bitext(), one)
    write_bitext(make_bitext([("Good.", "好。")]), two)
    srv = serve([one, two])
    assert srv.editors[0].vectors is srv.vectors is srv.editors[1].vectors
    srv.warming.join()
    first = [seg.text for doc in (srv.editors[0].bitext.source, srv.editors[0].bitext.target)
             for seg in doc.segments[:WARM_UP_SENTENCES]]
    assert all(t in srv.vectors for t in first) and srv.vectors.encoded == len(set(first))
    assert "Good." not in srv.vectors


def test_what_differs_from_a_fuzzy_match_word_by_word_or_character_by_character():
    from aligner.review.views import source_diff

    assert source_diff("Hello  world, friends.", "Hello there world friends!", "en") == [
        ["=", "Hello "], ["+", "there "], ["=", "world "], ["-", ", "], ["=", "friends"], ["-", "."], ["+", "!"]]
    assert source_diff("该党公布了新预算。", "该党公布了新政策。", "zh-CN") == [
        ["=", "该党公布了新"], ["-", "预算"], ["+", "政策"], ["=", "。"]]
    assert source_diff("", "New.", "en") == [["+", "New."]] and source_diff("旧", "旧", "zh") == [["=", "旧"]]
