-- 0021_version_body: the body of the version an article shows is stored
-- once, in `article`. Until now every version row had its own copy, so
-- the version table mostly repeated the article bodies (most articles
-- have one version). The row of the shown version (its newest applied
-- one, SQ_VERSION_SHOWN in src/store/sqlite_int.h) keeps its metadata and
-- digest, with body_html NULL meaning "the article's"; put() writes the
-- body back into it when a newer version replaces it in `article`.
-- Versions never shown (applied = 0) and older ones keep theirs.
--
-- Only a copy equal to the article's body byte for byte is cleared, so
-- every version reads as before (docs/internals/store.md, "Versions").
-- The space freed stays in the file, as room in the version table's
-- pages that later versions fill; VACUUM gives it back.
UPDATE version SET body_html = NULL
WHERE applied = 1 AND body_html IS NOT NULL
  AND id = (SELECT max(w.id) FROM version w
            WHERE w.article_id = version.article_id AND w.applied = 1)
  AND body_html = (SELECT a.body_html FROM article a WHERE a.id = version.article_id);
