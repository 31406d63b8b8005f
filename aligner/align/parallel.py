"""Work beside the aligner on a second core: a forked child process computes a pure function
of data the parent already holds, while the parent goes on with other work; the result comes
back pickled through a pipe.

    job = Beside(segment_and_look_up, sentences)   # the child starts at once
    ...                                            # the parent does other work meanwhile
    words, stems = job.result()                    # waits for the child

Used for the Chinese side of an alignment (word segmentation and CC-CEDICT look-ups: pure
Python and a Rust segmenter that holds the GIL, so threads would not run them side by side).
The child also keeps the 180,000-entry dictionary and the segmenter's own dictionary out of the
parent's memory. A fork copies the parent's memory only as pages are written, and the child
exits as soon as its result is read.

Where there is no usable fork (Windows, macOS: not fork-safe; one CPU; ALIGNER_SERIAL set in
the environment), or the child fails for any reason, the function runs in the parent when the
result is asked for: the result is the same either way (the child is a fork: the same code,
data and string hashing).

A command can also start a *helper* before it imports the aligner and reads its files
(`with helper("module:function"): ...`): a child forked at once that runs the function
(importing the segmenter, loading CC-CEDICT: 0.4 s) while the parent does its own start-up,
and then computes the first job given to it with `Beside(fn, *args, helper=True)`, with what
it loaded, and exits. The job's function and arguments reach it pickled, through a file
opened before the fork (memfd), so the parent never waits for the helper to read them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from typing import Any, Callable, Iterator

#: False: never fork (tests compare the two paths; ALIGNER_SERIAL=1 does it for a process)
ENABLED = True


def available(fork: bool = True) -> bool:
    """Can work run beside this thread here: at least two CPUs for this process, and, for a
    fork (`fork`), a fork-safe platform and no other thread that could hold a lock the child
    would then find taken (tqdm's monitor of progress bars only sleeps and touches its own
    lock, which the child never uses; threads of this process use no fork)."""
    if not ENABLED or os.environ.get("ALIGNER_SERIAL"):
        return False
    if fork:
        if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
            return False
        import threading

        main = threading.main_thread()
        if any(t is not main and t.name != "tqdm_monitor" for t in threading.enumerate()):
            return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


def _fork() -> tuple[int, bool]:
    """os.fork() (-1 where it fails), and whether a Ctrl-C came while forking: it waits until
    the fork is done, for the caller to raise once its state is kept. (Python runs at-fork
    handlers, logging's, in which a KeyboardInterrupt would only be printed as "Exception
    ignored", and then lost. Blocking the signal would not do: another thread of the process,
    numpy's, say, would take it.)"""
    pending: list[int] = []
    previous = signal.getsignal(signal.SIGINT)  # None: a handler not set from Python, kept
    if previous is not None:
        signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid != 0 and previous is not None:
        signal.signal(signal.SIGINT, previous)
    return pid, bool(pending)


def _send(fd: int, fn: Callable[..., Any], args: tuple) -> None:
    """In a child: compute `fn(*args)` and write it, pickled, to `fd` (closed after)."""
    data = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class Beside:
    """`fn(*args)`, computed in a forked child when `available()`, else on `result()`.
    `helper`: by the helper process (see `helper`) if one waits for a job, else as without;
    True for the helper started without a name, a name for that named helper."""

    def __init__(self, fn: Callable[..., Any], *args: Any, helper: bool | str = False):
        self._fn, self._args = fn, args
        self._pid: int | None = None
        self._fd = -1
        self._done = False
        self._value: Any = None
        self.forked = False
        self.on_helper = False
        if not available():
            return
        if helper and _give_to_helper(self, fn, args, None if helper is True else helper):
            return
        try:
            r, w = os.pipe()
        except OSError:
            return
        pid, ctrl_c = _fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's exit code
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly with the parent
                os.close(r)
                _send(w, fn, args)
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        if pid > 0:
            self._pid, self._fd, self.forked = pid, r, True
        else:
            os.close(r)
        if ctrl_c:
            signal.raise_signal(signal.SIGINT)  # the Ctrl-C, now, as it would have come

    def result(self) -> Any:
        if not self._done:
            self._value = self._collect()
            self._done = True
            self._fn = self._args = None  # type: ignore[assignment]
        return self._value

    def _collect(self) -> Any:
        if self._pid is not None:
            try:
                with os.fdopen(self._fd, "rb") as f:
                    data = f.read()
            finally:
                self._fd = -1
                status = self._reap()
            if status == 0 and data:
                try:
                    return pickle.loads(data)
                except Exception:  # a truncated result: compute it here
                    pass
        # no child, or it failed: compute here (an error then shows as it would have anyway)
        return self._fn(*self._args)

    def _reap(self) -> int | None:
        pid, self._pid = self._pid, None
        if pid is None:
            return None
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """Stop a child whose result is no longer wanted (an error in the parent)."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except OSError:
                pass
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            self._reap()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


# ------------------------------------------------------------------------------ the helper
class _Helper:
    def __init__(self, pid: int, job_file: int, job_w: int, result_r: int):
        self.pid, self.job_file, self.job_w, self.result_r = pid, job_file, job_w, result_r

    def close_fds(self) -> None:
        for fd in (self.job_file, self.job_w, self.result_r):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.job_file = self.job_w = self.result_r = -1


#: the helpers waiting for their job in this process, by name (None: the unnamed one)
_HELPERS: dict[str | None, _Helper] = {}


@contextlib.contextmanager
def helper(warm: str, name: str | None = None) -> Iterator[bool]:
    """Within the block, a helper process, forked now where `available()`: it imports the
    module of `warm` ("module:function") and calls the function at once (its loading),
    then computes the first `Beside(..., helper=True)` job (`helper=name` for a named
    helper: the aligner starts one for the sentence encoder beside the command's Chinese
    one) and exits. A helper that gets no job is stopped when the block ends. Yields
    whether one was started."""
    try:
        yield _start_helper(warm, name)
    finally:
        _stop_helper(name)


def waiting(name: str | None = None) -> bool:
    """Does a helper (the unnamed one, or that named one) wait for its job?"""
    return name in _HELPERS


def _start_helper(warm: str, name: str | None = None) -> bool:
    if waiting(name) or not available():
        return False
    try:
        job_file = (os.memfd_create("aligner-job", os.MFD_CLOEXEC) if hasattr(os, "memfd_create")
                    else _unlinked_file())
    except OSError:
        return False
    try:
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
    except OSError:
        os.close(job_file)
        return False
    pid, ctrl_c = _fork()
    if pid == 0:  # the helper: load, wait for a job (or the parent's end), compute, send
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly with the parent
            os.close(job_w)
            os.close(result_r)
            try:
                import importlib

                module, _, name = warm.partition(":")
                getattr(importlib.import_module(module), name)()
            except Exception:  # the job loads what it needs itself
                pass
            size = int.from_bytes(_read_all(job_r, 8) or b"", "little")
            if size:
                fn, args = pickle.loads(_pread_all(job_file, size))
                _send(result_w, fn, args)
                code = 0
        finally:
            os._exit(code)
    os.close(job_r)
    os.close(result_w)
    if pid > 0:
        _HELPERS[name] = _Helper(pid, job_file, job_w, result_r)
    else:
        for fd in (job_file, job_w, result_r):
            os.close(fd)
    if ctrl_c:
        signal.raise_signal(signal.SIGINT)  # (`helper` then stops the helper)
    return pid > 0


def _give_to_helper(job: Beside, fn: Callable[..., Any], args: tuple, name: str | None = None) -> bool:
    """Hand `fn(*args)` to the waiting helper (unnamed, or `name`): the job written to the
    helper's file, then its size (8 bytes: never blocks) to its pipe. False (and the helper
    stopped) if it cannot be."""
    h = _HELPERS.pop(name, None)
    if h is None:
        return False
    try:
        data = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(h.job_file, view):]
        os.write(h.job_w, len(data).to_bytes(8, "little"))
    except Exception:  # unpicklable, or the helper is gone (a broken pipe)
        _kill(h)
        return False
    os.close(h.job_file)
    os.close(h.job_w)
    job._pid, job._fd, job.forked, job.on_helper = h.pid, h.result_r, True, True
    return True


def _stop_helper(name: str | None = None) -> None:
    h = _HELPERS.pop(name, None)
    if h is not None:
        _kill(h)


def _kill(h: _Helper) -> None:
    try:
        os.kill(h.pid, signal.SIGKILL)
    except OSError:
        pass
    h.close_fds()
    try:
        os.waitpid(h.pid, 0)
    except ChildProcessError:
        pass


def _unlinked_file() -> int:
    import tempfile

    return os.dup(tempfile.TemporaryFile().fileno())


def _read_all(fd: int, size: int) -> bytes:
    out = b""
    while len(out) < size:
        chunk = os.read(fd, size - len(out))
        if not chunk:
            break
        out += chunk
    return out


def _pread_all(fd: int, size: int) -> bytes:
    parts, at = [], 0
    while at < size:
        chunk = os.pread(fd, size - at, at)
        if not chunk:
            break
        parts.append(chunk)
        at += len(chunk)
    return b"".join(parts)
