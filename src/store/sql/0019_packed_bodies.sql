-- 0019_packed_bodies: HTML bodies are kept deflated (src/store/sqlite_pack.c),
-- the article's and every version's: the shown version's body stood in
-- `article` and again in `version`, and bodies are a third of a store. A
-- packed body is a BLOB, which readers unpack (sq_col_text); bodies too
-- short for packing to pay stay TEXT. The plain text the search index and
-- the story features read (`body_text`) stays as it is. mld_pack() is
-- registered on every connection before the migrations run.
UPDATE article SET body_html = mld_pack(body_html) WHERE typeof(body_html) = 'text';
UPDATE version SET body_html = mld_pack(body_html) WHERE typeof(body_html) = 'text';
