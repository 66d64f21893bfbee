-- 0008_editors: accounts, sessions, the editors' decisions on articles and
-- the audit log (docs/internals/editors.md).
--
-- The editorial state is kept apart from what the agencies sent: the
-- version table is never written by an editor. What an editor decided
-- is applied to the shown row (article.pubstatus) when it is made and
-- again after every later agency version (sqlite.c put), so every query
-- that reads visibility from the article row - lists, search, feeds,
-- sitemaps, the API - obeys it without knowing about it.

-- An editor or an administrator. pw_hash is an Argon2id encoded string
-- ($argon2id$v=19$m=...,t=...,p=...$salt$hash). failures counts failed
-- logins in a row (reset by a good one), last_failure is the newest.
CREATE TABLE account (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         INTEGER NOT NULL,      -- 1 editor, 2 admin
    pw_hash      TEXT NOT NULL,
    created      INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_failure INTEGER NOT NULL DEFAULT 0
);

-- A login. id_hash is the SHA-256 (hex) of the session id the browser
-- holds: a copy of the store does not let anyone in. csrf is the token
-- every form of the session carries.
CREATE TABLE session (
    id_hash    TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_account ON session(account_id);

-- The decision on an article: 1 hidden (answers 404 until unhidden),
-- 2 withdrawn (answers 410 with reason), 3 released (a held or withheld
-- item shown; an agency's withdrawal still withdraws it). No row: the
-- agency decides.
CREATE TABLE editorial (
    article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    state      INTEGER NOT NULL,
    reason     TEXT,
    by         TEXT NOT NULL,
    at         INTEGER NOT NULL
);

-- Correction notes readers see under the article ("Korrekturhinweis").
CREATE TABLE correction (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    note       TEXT NOT NULL,
    by         TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX correction_article ON correction(article_id, at);

-- The lead story an editor pinned on the home page (one at most); shown
-- while the article is visible, else the home page picks its lead itself.
CREATE TABLE pin (
    slot       INTEGER PRIMARY KEY CHECK (slot = 1),
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    by         TEXT NOT NULL,
    at         INTEGER NOT NULL
);

-- Every editorial and account action: who, what, on what, before, after.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    before TEXT,
    after  TEXT
);
