-- 0011_source_counts: what each source delivered, by outcome, for
-- /metrics (docs/internals/observability.md). items (0002) counts every
-- article written; these split it and add what was not written.

ALTER TABLE source ADD COLUMN new_items     INTEGER NOT NULL DEFAULT 0;  -- articles first stored
ALTER TABLE source ADD COLUMN updated_items INTEGER NOT NULL DEFAULT 0;  -- newer versions stored
ALTER TABLE source ADD COLUMN duplicates    INTEGER NOT NULL DEFAULT 0;  -- deliveries seen before
ALTER TABLE source ADD COLUMN failed        INTEGER NOT NULL DEFAULT 0;  -- attempts that failed, ever
