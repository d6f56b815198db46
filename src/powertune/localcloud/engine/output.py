"""An environment's stdout+stderr pipe, read without blocking, cut into lines.

One thread waits for data; the engine also drains the pipe itself right after each response.
awslambdaric writes unbuffered, so every line the handler wrote before answering is already
in the pipe when the answer reaches us: draining then catches all of it, in order.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from typing import IO


class OutputPipe:
    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._partial = b""
        self._eof = False
        os.set_blocking(stream.fileno(), False)
        threading.Thread(target=self._follow, daemon=True, name=f"{name}-out").start()

    def drain(self) -> None:
        """Read everything the pipe holds right now."""
        with self._lock:
            self._read_available()

    def take_lines(self) -> list[str]:
        """Every line read since the last call, a trailing partial line included."""
        with self._lock:
            lines, self._lines = self._lines, []
            if self._partial:
                lines.append(self._partial.decode("utf-8", "replace"))
                self._partial = b""
        return lines

    def close(self) -> None:
        self.drain()
        with self._lock:
            self._stream.close()

    def _follow(self) -> None:
        while True:
            with contextlib.suppress(ValueError, OSError):
                select.select([self._stream], [], [], 0.5)
            with self._lock:
                if self._read_available():
                    return

    def _read_available(self) -> bool:
        """Read what the pipe holds; True at end of file or once closed. Hold `_lock`."""
        if self._eof or self._stream.closed:
            return True
        while True:
            try:
                chunk = os.read(self._stream.fileno(), 65536)
            except BlockingIOError:
                return False
            except OSError:
                chunk = b""
            if not chunk:
                self._eof = True
                return True
            *complete, self._partial = (self._partial + chunk).split(b"\n")
            self._lines.extend(line.decode("utf-8", "replace") for line in complete)
