-- 0013_editor_changes: what machines learn of the editors' decisions, and
-- the editors' own section and topics (docs/internals/editors.md).

-- Every change an editor made to what readers see of an article
-- (withdraw, hide, unhide, release, section, topics), in order: the
-- change feed (/api/v1/changes) walks it after the agencies' versions
-- (its cursor carries the last id it reported), and the live stream and
-- webhooks take an article's newest `at` as news.
CREATE TABLE ed_change (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL
);
CREATE INDEX ed_change_article ON ed_change(article_id, at);

-- The section and topics an editor gave an article; NULL keeps the
-- agency's (or the classifier's). Applied to the shown row when set and
-- again after every later agency version (sq_ed_apply_fields), so they
-- win. topics: names separated by newlines, '' for none.
CREATE TABLE ed_field (
    article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    section    TEXT,
    topics     TEXT,
    by         TEXT NOT NULL,
    at         INTEGER NOT NULL
);

-- The editors' story decisions: article_id was put into story_id (a
-- split: its own id; a merge: the other story's) by whom and when. The
-- grouping decides an article's story only when it is first stored, and
-- updates and rebuilds keep article.story_id, so the decision stays;
-- this table records it for the editors' page and any future regrouping.
CREATE TABLE ed_story (
    article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL,
    by         TEXT NOT NULL,
    at         INTEGER NOT NULL
);

-- The home page's pinned stories in order: slot 1 leads, 2..N come first
-- beside it, before the stories the home page picks (0008 kept one).
CREATE TABLE pin_order (
    slot       INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL UNIQUE REFERENCES article(id) ON DELETE CASCADE,
    by         TEXT NOT NULL,
    at         INTEGER NOT NULL
);
INSERT INTO pin_order (slot, article_id, by, at) SELECT slot, article_id, by, at FROM pin;
DROP TABLE pin;
ALTER TABLE pin_order RENAME TO pin;
