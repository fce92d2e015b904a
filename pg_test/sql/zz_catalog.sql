-- The public SQL surface: every function, table and view of schema cafe24, with its
-- volatility and comment. A change here is an API change; scripts/check_doc_examples.py
-- reads this file's expected output to require a documented, tested example per function.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS function,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END AS volatility,
       p.proparallel AS parallel, p.prosecdef AS security_definer,
       CASE WHEN p.proretset THEN p.prorows END AS rows, p.procost AS cost
FROM pg_proc AS p
WHERE p.pronamespace = 'cafe24'::regnamespace AND p.proname NOT LIKE '\_%'
ORDER BY 1;
-- SET clauses, internal functions included: SECURITY DEFINER code pins search_path, and
-- the dashboard and live-KPI paths turn JIT off (see finalize.sql).
SELECT p.oid::regprocedure::text AS function, p.prosecdef AS security_definer,
       array_to_string(p.proconfig, '; ') AS settings
FROM pg_proc AS p
WHERE p.pronamespace = 'cafe24'::regnamespace AND (p.prosecdef OR p.proconfig IS NOT NULL)
ORDER BY 1;
-- Everything a user can see has a comment.
SELECT 'function' AS kind, p.oid::regprocedure::text AS name FROM pg_proc AS p
WHERE p.pronamespace = 'cafe24'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT 'relation', c.oid::regclass::text FROM pg_class AS c
WHERE c.relnamespace = 'cafe24'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
  AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column', c.oid::regclass::text || '.' || a.attname FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid
WHERE c.relnamespace = 'cafe24'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p') AND a.attnum > 0
  AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
ORDER BY 1, 2;

-- No SECURITY DEFINER function is executable by PUBLIC (they are triggers and their helpers).
SELECT p.oid::regprocedure AS public_security_definer FROM pg_proc AS p
WHERE p.pronamespace = 'cafe24'::regnamespace AND p.prosecdef
  AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
ORDER BY 1;
