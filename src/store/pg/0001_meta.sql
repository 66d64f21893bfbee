-- 0001_meta: the PostgreSQL store's own bookkeeping.
--
-- The schema version lives in meta ('schema', N), written by pg_migrate()
-- in the transaction that applies migration N (PostgreSQL has no
-- user_version). Times are seconds since the epoch, UTC, as in the SQLite
-- store, so both backends hand the same numbers to the same code.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- What changed, as change keys (src/store/changekey.h); read by every
-- serving node, announced to them by NOTIFY meldung_change.
CREATE TABLE change (
    seq BIGSERIAL PRIMARY KEY,
    at  BIGINT NOT NULL,
    key TEXT NOT NULL
);

-- One row per configured source (poll, drop folder, push): struct
-- mld_source_state (src/ingest/ingest.h).
CREATE TABLE source (
    name          TEXT PRIMARY KEY,
    url           TEXT,
    etag          TEXT,
    last_modified TEXT,
    last_attempt  BIGINT NOT NULL DEFAULT 0,
    last_success  BIGINT NOT NULL DEFAULT 0,
    last_error_at BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    next_attempt  BIGINT NOT NULL DEFAULT 0,
    items         BIGINT NOT NULL DEFAULT 0,
    newest_item   BIGINT NOT NULL DEFAULT 0,
    new_items     BIGINT NOT NULL DEFAULT 0,
    updated_items BIGINT NOT NULL DEFAULT 0,
    duplicates    BIGINT NOT NULL DEFAULT 0,
    failed        BIGINT NOT NULL DEFAULT 0
);
