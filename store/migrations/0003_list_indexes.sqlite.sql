-- Indexes for the record lists (see store/list.go). Keep in step with
-- 0003_list_indexes.postgres.sql.
--
-- Lists show the rows an organisation may see newest first, fifty at a time:
-- with created_at and id in the index, each branch of the list query walks
-- the index in page order and stops after the page. search_text rides along
-- so that a name search (LIKE '%…%', which no index can seek) scans the
-- index, not the table: a third of the time. SQLite has no limit on the size
-- of an index entry; PostgreSQL has, hence the dialect files.
DROP INDEX cases_org_created;
CREATE INDEX cases_org_created ON cases (org_id, created_at, id, search_text);
DROP INDEX located_org_created;
CREATE INDEX located_org_created ON located (org_id, created_at, id, search_text);

-- The rows shared with an organisation, found without reading the shares of
-- others; it supersedes shares_org.
DROP INDEX shares_org;
CREATE INDEX shares_org_entity ON shares (org_id, entity_type, entity_id);

-- record_counts holds how many cases (by stage) and located records (stage
-- '') each organisation holds, kept by triggers, so that an unfiltered list
-- need not count a hundred thousand index entries (15 ms) on every page,
-- nor the case overview group every case by stage.
CREATE TABLE record_counts (
	entity_type TEXT NOT NULL,
	org_id      INTEGER NOT NULL,
	stage       TEXT NOT NULL,
	n           INTEGER NOT NULL,
	PRIMARY KEY (entity_type, org_id, stage)
);
INSERT INTO record_counts (entity_type, org_id, stage, n) SELECT 'case', org_id, stage, count(*) FROM cases GROUP BY org_id, stage;
INSERT INTO record_counts (entity_type, org_id, stage, n) SELECT 'located', org_id, '', count(*) FROM located GROUP BY org_id;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN
	INSERT INTO record_counts (entity_type, org_id, stage, n) VALUES ('case', NEW.org_id, NEW.stage, 1)
		ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases BEGIN
	UPDATE record_counts SET n = n - 1 WHERE entity_type = 'case' AND org_id = OLD.org_id AND stage = OLD.stage;
END;
CREATE TRIGGER cases_count_update AFTER UPDATE OF org_id, stage ON cases
	WHEN OLD.org_id <> NEW.org_id OR OLD.stage <> NEW.stage BEGIN
	UPDATE record_counts SET n = n - 1 WHERE entity_type = 'case' AND org_id = OLD.org_id AND stage = OLD.stage;
	INSERT INTO record_counts (entity_type, org_id, stage, n) VALUES ('case', NEW.org_id, NEW.stage, 1)
		ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER located_count_insert AFTER INSERT ON located BEGIN
	INSERT INTO record_counts (entity_type, org_id, stage, n) VALUES ('located', NEW.org_id, '', 1)
		ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER located_count_delete AFTER DELETE ON located BEGIN
	UPDATE record_counts SET n = n - 1 WHERE entity_type = 'located' AND org_id = OLD.org_id AND stage = '';
END;
CREATE TRIGGER located_count_update AFTER UPDATE OF org_id ON located WHEN OLD.org_id <> NEW.org_id BEGIN
	UPDATE record_counts SET n = n - 1 WHERE entity_type = 'located' AND org_id = OLD.org_id AND stage = '';
	INSERT INTO record_counts (entity_type, org_id, stage, n) VALUES ('located', NEW.org_id, '', 1)
		ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = n + 1;
END;
