-- 0020_article_row: the article row rebuilt, the columns a list entry reads
-- first and the big ones last, and the plain text (`body_text`) packed like
-- the HTML body (0019; src/store/sqlite_pack.c).
--
-- A row of 2-4 KB does not share its page, a longer one keeps most of it in
-- overflow pages, and the columns a list entry reads (section, slug,
-- published, story_id, link, author, ...) came after body_html and
-- body_text in the record: reading such an article's teaser walked its
-- overflow pages. SQLite keeps columns in the order of CREATE TABLE, so the
-- table is made again and filled (ids, and so every reference, kept); its
-- indexes and triggers go with the old table and are made again as they
-- were, except that the full-text index is handed body_text unpacked
-- (mld_unpack(), registered on every connection): the insert and the
-- 'delete' of an article get the same text, the one FTS5 indexed. The
-- external-content view unpacks it too, for snippets and 'rebuild'.
-- migrate() runs with foreign keys off, so dropping the old table deletes
-- no topic, media or version rows (their REFERENCES name `article`, which
-- the new table is then called).
--
-- It runs once: 11 s for 100,000 articles on the development VM
-- (docs/internals/store.md, "The article row").

CREATE TABLE article_new (
    id              INTEGER PRIMARY KEY,
    urn             TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL,
    version_created INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    entry_id        TEXT,
    format          TEXT,
    pubstatus       INTEGER NOT NULL,    -- 0 usable, 1 withheld, 2 canceled, 3 not for publication
    embargo         INTEGER NOT NULL,    -- 0 = none
    visible_from    INTEGER NOT NULL,    -- max(embargo, 0)
    urgency         INTEGER NOT NULL,
    published       INTEGER NOT NULL,    -- first publication, after embargo
    first_stored    INTEGER NOT NULL,    -- when this store first saw the urn
    story_id        INTEGER NOT NULL,    -- id of the story's first article
    date_source     INTEGER NOT NULL DEFAULT 0,
    section_by      INTEGER NOT NULL DEFAULT 0,
    signal          TEXT,
    lang            TEXT,
    section         TEXT,
    section_slug    TEXT,
    slug            TEXT NOT NULL,
    story_key       TEXT NOT NULL,       -- headline slug: same key, same story
    story_reason    TEXT,
    hold_reason     TEXT,
    link            TEXT,
    author          TEXT,
    credit          TEXT,
    byline          TEXT,
    dateline        TEXT,
    kicker          TEXT,
    headline        TEXT,
    teaser          TEXT,
    aside_html      TEXT,
    body_html       TEXT,                -- packed (0019)
    body_text       TEXT                 -- packed (this migration)
);

INSERT INTO article_new (id, urn, version, version_created, updated, entry_id, format,
    pubstatus, embargo, visible_from, urgency, published, first_stored, story_id,
    date_source, section_by, signal, lang, section, section_slug, slug, story_key,
    story_reason, hold_reason, link, author, credit, byline, dateline, kicker, headline,
    teaser, aside_html, body_html, body_text)
SELECT id, urn, version, version_created, updated, entry_id, format,
    pubstatus, embargo, visible_from, urgency, published, first_stored, story_id,
    date_source, section_by, signal, lang, section, section_slug, slug, story_key,
    story_reason, hold_reason, link, author, credit, byline, dateline, kicker, headline,
    teaser, aside_html, body_html, mld_pack(body_text)
FROM article ORDER BY id;

-- The view and article_topic's trigger read `article`: renaming a table
-- checks every view and trigger, so they go first and come back below.
DROP VIEW article_search_src;
DROP TRIGGER article_topic_published;
DROP TABLE article;
ALTER TABLE article_new RENAME TO article;

CREATE VIEW article_search_src AS
    SELECT id, headline, kicker, mld_unpack(body_text) AS body_text FROM article
    WHERE pubstatus = 0;

CREATE INDEX article_published ON article(published DESC);
CREATE INDEX article_section ON article(section_slug, published DESC);
CREATE INDEX article_story ON article(story_id);
CREATE INDEX article_story_key ON article(story_key, published);
CREATE INDEX article_visible_from ON article(visible_from) WHERE visible_from > 0;
CREATE INDEX article_held ON article(published, id) WHERE pubstatus IN (1, 3);

CREATE TRIGGER article_fts_insert AFTER INSERT ON article
WHEN new.pubstatus = 0 BEGIN
    SELECT mld_search_queue(0, new.id, new.headline, new.kicker, mld_unpack(new.body_text));
