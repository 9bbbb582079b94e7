"""Atomic file writes (a reader sees the old file or the new one, never half of one), and JSON input.

:func:`atomic_output` is the one mechanism (temporary file beside the target,
fsync, atomic rename, temporary removed on failure); the helpers below and the
Parquet shard, manifest, model and export writers all go through it;
:func:`naming` puts the file's name on a write error that lacks one (a full disk).
:func:`read_json` reads a user's JSON file with one-line errors.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from archgym.errors import UserError


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success sync it and rename it onto ``path``.

    The temporary file is named ``.<name>.<random>.tmp`` in the same folder (so
    the rename is atomic); if the block raises, it is deleted and ``path`` is
    left as it was. The file gets the permissions of any new file (``0o666``
    less the user's umask), not the temporary file's private ``0o600``. An
    error creating the temporary file names ``path``, and so does a write error
    that names no file (see :func:`naming`).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        with naming(path):
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~umask())
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def naming(path: str | os.PathLike[str]) -> Iterator[None]:
    """Re-raise an ``OSError`` that names no file (a full disk under pyarrow or a buffered write) with ``path``.

    pyarrow's write errors (``Error writing bytes to file. Detail: [errno 28] No
    space left on device``) and ``write``/``flush`` errors carry no file name, so
    the CLI's one line could not say which file failed; the re-raised error has
    the same type and errno, the plain ``os.strerror`` text where the errno is
    known, and ``filename`` set to ``path``.
    """
    try:
        yield
    except OSError as exc:
        if exc.filename is not None:
            raise
        text = os.strerror(exc.errno) if exc.errno else str(exc)
        raise type(exc)(exc.errno, text, os.fspath(path)) from exc


def umask() -> int:
    """The process's file-creation mask, read without changing it where the OS allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: read by setting, then restore at once
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_output`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_json(path: str | os.PathLike[str], what: str) -> Any:
    """The parsed JSON file ``path``; ``what`` names it in errors (``"memspec file"``).

    Raises:
        UserError: the file is missing, not a file, unreadable or not valid JSON (with the line).
    """
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{what} {p} does not exist") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise UserError(f"{what} {p} cannot be read ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{p}:{exc.lineno}: not valid JSON ({exc.msg})") from None
