-- Encryption at rest, continued (see store/sealfile.go): uploaded
-- spreadsheets, attachments and the free text of workflow records. Keep in
-- step with 0008_sealed_workflow.sqlite.sql.
--
-- Each sealed column holds one envelope under the data key, bound to the
-- row's table and ID; the clear columns it replaces are left empty. A row
-- whose sealed is NULL was written by an older version and is sealed in
-- place by the first unlock.
ALTER TABLE uploads ADD COLUMN sealed BYTEA;
-- attachments.data holds the content's own envelope; sealed holds the file
-- name, which the lists show without reading the content.
ALTER TABLE attachments ADD COLUMN sealed BYTEA;
ALTER TABLE verifications ADD COLUMN sealed BYTEA;
ALTER TABLE best_interests ADD COLUMN sealed BYTEA;
ALTER TABLE handovers ADD COLUMN sealed BYTEA;
ALTER TABLE reunifications ADD COLUMN sealed BYTEA;
ALTER TABLE follow_ups ADD COLUMN sealed BYTEA;
ALTER TABLE welfare_messages ADD COLUMN sealed BYTEA;
