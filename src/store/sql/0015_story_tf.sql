-- 0015_story_tf: store-independent features per story signature
-- (src/store/sqlite_story.c, src/enrich/story.h, docs/internals/stories.md).
--
-- Whether a new article joins a story must not depend on what else the
-- store holds. The tf-idf vector of `terms` weighs each term by document
-- frequencies that change with every article, so a pair near the
-- threshold was decided one way in one store and the other way in
-- another. `tf` holds the article's field-weighted term frequencies alone
-- (1 + ln tf, the MLD_SIM_VECTOR_TERMS most frequent, unit length, the
-- layout of `terms`; empty for a table, mld_sim_tabular), which the join
-- rules compare; `terms` stays for candidates and related lists. NULL
-- until the derived tables are rebuilt, which the first open after this
-- migration does (the layout version in meta story_signature changed).
ALTER TABLE story_sig ADD COLUMN tf BLOB;
-- The persons of the gazetteer the headline names (u32 topic ids, as in
-- `topics`; at most MLD_STORY_PEOPLE): one person in both headlines,
-- with text and topics in common, is one event told by two desks.
ALTER TABLE story_sig ADD COLUMN people BLOB;
