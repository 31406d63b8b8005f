"""Write outputs so that an interrupted run never leaves a partial or clobbered file.

Data goes to a temporary file in the same directory and is renamed over the
target only once complete (rename is atomic on POSIX within a file system). On Linux the
temporary file has no name at all until it is complete (O_TMPFILE): a new output is then
linked into place, an existing one replaced through a temporary name that exists only
for the instant of the rename, so even a process killed with SIGKILL leaves no partial
file behind. Elsewhere it is a hidden `.NAME.XXXX.part` file, removed on any error or
Ctrl-C (and by `translate` on its next run after a SIGKILL).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import tempfile
from pathlib import Path
from typing import IO, Iterator

from aligner.errors import OutputError


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _anonymous_file(directory: Path) -> int | None:
    """An unnamed file in `directory` (Linux O_TMPFILE), or None where that is not supported.
    It has no name until it is complete, so a killed process (SIGKILL, power loss) leaves
    nothing behind: the kernel frees it."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY, 0o666 & ~_umask())
    except OSError as e:
        if e.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None  # the file system cannot: fall back to a named temporary file
        raise


def _publish(fd: int, path: Path) -> str | None:
    """Give a complete anonymous file its name. A new output is linked straight to `path`
    (nothing is ever visible but the complete file); an existing one cannot be replaced by
    a link, so the file gets a temporary name, returned, to be renamed over `path`."""
    directory = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY)
    try:
        # linkat(..., AT_SYMLINK_FOLLOW) on /proc/self/fd/N: passing dir fds makes Python
        # call linkat (plain link() would link the /proc symlink itself).
        link = functools.partial(os.link, f"/proc/self/fd/{fd}", src_dir_fd=directory,
                                 dst_dir_fd=directory, follow_symlinks=True)
        try:
            link(path.name)
            return None
        except FileExistsError:
            pass
        while True:
            name = f".{path.name}.{secrets.token_hex(4)}.part"
            try:
                link(name)
                return str(path.parent / name)
            except FileExistsError:
                continue
    finally:
        os.close(directory)


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                newline: str | None = None, like: os.stat_result | None = None) -> Iterator[IO]:
    """`like`: the stat of the file being replaced, whose mode and owner the new file keeps
    (a 0600 glossary stays 0600; a shared one keeps its owner and group)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    tmp: str | None = None
    if path.is_dir():
        raise OutputError("is a directory; give the name of the file to write", path=path,
                          hint="Nothing was written.")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = _anonymous_file(directory)
        if fd is None:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
            # mkstemp makes the file private (0600); give it the mode an ordinary open() would.
            os.chmod(tmp, 0o666 & ~_umask())
    except OSError as e:
        raise OutputError(f"cannot write here: {e.strerror}", path=path,
                          hint="Choose another output directory, or check its permissions and free space.") from e
    try:
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as f:
            yield f
            f.flush()
            if like is not None:
                _copy_mode_and_owner(f.fileno(), like)
            os.fsync(f.fileno())
            published = False
            if tmp is None:
                tmp = _publish(f.fileno(), path)  # named only for the instant before the rename
                published = tmp is None
        if not published:
            os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(e, OSError):
            what = "the disk is full" if e.errno == errno.ENOSPC else (e.strerror or str(e))
            raise OutputError(f"cannot write: {what}", path=path,
                              hint="Nothing was written; earlier outputs are intact.") from e
        raise


def _copy_mode_and_owner(fd: int, like: os.stat_result) -> None:
    with contextlib.suppress(OSError):  # another user's file: chown is not ours to do
        os.fchown(fd, like.st_uid, like.st_gid)
    os.fchmod(fd, like.st_mode & 0o7777)  # after chown, which clears set-id bits


@contextlib.contextmanager
def lock_directory(path: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on an output directory while a run writes into it.

    Two runs writing the same outputs at once would each remove the other's temporary files
    as stale; the second run is refused instead (OutputError, exit code 5). The lock is
    flock() on the directory itself: no lock file is left behind, and the kernel releases it
    when the process ends, even when it is killed. The directory is created if needed (and
    removed again if the run leaves it empty). Without flock (Windows) nothing is locked.
    """
    directory = Path(path)
    created = not directory.exists()
    _require_folder(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY)
    except OSError as e:
        raise OutputError(f"cannot write here: {e.strerror}", path=directory,
                          hint="Choose another output directory, or check its permissions.") from e
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError("another aligner run is writing into this directory", path=directory,
                                  hint="Wait for it to finish and run the command again (complete "
                                       "outputs are skipped), or choose another output directory.") from None
        yield directory
    finally:
        os.close(fd)  # releases the lock
        if created:
            with contextlib.suppress(OSError):
                directory.rmdir()  # only if nothing was written into it


def _require_folder(directory: Path) -> None:
    """An output folder that is a file, or lies below one, is an output problem (exit 5) named
    plainly, whichever part of the path is the file."""
    for p in (directory, *directory.parents):
        if p.exists():
            if not p.is_dir():
                what = "is a file" if p == directory else f"lies inside {p}, which is a file"
                raise OutputError(f"{what}, not a folder", path=directory,
                                  hint="Give an output folder (--out DIR / -o DIR); nothing was written.")
            return


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8",
                      like: os.stat_result | None = None) -> None:
    with atomic_open(path, "w", encoding=encoding, newline="", like=like) as f:
        f.write(text)


def atomic_write_bytes(path: str | Path, data: bytes, like: os.stat_result | None = None) -> None:
    with atomic_open(path, "wb", like=like) as f:
        f.write(data)


def rewrite_target(path: str | Path) -> tuple[Path, os.stat_result | None]:
    """Where rewriting `path` in place must write, and the stat whose mode and owner the new
    file keeps: through a symlink to the file it points to (a shared glossary stays shared,
    never replaced by a private copy). A file without write permission for its owner, or
    one this user cannot write, is refused (OutputError): read-only means "do not change"."""
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target, None
    except OSError as e:
        raise OutputError(f"cannot write: {e.strerror}", path=path) from e
    if not st.st_mode & 0o200 or not os.access(target, os.W_OK):
        where = f" ({target})" if str(target) != os.path.abspath(path) else ""
        raise OutputError(f"the file is read-only{where}; nothing was changed", path=path,
                          hint="Make it writable (chmod u+w) if it is yours to change.")
    return target, st


@contextlib.contextmanager
def locked_for_edit(path: str | Path) -> Iterator[None]:
    """An exclusive lock for a read-modify-write of `path`, so that concurrent edits run one
    after another and all land. It is flock() on the file's directory (waiting for the lock):
    no lock file is left beside the file, even by a killed process (the kernel releases the
    lock when the process ends), and it holds across the rename that replaces the file. Edits
    of other files in the same directory wait too; they are quick. Without fcntl (Windows)
    nothing is locked."""
    directory = Path(path).parent if str(Path(path).parent) else Path(".")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as e:
        raise OutputError(f"cannot lock the file for editing: {e.strerror}", path=path,
                          hint="Check the permissions of its directory.") from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