END;

CREATE TRIGGER article_fts_delete AFTER DELETE ON article
WHEN old.pubstatus = 0 BEGIN
    SELECT mld_search_queue(1, old.id, old.headline, old.kicker, mld_unpack(old.body_text));
END;

-- A text packs to the same bytes each time (one zlib, one level), so
-- comparing the packed values says whether the text changed.
CREATE TRIGGER article_fts_update
AFTER UPDATE OF headline, kicker, body_text, pubstatus ON article
WHEN old.pubstatus IS NOT new.pubstatus OR old.headline IS NOT new.headline
     OR old.kicker IS NOT new.kicker OR old.body_text IS NOT new.body_text BEGIN
    SELECT mld_search_queue(1, old.id, old.headline, old.kicker, mld_unpack(old.body_text))
        WHERE old.pubstatus = 0;
    SELECT mld_search_queue(0, new.id, new.headline, new.kicker, mld_unpack(new.body_text))
        WHERE new.pubstatus = 0;
END;

-- The tallies (0012) and the topics' dates (0017), as they were.
CREATE TRIGGER article_tally_insert AFTER INSERT ON article BEGIN
    INSERT INTO article_tally
    SELECT coalesce(new.section_slug, ''), coalesce(new.section, ''), new.pubstatus,
           coalesce(new.hold_reason, ''), 1 WHERE true
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO story_tally
    SELECT new.story_id, coalesce(new.section, ''), 1, coalesce(new.published, 0)
    WHERE new.pubstatus = 0 AND new.story_id IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1, newest = max(newest, excluded.newest);
END;

CREATE TRIGGER article_tally_delete AFTER DELETE ON article BEGIN
    UPDATE article_tally SET n = n - 1
    WHERE section_slug = coalesce(old.section_slug, '') AND section = coalesce(old.section, '')
      AND pubstatus = old.pubstatus AND hold_reason = coalesce(old.hold_reason, '');
    UPDATE story_tally SET n = n - 1, newest = coalesce((SELECT max(published) FROM article
        WHERE story_id = old.story_id AND coalesce(section, '') = coalesce(old.section, '')
          AND pubstatus = 0), 0)
    WHERE old.pubstatus = 0 AND story_id = old.story_id AND section = coalesce(old.section, '');
    DELETE FROM story_tally WHERE story_id = old.story_id AND n <= 0;
END;

CREATE TRIGGER article_tally_update
AFTER UPDATE OF section_slug, section, pubstatus, hold_reason, story_id, published ON article
WHEN old.section_slug IS NOT new.section_slug OR old.section IS NOT new.section
  OR old.pubstatus IS NOT new.pubstatus OR old.hold_reason IS NOT new.hold_reason
  OR old.story_id IS NOT new.story_id OR old.published IS NOT new.published
BEGIN
    UPDATE article_tally SET n = n - 1
    WHERE section_slug = coalesce(old.section_slug, '') AND section = coalesce(old.section, '')
      AND pubstatus = old.pubstatus AND hold_reason = coalesce(old.hold_reason, '');
    INSERT INTO article_tally
    SELECT coalesce(new.section_slug, ''), coalesce(new.section, ''), new.pubstatus,
           coalesce(new.hold_reason, ''), 1 WHERE true
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE story_tally SET n = n - 1, newest = coalesce((SELECT max(published) FROM article
        WHERE story_id = old.story_id AND coalesce(section, '') = coalesce(old.section, '')
          AND pubstatus = 0), 0)
    WHERE old.pubstatus = 0 AND story_id = old.story_id AND section = coalesce(old.section, '');
    DELETE FROM story_tally WHERE story_id = old.story_id AND n <= 0;
    INSERT INTO story_tally
    SELECT new.story_id, coalesce(new.section, ''), 1, coalesce(new.published, 0)
    WHERE new.pubstatus = 0 AND new.story_id IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1, newest = max(newest, excluded.newest);
END;

CREATE TRIGGER article_published_topics AFTER UPDATE OF published ON article
WHEN OLD.published IS NOT NEW.published
BEGIN
    UPDATE article_topic SET published = NEW.published WHERE article_id = NEW.id;
END;

CREATE TRIGGER article_topic_published AFTER INSERT ON article_topic
BEGIN
    UPDATE article_topic SET published = (SELECT a.published FROM article a
                                          WHERE a.id = NEW.article_id)
    WHERE article_id = NEW.article_id AND rank = NEW.rank;
END;
