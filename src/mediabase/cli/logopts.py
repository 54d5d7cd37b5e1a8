"""The log options the long-running commands share (``mediabase worker``, ``up``, ``serve``):
``--log-format text|json`` and ``-v``/``--verbose``, over MEDIABASE_LOG_FORMAT and
MEDIABASE_LOG_LEVEL (docs/operations.md, "Logs and request ids")."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from mediabase.cli.common import settings
from mediabase.logs import configure_logging, levels


class LogFormatChoice(StrEnum):
    text = "text"
    json = "json"


LogFormatOpt = Annotated[
    LogFormatChoice | None,
    typer.Option(
        "--log-format",
        help="text: one readable line per event (the default); json: one JSON object per line, for machines."
        " Default: MEDIABASE_LOG_FORMAT, else text.",
        case_sensitive=False,
    ),
]
VerboseOpt = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        help="More log: -v adds mediabase's DEBUG lines and the libraries' INFO (uvicorn, psycopg …),"
        " -vv everything.",
    ),
]


def setup_logging(log_format: LogFormatChoice | None, verbose: int) -> int:
    """Configure the process's log from the options and the settings; returns the libraries'
    level (what uvicorn is told)."""
    s = settings()
    fmt = log_format.value if log_format is not None else s.log_format
    configure_logging(fmt, s.log_level, verbose=verbose,
                      hash_key=s.log_hash_key.get_secret_value() if s.log_hash_key else None)
    return levels(s.log_level, verbose)[1]
