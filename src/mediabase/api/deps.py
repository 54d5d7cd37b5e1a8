"""FastAPI dependencies as ``Annotated`` aliases, in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mediabase.db.connection import Database


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DbDep = Annotated[Database, Depends(get_db)]
