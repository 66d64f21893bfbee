-- 0007_version_digest: what each stored version says, as a digest, so that
-- a re-delivery that changed nothing stores nothing (src/store/sqlite.c,
-- put; docs/internals/store.md, "Versions").
--
-- digest is mld_article_digest() (src/ingest/article.h) of the version:
-- XXH3-64 over everything a delivery says but its entry_id, as a
-- signed 64-bit integer. put() looks for it among the
-- article's versions (the version_article index finds them; an article
-- has few). Versions stored before this migration have none (NULL): the
-- first unchanged re-delivery of such an article adds one more version,
-- which carries the digest that makes later ones duplicates.

ALTER TABLE version ADD COLUMN digest INTEGER;
