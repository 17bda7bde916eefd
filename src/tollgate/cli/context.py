"""What every CLI command needs: settings, a migrated database, and friendly errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tollgate.config import get_settings
from tollgate.db import make_engine, session_factory, upgrade
from tollgate.errors import TollgateError
from tollgate.risk.history import History

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def engine() -> Engine:
    e = make_engine(get_settings().database_url)
    upgrade(e)
    return e


def factory() -> sessionmaker[Session]:
    return session_factory(engine())


@contextmanager
def transaction() -> Iterator[Session]:
    with factory()() as session, session.begin():
        yield session


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Domain errors end the command with their message and exit code 2, not a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except TollgateError as exc:
            err_console.print(f"[bold red]error[/] ({exc.code}): {exc.message}")
            for d in exc.details[:20]:
                err_console.print(f"  {d}")
            raise typer.Exit(2) from exc

    return wrapper


def day(value: str) -> date:
    """A YYYY-MM-DD option, or a usage error that says so."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def refreshed_history() -> History:
    """The history store, brought up to date with the database (with progress): every
    command that reads history (back-tests, benchmarks, scoring, surveillance) sees the
    filings lodged up to the moment it starts."""
    store = History(get_settings().history_path)

    def progress(done: int, total: int) -> None:
        console.print(f"history: {done:,} of {total:,} filing versions", end="\r")

    added, dropped = store.refresh(factory(), progress=progress)
    if added or dropped:
        console.print(f"history: {added:,} filing versions added, {dropped:,} superseded")
    return store
