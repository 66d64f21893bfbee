-- 0014_account_login: when each account last logged in, for the admins'
-- accounts page (/redaktion/konten, docs/internals/editors.md). Set by a
-- good login (mld_store_account_attempt); NULL: never.
ALTER TABLE account ADD COLUMN last_login INTEGER;
