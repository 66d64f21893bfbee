-- 0002_feeds_sources: what feeds carry beyond wires, and the health of
-- each polled source.

ALTER TABLE article ADD COLUMN link TEXT;     -- the item's page at the source
ALTER TABLE article ADD COLUMN author TEXT;

CREATE TABLE article_media (
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    rank       INTEGER NOT NULL,
    url        TEXT NOT NULL,
    type       TEXT,
    length     INTEGER NOT NULL,
    caption    TEXT,
    PRIMARY KEY (article_id, rank)
) WITHOUT ROWID;

-- One row per configured source (poll, drop folder, push).
CREATE TABLE source (
    name          TEXT PRIMARY KEY,
    url           TEXT,
    etag          TEXT,      -- for conditional GET
    last_modified TEXT,      -- for conditional GET, as the server sent it
    last_attempt  INTEGER NOT NULL DEFAULT 0,
    last_success  INTEGER NOT NULL DEFAULT 0,
    last_error_at INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,   -- in a row, for back-off
    next_attempt  INTEGER NOT NULL DEFAULT 0,
    items         INTEGER NOT NULL DEFAULT 0,   -- articles stored from it, ever
    newest_item   INTEGER NOT NULL DEFAULT 0    -- version_created of the newest, for lag
) WITHOUT ROWID;
