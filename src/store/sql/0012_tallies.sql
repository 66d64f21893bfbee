-- 0012_tallies: counts of articles kept at write time, so that no page
-- render, /status or /metrics reads every article (docs/internals/store.md,
-- "Tallies").
--
-- article_tally counts articles by section, status and hold reason (NULL
-- kept as ''): a few hundred rows at most, whatever the store's size.
-- story_tally counts each story's usable members (pubstatus 0) by section,
-- with the newest one's published time, which orders a story's sections
-- in lists (recomputed from the story's rows when a member leaves). Both count
-- embargoed articles as usable: an embargo ends without a write, so readers
-- subtract the embargoes still pending, which the article_visible_from
-- index finds without reading the rest.
--
-- Triggers keep both right on every path that writes article (put, the
-- story grouping, editors' decisions and their re-apply, deletes): each
-- statement and its counts commit or roll back together.

CREATE TABLE article_tally (
    section_slug TEXT NOT NULL,
    section      TEXT NOT NULL,
    pubstatus    INTEGER NOT NULL,
    hold_reason  TEXT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (section_slug, section, pubstatus, hold_reason)
) WITHOUT ROWID;

CREATE TABLE story_tally (
    story_id INTEGER NOT NULL,
    section  TEXT NOT NULL,
    n        INTEGER NOT NULL,
    newest   INTEGER NOT NULL,
    PRIMARY KEY (story_id, section)
) WITHOUT ROWID;

INSERT INTO article_tally
SELECT coalesce(section_slug, ''), coalesce(section, ''), pubstatus, coalesce(hold_reason, ''),
       count(*)
FROM article GROUP BY 1, 2, 3, 4;

INSERT INTO story_tally
SELECT story_id, coalesce(section, ''), count(*), coalesce(max(published), 0) FROM article
WHERE pubstatus = 0 AND story_id IS NOT NULL GROUP BY 1, 2;

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
