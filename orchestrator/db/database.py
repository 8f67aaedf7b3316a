"""The orchestrator's durable state: films, their shots, their event logs, and the assets they use.

One `Database` per process; every method is one transaction. It is assembled from one module per
table or concern, each building on the one before:

    engine.py   connections, transactions, SQLite/PostgreSQL settings, migrations, row mapping
    events.py   each film's event log, LISTEN/NOTIFY
    leases.py   claiming, renewing and releasing films (LeaseLost)
    shots.py    planned shots and their render records
    films.py    films: create, read, list, cancel, trash/undelete/purge, state moves, regenerate
    assets.py   which films use which stored assets
    credits.py  balances and the ledger, charged inside the films' own transactions
    accounts.py users who sign in, lockouts, sessions, personal API tokens, the ledger's pages

Nothing here checks API input or knows gRPC: callers hand it checked ids and normalised settings.
"""

from __future__ import annotations

from orchestrator.db.accounts import AccountRows
from orchestrator.db.assets import AssetRows
from orchestrator.db.films import FilmRows


class Database(FilmRows, AssetRows, AccountRows):
    """The orchestrator's persistence. `await migrate()` once at start, `await close()` at the end."""
