-- Indexes for the record lists (see store/list.go). Keep in step with
-- 0003_list_indexes.sqlite.sql.
--
-- Lists show the rows an organisation may see newest first, fifty at a time:
-- with created_at and id in the index, each branch of the list query walks
-- the index in page order and stops after the page; without id, PostgreSQL
-- sorts every row that shares a timestamp, and an import gives all its rows
-- one. search_text stays out: an index entry must fit in a third of a page.
DROP INDEX cases_org_created;
CREATE INDEX cases_org_created ON cases (org_id, created_at, id);
DROP INDEX located_org_created;
CREATE INDEX located_org_created ON located (org_id, created_at, id);

-- The rows shared with an organisation, found without reading the shares of
-- others; it supersedes shares_org.
DROP INDEX shares_org;
CREATE INDEX shares_org_entity ON shares (org_id, entity_type, entity_id);

-- record_counts holds how many cases (by stage) and located records (stage
-- '') each organisation holds, kept by triggers, so that an unfiltered list
-- need not count a hundred thousand index entries on every page, nor the
-- case overview group every case by stage. The triggers run once per
-- statement over its transition tables, so a bulk import adds one update
-- per organisation and stage, not one per row.
CREATE TABLE record_counts (
	entity_type TEXT NOT NULL,
	org_id      BIGINT NOT NULL,
	stage       TEXT NOT NULL,
	n           BIGINT NOT NULL,
	PRIMARY KEY (entity_type, org_id, stage)
);
INSERT INTO record_counts (entity_type, org_id, stage, n) SELECT 'case', org_id, stage, count(*) FROM cases GROUP BY org_id, stage;
INSERT INTO record_counts (entity_type, org_id, stage, n) SELECT 'located', org_id, '', count(*) FROM located GROUP BY org_id;

-- The functions add the rows of the transition table "added" and subtract
-- those of "removed".
CREATE FUNCTION cases_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO record_counts (entity_type, org_id, stage, n)
		SELECT 'case', org_id, stage, count(*) FROM added GROUP BY org_id, stage
		ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = record_counts.n + EXCLUDED.n;
	RETURN NULL;
END $$;
CREATE FUNCTION cases_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE record_counts c SET n = c.n - r.k
		FROM (SELECT org_id, stage, count(*) AS k FROM removed GROUP BY org_id, stage) r
		WHERE c.entity_type = 'case' AND c.org_id = r.org_id AND c.stage = r.stage;
	RETURN NULL;
END $$;
CREATE FUNCTION cases_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Most updates keep the organisation and stage; only those that move
	-- a case change the counts.
	IF EXISTS (SELECT 1 FROM removed o JOIN added a ON a.id = o.id WHERE a.org_id <> o.org_id OR a.stage <> o.stage) THEN
		UPDATE record_counts c SET n = c.n - r.k
			FROM (SELECT org_id, stage, count(*) AS k FROM removed GROUP BY org_id, stage) r
			WHERE c.entity_type = 'case' AND c.org_id = r.org_id AND c.stage = r.stage;
		INSERT INTO record_counts (entity_type, org_id, stage, n)
			SELECT 'case', org_id, stage, count(*) FROM added GROUP BY org_id, stage
			ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = record_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END $$;
CREATE FUNCTION located_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO record_counts (entity_type, org_id, stage, n)
		SELECT 'located', org_id, '', count(*) FROM added GROUP BY org_id
		ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = record_counts.n + EXCLUDED.n;
	RETURN NULL;
END $$;
CREATE FUNCTION located_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE record_counts c SET n = c.n - r.k
		FROM (SELECT org_id, count(*) AS k FROM removed GROUP BY org_id) r
		WHERE c.entity_type = 'located' AND c.org_id = r.org_id AND c.stage = '';
	RETURN NULL;
END $$;
CREATE FUNCTION located_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM removed o JOIN added a ON a.id = o.id WHERE a.org_id <> o.org_id) THEN
		UPDATE record_counts c SET n = c.n - r.k
			FROM (SELECT org_id, count(*) AS k FROM removed GROUP BY org_id) r
			WHERE c.entity_type = 'located' AND c.org_id = r.org_id AND c.stage = '';
		INSERT INTO record_counts (entity_type, org_id, stage, n)
			SELECT 'located', org_id, '', count(*) FROM added GROUP BY org_id
			ON CONFLICT (entity_type, org_id, stage) DO UPDATE SET n = record_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cases_count_insert();
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION cases_count_delete();
CREATE TRIGGER cases_count_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION cases_count_update();
CREATE TRIGGER located_count_insert AFTER INSERT ON located REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION located_count_insert();
CREATE TRIGGER located_count_delete AFTER DELETE ON located REFERENCING OLD TABLE AS removed
	FOR EACH STATEMENT EXECUTE FUNCTION located_count_delete();
CREATE TRIGGER located_count_update AFTER UPDATE ON located REFERENCING OLD TABLE AS removed NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION located_count_update();
