-- 0006_section_by: who decided an article's section (enum mld_section_by:
-- 0 none, 1 operator, 2 source, 3 agency, 4 classifier). TEMPORARY, on
-- the "sections" branch only, so that mld_store_each_labelled() can be
-- tested: the "site" branch's migration 0006 adds this column for real
-- and writes it on put; drop this file when that one merges.
ALTER TABLE article ADD COLUMN section_by INTEGER NOT NULL DEFAULT 0;
