-- 0006_article_media_detail: what the wire says beyond text - held items
-- and why, where the date came from, who chose the section, the agency's
-- info boxes, and for each media object its kind, size, credit, alt text
-- and other sizes (src/ingest/article.h).
--
-- pubstatus 3 (held: not for publication) needs no column of its own:
-- every reader query tests pubstatus = 0, so a held article is stored and
-- never shown; hold_reason says why, for the operator.

ALTER TABLE article ADD COLUMN hold_reason TEXT;
ALTER TABLE article ADD COLUMN date_source INTEGER NOT NULL DEFAULT 0;  -- enum mld_date_source
ALTER TABLE article ADD COLUMN section_by INTEGER NOT NULL DEFAULT 0;   -- enum mld_section_by
ALTER TABLE article ADD COLUMN aside_html TEXT;                         -- sanitised <aside> boxes

ALTER TABLE article_media ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;   -- enum mld_media_kind
ALTER TABLE article_media ADD COLUMN width INTEGER NOT NULL DEFAULT 0;  -- of url; 0 = unknown
ALTER TABLE article_media ADD COLUMN height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE article_media ADD COLUMN credit TEXT;
ALTER TABLE article_media ADD COLUMN alt TEXT;
-- The other sizes as a JSON array [{"url": ..., "w": N, "h": N}, ...], or
-- NULL: always read with their media object, never queried on their own.
ALTER TABLE article_media ADD COLUMN renditions TEXT;

-- Media stored before knew only their MIME type: derive the kind from it,
-- as mld_article_add_media() does.
UPDATE article_media SET kind = CASE
    WHEN type LIKE 'image/%' THEN 1
    WHEN type LIKE 'audio/%' THEN 2
    WHEN type LIKE 'video/%' THEN 3
    ELSE 0 END;
