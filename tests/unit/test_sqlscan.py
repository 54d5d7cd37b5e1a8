"""The lexer that inspects migration files (statement count, transaction control, lines)."""

from __future__ import annotations


def test_sqlscan_counts_statements() -> None:
    from mediabase.db.sqlscan import statements

    text = """
    -- a comment; with a semicolon
    CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
    DO $x$ BEGIN PERFORM 1; COMMIT; END $x$;
    SELECT 'it''s; fine', E'back\\'slash;', "odd;name" FROM t; /* nested /* ; */ ; */
    CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
    BEGIN;
    """
    found = statements(text)
    assert [s.words[0] for s in found] == ["CREATE", "DO", "SELECT", "CREATE", "BEGIN"]
    assert [s.is_transaction_control for s in found] == [False, False, False, False, True]
    assert found[4].line == 7
    assert statements("-- only a comment\n\n") == []
    assert statements("START TRANSACTION")[0].is_transaction_control
    assert not statements("START_ME")[0].is_transaction_control


def test_sqlscan_gives_each_statements_text() -> None:
    """What the migrator sends one at a time to a Citus coordinator: the pieces are the file."""
    from mediabase.db.sqlscan import statements

    text = "-- head\nCREATE TABLE t (a int); DO $$ BEGIN PERFORM 1; END $$;\n/* ; */ SELECT 'x;y' FROM t\n"
    found = statements(text)
    pieces = [text[s.start:s.end] for s in found]
    assert "".join(pieces) == text
    assert [p.strip() for p in pieces] == [
        "-- head\nCREATE TABLE t (a int);", "DO $$ BEGIN PERFORM 1; END $$;", "/* ; */ SELECT 'x;y' FROM t"]
