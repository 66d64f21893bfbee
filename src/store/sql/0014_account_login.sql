-- 0014_account_login: when each account last logged in, for the admins'
-- accounts page (/redaktion/konten, docs/internals/editors.md). Set by a
-- good login (mld_store_account_attempt); NULL: never.
ALTER TABLE account ADD COLUMN last_login INTEGER;

-- The editors' held queue (/redaktion/zurueckgehalten): newest first
-- among the few articles held back (withheld 1, not for publication 3),
-- without walking every article by date (192,000 articles: 1 ms instead
-- of 0.4 s with the store locked).
CREATE INDEX article_held ON article(published, id) WHERE pubstatus IN (1, 3);
