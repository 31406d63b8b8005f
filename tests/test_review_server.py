"""The review server without a browser: who gets in, what a request may be."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from aligner.io.bitext_jsonl import write_bitext
from aligner.review import open_editors
from aligner.review.server import MAX_BODY, ReviewServer
from test_export_support import corpus_bitext


@pytest.fixture
def serve():
    servers = []

    def start(paths, **kw):
        srv = ReviewServer(open_editors(paths, **kw))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


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
