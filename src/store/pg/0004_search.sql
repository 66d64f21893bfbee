-- 0004_search: the full-text index of usable articles on PostgreSQL (see
-- src/store/pg_search.c; SQLite's is 0003, 0005 and 0018).
--
-- The terms are meldung's own: the analyzer (src/text/analyze.h) makes
-- the tokens in C, as it does for SQLite's FTS5 table, and they are
-- stored as a tsvector written token by token ('term':position), never
-- through to_tsvector() or PostgreSQL's german configuration, which stems
-- and splits differently. So both backends find the same articles.
--
-- search_doc holds one row per usable article (pubstatus = 0, embargoed
-- ones too: the search filters by visible_from). Its tsvector numbers the
-- positions as FTS5 does, one per word (a word's compound parts and raw
-- form share its position), headline from 1, then the kicker and the
-- text, each after a gap of one position so that no phrase runs from one
-- column into the next. hlen, klen and tlen are the columns' lengths in
-- positions, FTS5's docsize: bm25 needs them, and a position tells its
-- column by them. PostgreSQL keeps positions up to 16383 and 256 of them
-- per term: past that an article's later words are still found, but
-- phrases, scores and snippets there see fewer positions than SQLite.
CREATE TABLE search_doc (
    id    BIGINT PRIMARY KEY,  -- article.id
    terms TSVECTOR NOT NULL,
    hlen  BIGINT NOT NULL,
    klen  BIGINT NOT NULL,
    tlen  BIGINT NOT NULL
);
CREATE INDEX search_doc_terms ON search_doc USING gin (terms);

-- The articles of ids [lo, hi) whose terms match q: a window of a search
-- (sqlite_search.c's collect). Bitmap scans only, the GIN index's
-- matches ANDed with the window's ids: left to choose, the planner walks
-- the window by primary key and tests every row's tsvector (detoasting
-- each: a rare word cost 75 ms at 10,000 articles, 1 ms so), and it cannot
-- be told so inside one statement. ROWS: a window holds few of the
-- index's rows, joined to search_doc and article by key.
CREATE FUNCTION search_match(q tsquery, lo BIGINT, hi BIGINT) RETURNS SETOF BIGINT
LANGUAGE sql STABLE ROWS 10
SET enable_indexscan = off SET enable_seqscan = off
AS 'SELECT id FROM search_doc WHERE terms @@ q AND id >= lo AND id < hi';

-- Every term of the index with the number of articles that hold it, as
-- on SQLite (0018): prefixes expand from it, idf reads it, "did you
-- mean" looks words up in it. COLLATE "C": a prefix is a byte range.
CREATE TABLE search_vocab (
    term TEXT COLLATE "C" PRIMARY KEY,
    docs BIGINT NOT NULL
);

-- The index's size for bm25: articles and positions (FTS5's averages
-- record). One row, kept by the flush.
CREATE TABLE search_total (
    one    BIGINT PRIMARY KEY CHECK (one = 1),
    docs   BIGINT NOT NULL,
    tokens BIGINT NOT NULL
);
INSERT INTO search_total (one, docs, tokens) VALUES (1, 0, 0);

-- The articles whose entry in the index may be stale: the triggers below
-- note their ids, and the commit (sq_txn_commit, sq_search_flush) takes
-- each one's entry out and indexes the article again if it is usable.
-- The server runs no meldung code: the text is analysed by the client
-- that commits. A savepoint rolled back takes its ids with it; ids noted
-- outside a transaction wait for the next commit.
CREATE TABLE search_queue (
    id BIGINT PRIMARY KEY
);

-- As SQLite's triggers (0005): an insert or delete of a usable article,
-- an update of the indexed text or the status of one that is or was.
CREATE FUNCTION search_queue_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.pubstatus = 0 THEN
            INSERT INTO search_queue (id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.pubstatus = 0 THEN
            INSERT INTO search_queue (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        END IF;
    ELSIF (OLD.pubstatus = 0 OR NEW.pubstatus = 0)
          AND (OLD.pubstatus IS DISTINCT FROM NEW.pubstatus
               OR OLD.headline IS DISTINCT FROM NEW.headline
               OR OLD.kicker IS DISTINCT FROM NEW.kicker
               OR OLD.body_text IS DISTINCT FROM NEW.body_text) THEN
        INSERT INTO search_queue (id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
        INSERT INTO search_queue (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

-- The triggers have SQLite's names (0005); article comes from 0002. The
-- guard is for builds without 0002 (this migration's branch before the
-- store's schema met it), whose databases open no store anyway; with
-- 0002 the table is always there by now.
DO $$
BEGIN
    IF to_regclass('article') IS NOT NULL THEN
        CREATE TRIGGER article_fts_insert AFTER INSERT ON article
        FOR EACH ROW EXECUTE FUNCTION search_queue_article();
        CREATE TRIGGER article_fts_delete AFTER DELETE ON article
        FOR EACH ROW EXECUTE FUNCTION search_queue_article();
        CREATE TRIGGER article_fts_update
        AFTER UPDATE OF headline, kicker, body_text, pubstatus ON article
        FOR EACH ROW EXECUTE FUNCTION search_queue_article();
    END IF;
END
$$;
