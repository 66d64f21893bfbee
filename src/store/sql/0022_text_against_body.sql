-- 0022_text_against_body: the plain text (`body_text`) packed against the
-- article's HTML body as a zlib dictionary (sq_bind_packed_text in
-- src/store/sqlite_int.h). The text mostly repeats the body without its
-- tags, so it packs to about a sixth of what it takes alone (generated
-- digitalwires articles: 868 -> 132 bytes on average); more rows share a
-- page, and the article table of 100,000 of them, vacuumed, went from 314
-- to 186 MB. A packed text names its dictionary (zlib keeps its
-- Adler-32), so reading it against any other body fails rather than
-- giving a wrong text.
--
-- Unpacking the text now needs the body, so the view FTS5 reads and the
-- triggers that hand it the text pass both (mld_unpack(text, body)). The
-- update trigger also watches body_html: a changed text still changes its
-- packed bytes (zlib ends them with the text's Adler-32), but with the
-- body watched too, whether the index is updated does not rest on a
-- checksum. The texts are repacked with the triggers away: each says what
-- it said, so the index, which has it, stays as it is.
--
-- It runs once: 5 s for 100,000 articles on the development VM. The room
-- freed stays in the file until a VACUUM (docs/operating.md).
DROP TRIGGER article_fts_insert;
DROP TRIGGER article_fts_delete;
DROP TRIGGER article_fts_update;
DROP VIEW article_search_src;

UPDATE article SET body_text = mld_pack(mld_unpack(body_text), body_html)
WHERE body_text IS NOT NULL AND body_html IS NOT NULL;

CREATE VIEW article_search_src AS
    SELECT id, headline, kicker, mld_unpack(body_text, body_html) AS body_text FROM article
    WHERE pubstatus = 0;

CREATE TRIGGER article_fts_insert AFTER INSERT ON article
WHEN new.pubstatus = 0 BEGIN
    SELECT mld_search_queue(0, new.id, new.headline, new.kicker,
                            mld_unpack(new.body_text, new.body_html));
END;

CREATE TRIGGER article_fts_delete AFTER DELETE ON article
WHEN old.pubstatus = 0 BEGIN
    SELECT mld_search_queue(1, old.id, old.headline, old.kicker,
                            mld_unpack(old.body_text, old.body_html));
END;

CREATE TRIGGER article_fts_update
AFTER UPDATE OF headline, kicker, body_html, body_text, pubstatus ON article
WHEN old.pubstatus IS NOT new.pubstatus OR old.headline IS NOT new.headline
     OR old.kicker IS NOT new.kicker OR old.body_html IS NOT new.body_html
     OR old.body_text IS NOT new.body_text BEGIN
    SELECT mld_search_queue(1, old.id, old.headline, old.kicker,
                            mld_unpack(old.body_text, old.body_html))
        WHERE old.pubstatus = 0;
    SELECT mld_search_queue(0, new.id, new.headline, new.kicker,
                            mld_unpack(new.body_text, new.body_html))
        WHERE new.pubstatus = 0;
END;
