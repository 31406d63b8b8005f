"""The local web server of `aligner review`: one page, and a small JSON API over `Editor`s.

    server = ReviewServer([Editor.open("a.en-zh.jsonl")])   # 127.0.0.1, a free port
    print(server.url)                                       # http://127.0.0.1:PORT/?token=...
    server.serve_forever()

Why the standard library (http.server.ThreadingHTTPServer) and not Starlette + uvicorn: the
server has one user on the same machine, one static page and a handful of JSON calls, each
answered in milliseconds under one lock; it needs no async, no websockets, no templating and
no routing beyond a dict. The standard library does that with no dependency to install or keep
up to date, and everything that makes it safe is a few explicit checks in `_Handler` below.

What keeps others out:
- it listens on 127.0.0.1 only, and answers only requests whose Host is 127.0.0.1:PORT or
  localhost:PORT (a DNS-rebinding page cannot reach it under its own name);
- the page needs the random token in its URL, every API call the token in the
  X-Review-Token header: a header, not a cookie, so another site open in the same browser
  cannot make a request that carries it; a request from another origin is refused;
- request bodies are bounded (MAX_BODY), JSON only;
- the client names documents by their number in the list given on the command line, never
  by path: no other file is ever read or written (the .bak next to each bitext aside);
- every text reaches the page as JSON data and is put into the page as text (escaped), and
  the Content-Security-Policy allows no script but the page's own.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from aligner.errors import AlignerError, InputError
from aligner.formats.base import DEFAULT_LOW_SCORE
from aligner.review.edits import EditError, Editor, SaveRefused, SentenceVectors, changed_range
from aligner.review.views import bead_view, summary

#: Largest request body accepted (an edited target text is at most 20,000 characters).
MAX_BODY = 1 << 20
TOKEN_HEADER = "X-Review-Token"


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port given twice fails instead of sharing it

    def __init__(self, editors: list[Editor], *, port: int = 0, token: str | None = None,
                 low_score: float = DEFAULT_LOW_SCORE, log: Callable[[str], None] | None = None):
        if not editors:
            raise InputError("no bitext to review")
        for ed in editors:
            g = ed.glossary
            if g is not None and {ed.bitext.src_lang, ed.bitext.tgt_lang} != {g.src_lang, g.tgt_lang}:
                raise InputError(f"the bitext is {ed.bitext.src_lang}-{ed.bitext.tgt_lang} but the glossary "
                                 f"is {g.src_lang}-{g.tgt_lang}", path=ed.path)
        self.editors = editors
        # one store of sentence vectors for every bitext, for the life of the server
        self.vectors = SentenceVectors()
        for ed in editors:
            ed.vectors = self.vectors
        self.revs = [0] * len(editors)
        self.token = token or secrets.token_urlsafe(24)
        self.low_score = low_score
        self.lock = threading.Lock()
        self.log = log or (lambda msg: None)
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as e:
            raise InputError(f"cannot listen on 127.0.0.1:{port}: {e.strerror or e}",
                             hint="Leave out --port to use a free port.") from None
        self.port = self.server_address[1]
        # started with the server, so the page opens at once and the first re-alignment is quick
        self.warming = warm_up(editors, self.vectors)
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    # ------------------------------------------------------------------ the API
    def docs(self) -> list[dict[str, Any]]:
        return [{"name": ed.path.name if ed.path else f"bitext {k + 1}",
                 "src_lang": ed.bitext.src_lang, "tgt_lang": ed.bitext.tgt_lang,
                 "beads": len(ed.beads), "dirty": ed.dirty} for k, ed in enumerate(self.editors)]

    def _status(self, k: int) -> dict[str, Any]:
        ed = self.editors[k]
        return {"doc": k, "rev": self.revs[k], "summary": summary(ed, self.low_score),
                "dirty": ed.dirty, "undo": ed.can_undo, "redo": ed.can_redo,
                "glossary": ed.glossary is not None}

    def api_open(self, req: dict[str, Any]) -> dict[str, Any]:
        """The document's state and its beads (only the first `first` when given: the page
        shows those at once and asks for the rest with api_beads)."""
        k = self._doc(req)
        ed = self.editors[k]
        first = req.get("first")
        end = len(ed.beads) if first is None else self._int(first, "first")
        return {**self._status(k), "docs": self.docs(), "total": len(ed.beads),
                "beads": [bead_view(ed, b, self.low_score) for b in ed.beads[:end]]}

    def api_beads(self, req: dict[str, Any]) -> dict[str, Any]:
        """Beads start..end (for a page loading a long bitext in parts)."""
        k = self._doc(req)
        self._check_rev(k, req)
        ed = self.editors[k]
        start, end = self._int(req.get("start"), "start"), self._int(req.get("end"), "end")
        return {"rev": self.revs[k], "start": start,
                "beads": [bead_view(ed, b, self.low_score) for b in ed.beads[start:end]]}

    @staticmethod
    def _int(v: Any, name: str) -> int:
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise EditError(f"{name} must be a non-negative integer")
        return v

    def api_edit(self, req: dict[str, Any]) -> dict[str, Any]:
        k = self._doc(req)
        self._check_rev(k, req)
        ed = self.editors[k]
        op, args = req.get("op"), req.get("args") or {}
        if not isinstance(args, dict):
            raise EditError("args must be an object")
        before = list(ed.beads)
        before_tgt = ed.bitext.target.text
        message = ""
        if op == "merge":
            ed.merge(args.get("i"), args.get("direction", "next"))
        elif op == "split":
            ed.split(args.get("i"), args.get("src_at"), args.get("tgt_at"))
        elif op == "move":
            ed.move(args.get("i"), args.get("side"), args.get("to"))
        elif op == "review":
            ed.set_review(args.get("i"), args.get("status"))
        elif op == "edit":
            ed.edit_target(args.get("i"), args.get("texts"))
        elif op == "undo":
            message = "undone: " + ed.undo()
        elif op == "redo":
            message = "redone: " + ed.redo()
        elif op == "realign":
            self.warming.join()  # the encoder and dictionaries are loaded once, by the warm-up
            r = ed.realign()
            message = (f"re-aligned {r['stretches']} stretch{'es' if r['stretches'] != 1 else ''} next to "
                       f"the fixes: {r['changed']} bead{'s' if r['changed'] != 1 else ''} changed")
        else:
            raise EditError(f"unknown edit {op!r}")
        start, old_end, new_end = changed_range(before, ed.beads)
        if start == old_end == new_end and ed.bitext.target.text == before_tgt:
            return {**self._status(k), "start": start, "end": start, "beads": [], "changed": [],
                    "message": message or "nothing changed"}
        self.revs[k] += 1
        old_ids = {id(b) for b in before[start:old_end]}
        changed = [i for i in range(start, new_end) if id(ed.beads[i]) not in old_ids]
        return {**self._status(k), "start": start, "end": old_end, "message": message,
                "beads": [bead_view(ed, b, self.low_score) for b in ed.beads[start:new_end]],
                "changed": changed}

    def api_save(self, req: dict[str, Any]) -> dict[str, Any]:
        k = self._doc(req)
        self._check_rev(k, req)
        path = self.editors[k].save()
        self.log(f"saved {path} (the previous version is {path.name}.bak)")
        return {**self._status(k), "message": f"saved {path.name}; the previous version is {path.name}.bak"}

    def _doc(self, req: dict[str, Any]) -> int:
        k = req.get("doc", 0)
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(self.editors):
            raise EditError(f"there is no document {k!r}")
        return k

    def _check_rev(self, k: int, req: dict[str, Any]) -> None:
        if req.get("rev") != self.revs[k]:
            raise SaveRefused("this bitext was changed in another tab or window since this page loaded it",
                              hint="Nothing was changed. Reload the page to see and continue the edits made there.")


_API = {"/api/open": ReviewServer.api_open, "/api/beads": ReviewServer.api_beads,
        "/api/edit": ReviewServer.api_edit,
        "/api/save": ReviewServer.api_save}


def page_html(nonce: str) -> bytes:
    text = resources.files("aligner.review").joinpath("page.html").read_text(encoding="utf-8")
    return text.replace("{{nonce}}", nonce).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "aligner-review"
    sys_version = ""
    timeout = 60  # seconds a connection may stay silent (a stuck client holds no thread for long)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal shows the URL
        pass

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")  # the page URL holds the token
        self.send_header("X-Frame-Options", "DENY")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _allowed(self) -> bool:
        """Loopback, our own Host and (when the browser says) our own Origin."""
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            return False
        if self.headers.get("Host") not in self.server.hosts:
            return False
        origin = self.headers.get("Origin")
        return origin is None or origin in self.server.origins

    def _token_ok(self, token: str) -> bool:
        # bytes: compare_digest refuses str with non-ASCII characters (a hostile header)
        return secrets.compare_digest(token.encode("utf-8", "surrogateescape"), self.server.token.encode())

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        token = (parse_qs(url.query).get("token") or [""])[0]
        if not self._allowed() or not self._token_ok(token):
            self._error(HTTPStatus.FORBIDDEN, "forbidden: open the URL that `aligner review` printed")
            return
        if url.path != "/":
            self._error(HTTPStatus.NOT_FOUND, "not found")
            return
        nonce = secrets.token_urlsafe(16)
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
               "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
        self._send(HTTPStatus.OK, page_html(nonce), "text/html; charset=utf-8", {"Content-Security-Policy": csp})

    do_HEAD = do_GET

    def do_POST(self) -> None:
        token = self.headers.get(TOKEN_HEADER) or ""
        if not self._allowed() or not self._token_ok(token):
            self._error(HTTPStatus.FORBIDDEN, f"forbidden: every request needs the {TOKEN_HEADER} header")
            return
        handler = _API.get(urlsplit(self.path).path)
        if handler is None:
            self._error(HTTPStatus.NOT_FOUND, "not found")
            return
        if self.headers.get("Transfer-Encoding"):
            self._error(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length, not a chunked body")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            return
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"requests are limited to {MAX_BODY:,} bytes")
            return
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON (Content-Type: application/json)")
            return
        try:
            req = json.loads(self.rfile.read(length).decode("utf-8")) if length else {}
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._error(HTTPStatus.BAD_REQUEST, "the request is not valid JSON")
            return
        if not isinstance(req, dict):
            self._error(HTTPStatus.BAD_REQUEST, "the request must be a JSON object")
            return
        try:
            with self.server.lock:
                result = handler(self.server, req)
        except SaveRefused as e:
            self._error(HTTPStatus.CONFLICT, str(e))
        except EditError as e:
            self._error(HTTPStatus.BAD_REQUEST, str(e))
        except AlignerError as e:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, str(e))
        except Exception as e:  # noqa: BLE001 - the page shows it; the server keeps running
            print(f"aligner review: internal error: {e!r}", file=sys.stderr)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {e}")
        else:
            self._json(HTTPStatus.OK, result)


#: Sentences of each side of the first bitext that the warm-up encodes (and keeps): loading
#: the encoder is lazy, and its first calls are several times slower than the later ones.
WARM_UP_SENTENCES = 8


def warm_up(editors: list[Editor], vectors: SentenceVectors | None = None) -> threading.Thread:
    """Load, in the background, what a re-alignment needs: the aligner's dictionaries (by
    aligning two sentences) and the sentence encoder (by encoding the first sentences of the
    bitext the page opens first, kept in `vectors`), so that the first re-alignment pays for
    neither. Errors are left to the re-alignment to report."""
    t0 = time.perf_counter()

    def run() -> None:
        try:
            from aligner.align import align_sentences

            sample = {"en": ["Good morning.", "Thank you."], "zh": ["早上好。", "谢谢。"]}
            for ed in editors:
                s, t = ed.bitext.src_lang, ed.bitext.tgt_lang
                if s in sample and t in sample:
                    align_sentences(sample[s], sample[t], s, t, embedding=False)
                    break
            cache = vectors if vectors is not None else editors[0].vectors
            for doc in (editors[0].bitext.source, editors[0].bitext.target):  # the one the page opens
                texts = [seg.text for seg in doc.segments[:WARM_UP_SENTENCES]]
                if texts:  # what the embedding signal will ask for: pooled features (joined spans)
                    getattr(cache, "pooled", cache)(texts)
        except Exception:  # noqa: BLE001 - only a warm-up: a re-alignment reports what is missing
            pass
        th.seconds = time.perf_counter() - t0  # type: ignore[attr-defined]  # (printed by the bench)
    th = threading.Thread(target=run, name="aligner-review-warm-up", daemon=True)
    th.start()
    return th


def serve(editors: list[Editor], *, port: int = 0, open_browser: bool = True,
          low_score: float = DEFAULT_LOW_SCORE, echo: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C. Prints the URL; opens it in the browser when asked and there is one."""
    server = ReviewServer(editors, port=port, low_score=low_score, log=echo)
    echo(f"Reviewing {len(editors)} bitext{'s' if len(editors) > 1 else ''} at {server.url}")
    echo("Press Ctrl-C to stop (save in the page first).")
    if open_browser:
        import webbrowser

        def browse() -> None:
            if not webbrowser.open(server.url):
                echo("No browser found here: open the URL above in one.")
        threading.Thread(target=browse, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    unsaved = [ed.path.name if ed.path else "bitext" for ed in editors if ed.dirty]
    if unsaved:
        echo(f"Stopped; not saved: {', '.join(unsaved)} (the files are as they were last saved).")
    else:
        echo("Stopped; every bitext is saved.")
