-- 0003_search: the full-text index of usable articles (see
-- docs/internals/search.md).
--
-- article_fts is an FTS5 table over article with external content: it
-- keeps only the index, and reads text (for snippets, 'rebuild') from the
-- view article_search_src, which holds the usable articles only. So a
-- withdrawn (canceled) or withheld article is neither indexed nor rebuilt
-- into the index; embargoed ones are, and searches filter them by
-- visible_from. The tokenizer 'meldung' (src/store/sqlite_search.c) is the
-- German analyzer; every connection registers it before using the store.
--
-- The table is created empty: the first open after this migration finds
-- no analyzer signature in meta and fills it with FTS5's 'rebuild', as it
-- does whenever the analyzer's signature changes.

-- Facts about the store as a whole, as key/value.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE VIEW article_search_src AS
    SELECT id, headline, kicker, body_text FROM article WHERE pubstatus = 0;

CREATE VIRTUAL TABLE article_fts USING fts5(
    headline, kicker, body_text,
    content = 'article_search_src', content_rowid = 'id',
    tokenize = 'meldung'
);

-- The triggers keep the index in step with article. External content
-- means FTS5 cannot look up what it indexed: a 'delete' must be handed
-- the old values exactly as they were indexed, which OLD holds.
CREATE TRIGGER article_fts_insert AFTER INSERT ON article
WHEN new.pubstatus = 0 BEGIN
    INSERT INTO article_fts(rowid, headline, kicker, body_text)
        VALUES (new.id, new.headline, new.kicker, new.body_text);
END;

CREATE TRIGGER article_fts_delete AFTER DELETE ON article
WHEN old.pubstatus = 0 BEGIN
    INSERT INTO article_fts(article_fts, rowid, headline, kicker, body_text)
        VALUES ('delete', old.id, old.headline, old.kicker, old.body_text);
END;

-- put() sets every column on an update; only a change of the indexed
-- text or of the status costs re-indexing.
CREATE TRIGGER article_fts_update
AFTER UPDATE OF headline, kicker, body_text, pubstatus ON article
WHEN old.pubstatus IS NOT new.pubstatus OR old.headline IS NOT new.headline
     OR old.kicker IS NOT new.kicker OR old.body_text IS NOT new.body_text BEGIN
    INSERT INTO article_fts(article_fts, rowid, headline, kicker, body_text)
        SELECT 'delete', old.id, old.headline, old.kicker, old.body_text
        WHERE old.pubstatus = 0;
    INSERT INTO article_fts(rowid, headline, kicker, body_text)
        SELECT new.id, new.headline, new.kicker, new.body_text
        WHERE new.pubstatus = 0;
END;
