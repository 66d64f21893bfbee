-- 0018_search_vocab: the search index's own vocabulary (see "The
-- vocabulary" in docs/internals/search.md).
--
-- Every term of article_fts with the number of articles that hold it,
-- kept in step with the index in the same transaction (the index queue's
-- flush counts each article's distinct tokens as FTS5 indexes them,
-- sqlite_search.c). Searches read it instead of walking doclists: a
-- prefix ("Verhandl*", the raw form "^verhandl") expands to its most
-- frequent completions, and bm25's idf of a word is its row here.
--
-- Created empty: the first open finds no "search.vocab" in meta and
-- fills it from the index (fts5vocab), as after every rebuild.
CREATE TABLE search_vocab (
    term TEXT PRIMARY KEY,
    docs INTEGER NOT NULL
) WITHOUT ROWID;
