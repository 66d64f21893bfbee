-- 0005_search_queue: the triggers on article queue their changes of the
-- full-text index instead of writing them (see "The write queue" in
-- src/store/sqlite_search.c).
--
-- SQLite 3.40's FTS5 writes its pending postings out as a new segment at
-- every savepoint, and every statement that writes several rows opens
-- one: written from the triggers, each article became a segment of its
-- own. mld_search_queue(del, id, headline, kicker, body_text), a function
-- every connection registers, keeps the change in memory; the commit
-- writes the queue into the index in one go. The conditions are those of
-- 0003: a 'delete' needs the old values exactly as they were indexed.

DROP TRIGGER article_fts_insert;
DROP TRIGGER article_fts_delete;
DROP TRIGGER article_fts_update;

CREATE TRIGGER article_fts_insert AFTER INSERT ON article
WHEN new.pubstatus = 0 BEGIN
    SELECT mld_search_queue(0, new.id, new.headline, new.kicker, new.body_text);
END;

CREATE TRIGGER article_fts_delete AFTER DELETE ON article
WHEN old.pubstatus = 0 BEGIN
    SELECT mld_search_queue(1, old.id, old.headline, old.kicker, old.body_text);
END;

CREATE TRIGGER article_fts_update
AFTER UPDATE OF headline, kicker, body_text, pubstatus ON article
WHEN old.pubstatus IS NOT new.pubstatus OR old.headline IS NOT new.headline
     OR old.kicker IS NOT new.kicker OR old.body_text IS NOT new.body_text BEGIN
    SELECT mld_search_queue(1, old.id, old.headline, old.kicker, old.body_text)
        WHERE old.pubstatus = 0;
    SELECT mld_search_queue(0, new.id, new.headline, new.kicker, new.body_text)
        WHERE new.pubstatus = 0;
END;
