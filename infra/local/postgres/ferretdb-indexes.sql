-- Makes the indexes FerretDB 1.24 creates usable by the queries it sends (run by postgres.sh in
-- FerretDB's database at every start; idempotent).
--
-- FerretDB stores a document as one jsonb column and creates each MongoDB index as a btree over
-- expressions of it, (_jsonb -> 'field'). But it pushes an equality filter down as containment,
-- _jsonb -> 'field' @> '"value"', which a btree cannot answer: every pushed-down query, {_id: x}
-- included, is a scan of the whole table. So whenever FerretDB creates a btree index over such
-- expressions, these triggers add a GIN twin over the same expressions (jsonb_path_ops answers @>),
-- and drop it with the btree. Real MongoDB needs none of this: the services declare their indexes
-- through the driver as usual, and this only lets FerretDB's PostgreSQL tables use them.
--
-- FerretDB passes the field name as a statement parameter (_jsonb -> $1), so only a custom plan sees
-- the expression of the index: guichet.conf sets plan_cache_mode = force_custom_plan.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION guichet_gin_twin_name(btree_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btree_name, 59) || '_gin' $$;

-- Adds the GIN twin of one btree index when all its keys are expressions of the document column.
CREATE OR REPLACE FUNCTION guichet_add_gin_twin(btree oid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  key_list text;
BEGIN
  SELECT string_agg(format('(%s) jsonb_path_ops', pg_get_indexdef(btree, k, true)), ', ' ORDER BY k)
    INTO key_list
    FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_am am ON am.oid = x.relam,
         generate_series(1, i.indnkeyatts) k
   WHERE i.indexrelid = btree AND am.amname = 'btree'
  HAVING bool_and(pg_get_indexdef(btree, k, true) LIKE '(_jsonb -> %');
  IF key_list IS NOT NULL THEN
    EXECUTE (SELECT format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s)',
                           guichet_gin_twin_name(x.relname), i.indrelid::regclass, key_list)
               FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE i.indexrelid = btree);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION guichet_add_gin_twins() RETURNS event_trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM guichet_add_gin_twin(objid) FROM pg_event_trigger_ddl_commands()
    WHERE command_tag = 'CREATE INDEX' AND object_type = 'index';
END $$;

CREATE OR REPLACE FUNCTION guichet_drop_gin_twins() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  dropped record;
BEGIN
  FOR dropped IN
    SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
    WHERE object_type = 'index' AND object_name NOT LIKE '%\_gin'
  LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', dropped.schema_name, guichet_gin_twin_name(dropped.object_name));
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS guichet_add_gin_twins;
CREATE EVENT TRIGGER guichet_add_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION guichet_add_gin_twins();

DROP EVENT TRIGGER IF EXISTS guichet_drop_gin_twins;
CREATE EVENT TRIGGER guichet_drop_gin_twins ON sql_drop WHEN TAG IN ('DROP INDEX')
  EXECUTE FUNCTION guichet_drop_gin_twins();

-- Indexes FerretDB created before these triggers existed get their twins now.
DO $$ BEGIN
  PERFORM guichet_add_gin_twin(i.indexrelid)
  FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
 WHERE x.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace)
   AND NOT EXISTS (SELECT 1 FROM pg_class t WHERE t.relname = guichet_gin_twin_name(x.relname) AND t.relnamespace = x.relnamespace)
   AND x.relname NOT LIKE '%\_gin';
END $$;
