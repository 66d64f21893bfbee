-- 0006_version_body: the body of the version an article shows is stored
-- once, in `article` (SQLite's migration 0021, which says why). The row
-- of the shown version (its newest applied one) keeps body_html NULL,
-- meaning "the article's"; only a copy equal to the article's body byte
-- for byte is cleared, so every version reads as before. The space freed
-- is reused by later writes to the table (VACUUM FULL gives it back).
UPDATE version SET body_html = NULL
WHERE applied = 1 AND body_html IS NOT NULL
  AND id = (SELECT max(w.id) FROM version w
            WHERE w.article_id = version.article_id AND w.applied = 1)
  AND body_html = (SELECT a.body_html FROM article a WHERE a.id = version.article_id);
