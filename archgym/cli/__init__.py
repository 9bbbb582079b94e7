"""The ``archgym`` command line (typer + rich): the root app, its command groups, and :func:`main`.

One module per command group, each holding a ``typer.Typer`` named ``app``:

======================  ==============================================================
module                  commands
======================  ==============================================================
:mod:`.catalog`         ``archgym envs | agents | describe``
:mod:`.run`             ``archgym run``
:mod:`.reproduce`       ``archgym replay | validate``
:mod:`.data`            ``archgym dataset {collect, info, merge, export}``
:mod:`.proxy`           ``archgym proxy {train, report}``
:mod:`.sweep`           ``archgym sweep {plan, run, report}``
:mod:`.bench`           ``archgym bench {list, optimum, run, report, validate}``
:mod:`.soc`             ``archgym soc convert-farsi``
:mod:`.common`          what they share: consoles, key=value parsing, output checks, the progress bar
:mod:`.env_options`     ``--env``/``--workload``/``--objective``/typed ``--env-arg`` -> an env
======================  ==============================================================

Adding a command group is one line in :data:`GROUPS` below: write
``archgym/cli/<name>.py`` with ``app = typer.Typer(help=...)`` and its
``@app.command(...)`` functions, importing only from :mod:`archgym.cli.common`
(never from this package, so imports go one way), and list ``(module, name)``.
A name of ``None`` adds the module's commands at the top level
(``archgym run``); a name makes a group (``archgym sweep run``).

Errors and exit codes (:func:`main`): a usage error (unknown option or command,
missing or malformed value) and a :class:`~archgym.errors.UserError` print one
line and exit 2; a file that cannot be written prints one line and exits 2 when
the place is unusable (read-only, a file where a folder belongs) and 1 when the
system failed (disk full); Ctrl-C exits 130.
"""

from __future__ import annotations

import errno
import importlib
import logging
import sys
from typing import Any, NoReturn

import typer
from rich.markup import escape

from archgym.cli.common import Interrupted, err_console
from archgym.errors import UserError

#: (module under archgym.cli, group name or None for top-level commands), in ``--help`` order
GROUPS: list[tuple[str, str | None]] = [
    ("catalog", None),
    ("run", None),
    ("reproduce", None),
    ("data", "dataset"),
    ("proxy", "proxy"),
    ("sweep", "sweep"),
    ("bench", "bench"),
    ("soc", "soc"),
]

#: errno values that mean "this place cannot be written" (the user's to fix: exit 2), not "the system failed"
_USER_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT}


def _version(show: bool) -> None:
    if show:
        from archgym import __version__

        typer.echo(f"archgym {__version__}")
        raise typer.Exit()


app = typer.Typer(
    help="archgym: machine-learning-assisted computer-architecture design space exploration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print archgym's version and exit")) -> None:
    """archgym: machine-learning-assisted computer-architecture design space exploration."""


for _module, _name in GROUPS:
    app.add_typer(importlib.import_module(f"archgym.cli.{_module}").app, name=_name)


def _click_exception() -> type[Exception]:
    """click's ClickException as this typer uses it (typer 0.29 vendors click as ``typer._click``)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _usage_line(exc: Any) -> str:
    """One line for a click usage error: the command, what is wrong (naming the option), where help is."""
    ctx = getattr(exc, "ctx", None)
    where = f"{ctx.command_path}: " if ctx is not None else ""
    message = " ".join(exc.format_message().split())
    param = getattr(exc, "param", None)
    if type(exc).__name__ == "MissingParameter" and param is not None:
        opts = [o for o in getattr(param, "opts", None) or [] if o.startswith("-")]
        message = f"missing option {max(opts, key=len)}" if opts else f"missing argument {str(param.name).upper()}"
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"{where}{message}{hint}"


def _fail(message: str, code: int) -> NoReturn:
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; user errors are one line with exit code 2, Ctrl-C exits 130."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        code = app(args=argv, prog_name="archgym", standalone_mode=False)
    except _click_exception() as exc:
        _fail(_usage_line(exc), 2)
    except typer.Abort:
        _fail("interrupted", 130)
    except Interrupted as exc:
        err_console.print(escape(str(exc)), highlight=False, soft_wrap=True)
        sys.exit(130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except (UserError, FileNotFoundError) as exc:
        _fail(str(exc), 2)
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # the reader of a pipe went away (``archgym ... | head``)
            sys.exit(1)
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        _fail(f"{where + ': ' if where else ''}{exc.strerror or exc}", 2 if exc.errno in _USER_ERRNOS else 1)
    except ValueError as exc:  # knob and value checks raised by the core
        _fail(str(exc), 2)
    if isinstance(code, int) and code:
        if code == 130:  # typer turned a Ctrl-C outside a command's own handling into exit code 130
            err_console.print("interrupted", highlight=False)
        sys.exit(code)
