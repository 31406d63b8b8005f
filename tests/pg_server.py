"""A throwaway PostgreSQL server for the translation-memory tests and bench.

`$ALIGNER_TEST_PG` (a postgresql:// URL) names a server to use instead. Otherwise the
Debian `postgresql` binaries start a private server: initdb into a temporary folder (as the
`postgres` user when run as root: PostgreSQL refuses to run as root), listening only on a
Unix socket in that folder and a free localhost port. `start()` returns (url, why_not): a
URL, or None and the reason no server could be started.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self) -> None:
        self.dir: Path | None = None
        self.url: str | None = None
        self._as: list[str] = []

    def start(self) -> tuple[str | None, str | None]:
        if os.environ.get("ALIGNER_TEST_PG"):
            self.url = os.environ["ALIGNER_TEST_PG"]
            return self.url, None
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            return None, "no PostgreSQL server binaries (Debian: apt-get install postgresql postgresql-contrib)"
        self.dir = Path(tempfile.mkdtemp(prefix="aligner-pg-"))
        if os.geteuid() == 0:
            try:
                import pwd

                pw = pwd.getpwnam("postgres")
            except KeyError:
                return None, "running as root and there is no `postgres` user to run the server as"
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        port = _free_port()
        try:
            subprocess.run(self._as + [initdb, "-D", str(data), "-U", "aligner", "--auth=trust",
                                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                           check=True, capture_output=True, timeout=120)
            subprocess.run(self._as + [pg_ctl, "-D", str(data), "-w", "-t", "60", "-l", str(self.dir / "log"),
                                       "-o", f"-k {self.dir} -p {port} -c listen_addresses=127.0.0.1 "
                                             f"-c fsync=off -c max_connections=50", "start"],
                           check=True, capture_output=True, timeout=120)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
            err = getattr(e, "stderr", b"") or b""
            self.stop()
            return None, f"cannot start a PostgreSQL server: {err.decode(errors='replace').strip()[-300:] or e}"
        self.url = f"postgresql://aligner@127.0.0.1:{port}/postgres"
        for _ in range(50):
            try:
                import psycopg

                with psycopg.connect(self.url, connect_timeout=5):
                    break
            except Exception:
                time.sleep(0.2)
        return self.url, None

    def new_database(self, name: str) -> str:
        """A fresh, empty database on the server; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self.dir is None:
            return
        pg_ctl = _bin("pg_ctl")
        if pg_ctl and (self.dir / "data" / "postmaster.pid").exists():
            subprocess.run(self._as + [pg_ctl, "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
