-- 0004_story: story clustering and related news (src/store/sqlite_story.c,
-- docs/internals/stories.md).
--
-- The tables are derived from the articles and can be rebuilt from them:
-- the first open after this migration finds no story signature in meta and
-- fills them from every usable article, in id order (stories already
-- assigned are kept), as it does whenever the analyzer or the signature
-- layout changes. Blobs are little-endian.

-- Why an article joined its story, shown on the story page; NULL for the
-- first article of a story. Before this migration stories were made of
-- identical headlines only, which is what their reason says.
ALTER TABLE article ADD COLUMN story_reason TEXT;
UPDATE article SET story_reason = 'gleiche Überschrift wie #' || story_id
    WHERE story_id != id;

-- Per article whose shown version is usable: what clustering compares.
CREATE TABLE story_sig (
    article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL,  -- article.story_id, kept here: reading it
                                  -- from article walks the text's overflow pages
    published  INTEGER NOT NULL,  -- as posted in story_term
    minhash    BLOB,              -- MLD_SIM_MINHASH x u16; NULL: too little text
    headline   BLOB NOT NULL,     -- the headline's stems: u32 term ids, sorted
    terms      BLOB NOT NULL,     -- tf-idf unit vector: (u32 term, f32 weight), by term
    topics     BLOB NOT NULL      -- topic unit vector, same layout (term: id of the slug)
);

-- The inverted index of each usable article's MLD_STORY_TOP_TERMS most
-- significant terms: candidates are the newest articles of a term.
CREATE TABLE story_term (
    term       INTEGER NOT NULL,  -- u32 term id
    published  INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    weight     INTEGER NOT NULL,  -- the term's weight in the unit vector, x 10000
    PRIMARY KEY (term, published, article_id)
) WITHOUT ROWID;

-- Document frequencies: of terms (key = term id), of topics (key = 2^32 +
-- id of the slug) and the number of documents (key -1). Counted when an
-- article is first stored; later versions and withdrawals leave them.
CREATE TABLE story_df (
    term INTEGER PRIMARY KEY,
    df   INTEGER NOT NULL
);

-- "Weitere Meldungen", precomputed: at most MLD_RELATED_MAX entries per
-- article, one per story, never the article's own story. score is
-- ln(relevance) + published / RECENCY_SECS (sqlite_story.c) of the
-- related article: comparable across time, higher is better.
CREATE TABLE story_related (
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    related_id INTEGER NOT NULL,
    story_id   INTEGER NOT NULL,  -- of related_id
    score      REAL NOT NULL,
    PRIMARY KEY (article_id, related_id)
) WITHOUT ROWID;
