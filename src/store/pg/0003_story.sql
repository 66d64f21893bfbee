-- 0003_story: story clustering and related news on PostgreSQL
-- (src/store/sqlite_story.c, which serves both engines;
-- docs/internals/stories.md).
--
-- The tables of SQLite's final schema (migrations 0004_story and
-- 0015_story_tf) with the same names and columns: integers BIGINT, the
-- blobs (little-endian, as sqlite_story.c writes them) BYTEA, WITHOUT
-- ROWID dropped. They are derived from the articles and rebuilt from them
-- whenever meta 'story_signature' differs from what the binary builds
-- (sq_story_open), so a new database fills them at its first open.
--
-- story_df's counts are also kept in memory by each connection from one
-- transaction to the next; meta 'story_df_version' (written by
-- sqlite_story.c, not here) tells a connection that another node changed
-- them since.

-- Per article whose shown version is usable: what clustering compares.
CREATE TABLE story_sig (
    article_id BIGINT PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    story_id   BIGINT NOT NULL,  -- article.story_id, kept here (the article row is wide)
    published  BIGINT NOT NULL,  -- as posted in story_term
    minhash    BYTEA,            -- MLD_SIM_MINHASH x u16; NULL: too little text
    headline   BYTEA NOT NULL,   -- the headline's stems: u32 term ids, sorted
    terms      BYTEA NOT NULL,   -- tf-idf unit vector: (u32 term, f32 weight), by term
    topics     BYTEA NOT NULL,   -- topic unit vector, same layout, leading topics first
    tf         BYTEA,            -- field-weighted term frequencies, layout of terms
    people     BYTEA             -- the headline's persons: u32 topic ids
);

-- The inverted index of each usable article's MLD_STORY_TOP_TERMS most
-- significant terms: candidates are the newest articles of a term.
CREATE TABLE story_term (
    term       BIGINT NOT NULL,  -- u32 term id
    published  BIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    weight     BIGINT NOT NULL,  -- the term's weight in the unit vector, x 10000
    PRIMARY KEY (term, published, article_id)
);

-- Document frequencies: of terms (key = term id), of topics (key = 2^32 +
-- id of the slug) and the number of documents (key -1).
CREATE TABLE story_df (
    term BIGINT PRIMARY KEY,
    df   BIGINT NOT NULL
);

-- "Weitere Meldungen", precomputed: at most MLD_RELATED_MAX entries per
-- article, one per story, never the article's own story.
CREATE TABLE story_related (
    article_id BIGINT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    related_id BIGINT NOT NULL,
    story_id   BIGINT NOT NULL,  -- of related_id
    score      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (article_id, related_id)
);
