-- 0001_init: articles, their versions, topics, categories, the change log.
--
-- Times are seconds since the epoch, UTC. An article is visible when
-- pubstatus = 0 (usable) and visible_from <= now (its embargo, or 0).

CREATE TABLE article (
    id              INTEGER PRIMARY KEY,
    urn             TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL,
    version_created INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    entry_id        TEXT,
    format          TEXT,
    pubstatus       INTEGER NOT NULL,    -- 0 usable, 1 withheld, 2 canceled
    embargo         INTEGER NOT NULL,    -- 0 = none
    visible_from    INTEGER NOT NULL,    -- max(embargo, 0)
    urgency         INTEGER NOT NULL,
    signal          TEXT,
    lang            TEXT,
    kicker          TEXT,
    headline        TEXT,
    teaser          TEXT,
    byline          TEXT,
    dateline        TEXT,
    body_html       TEXT,
    body_text       TEXT,
    credit          TEXT,
    section         TEXT,
    section_slug    TEXT,
    slug            TEXT NOT NULL,
    published       INTEGER NOT NULL,    -- first publication, after embargo
    first_stored    INTEGER NOT NULL,    -- when this store first saw the urn
    story_id        INTEGER NOT NULL,    -- id of the story's first article
    story_key       TEXT NOT NULL        -- headline slug: same key, same story
);
CREATE INDEX article_published ON article(published DESC);
CREATE INDEX article_section ON article(section_slug, published DESC);
CREATE INDEX article_story ON article(story_id);
CREATE INDEX article_story_key ON article(story_key, published);
CREATE INDEX article_visible_from ON article(visible_from) WHERE visible_from > 0;

CREATE TABLE article_topic (
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    rank       INTEGER NOT NULL,        -- 0 = most salient
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    PRIMARY KEY (article_id, rank)
) WITHOUT ROWID;
CREATE INDEX article_topic_slug ON article_topic(slug, article_id);

CREATE TABLE article_category (
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    PRIMARY KEY (article_id, code)
) WITHOUT ROWID;

-- Every version received (but duplicates), applied or not: nothing is lost.
CREATE TABLE version (
    id              INTEGER PRIMARY KEY,
    article_id      INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    version_created INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    entry_id        TEXT,
    pubstatus       INTEGER NOT NULL,
    embargo         INTEGER NOT NULL,
    signal          TEXT,
    headline        TEXT,
    teaser          TEXT,
    body_html       TEXT,
    applied         INTEGER NOT NULL,    -- 1 if it became the shown version
    stored_at       INTEGER NOT NULL
);
CREATE INDEX version_article ON version(article_id, version);

-- Delivered entry ids: a second delivery of one is a duplicate.
CREATE TABLE entry_seen (
    entry_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- What changed, as cache keys (see store.h); read by serving processes.
CREATE TABLE change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at  INTEGER NOT NULL,
    key TEXT NOT NULL
);
