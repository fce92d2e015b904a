-- API keys for the companion HTTP server (cafe24-analytics-server, docs/server.md): a bearer
-- token names the Postgres role a request runs as. Only a SHA-256 of each token is stored;
-- the token itself is shown once, by create_api_key.

CREATE TABLE cafe24.api_key (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    role        regrole NOT NULL,
    label       text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    token_sha256 bytea NOT NULL UNIQUE,
    created_by  regrole NOT NULL DEFAULT current_user::regrole,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    last_used_at timestamptz
);
COMMENT ON TABLE cafe24.api_key IS 'API keys of the HTTP server: each maps a bearer token (stored as its SHA-256 only) to the role its requests run as. Row-level security: a role sees the keys of roles it is a member of.';
COMMENT ON COLUMN cafe24.api_key.id IS 'Key id (for revoke_api_key).';
COMMENT ON COLUMN cafe24.api_key.role IS 'Role the requests of this key run as (SET LOCAL ROLE).';
COMMENT ON COLUMN cafe24.api_key.label IS 'What the key is for.';
COMMENT ON COLUMN cafe24.api_key.token_sha256 IS 'SHA-256 of the token; the token is not stored.';
COMMENT ON COLUMN cafe24.api_key.created_by IS 'Role that created the key.';
COMMENT ON COLUMN cafe24.api_key.created_at IS 'When the key was created.';
COMMENT ON COLUMN cafe24.api_key.expires_at IS 'When the key stops working (NULL: never).';
COMMENT ON COLUMN cafe24.api_key.last_used_at IS 'Last authentication with the key (updated at most once a minute).';
ALTER TABLE cafe24.api_key ENABLE ROW LEVEL SECURITY;
-- A role sees, creates and revokes keys only for roles it is a member of (itself included).
CREATE POLICY api_key_member ON cafe24.api_key FOR ALL
    USING (pg_catalog.pg_has_role(role, 'MEMBER'))
    WITH CHECK (pg_catalog.pg_has_role(role, 'MEMBER') AND created_by OPERATOR(pg_catalog.=) current_user::regrole);
GRANT SELECT (id, role, label, created_by, created_at, expires_at, last_used_at),
      INSERT (role, label, token_sha256, expires_at), DELETE ON cafe24.api_key TO PUBLIC;

CREATE FUNCTION cafe24.create_api_key(role regrole, label text DEFAULT '', expires_in interval DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    token text := 'c24_' OPERATOR(pg_catalog.||) pg_catalog.replace(pg_catalog.gen_random_uuid()::text OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::text, '-', '');
BEGIN
    IF role IS NULL THEN
        RAISE EXCEPTION 'create_api_key: role must not be NULL' USING ERRCODE = '22004', HINT = 'Pass the role the key''s requests run as.';
    END IF;
    IF NOT pg_catalog.pg_has_role(role, 'MEMBER') THEN
        RAISE EXCEPTION 'create_api_key: role "%" is not yours to give', role USING ERRCODE = '42501',
            HINT = 'Create keys for your own role or a role you are a member of.';
    END IF;
    IF expires_in IS NOT NULL AND expires_in OPERATOR(pg_catalog.<=) interval '0' THEN
        RAISE EXCEPTION 'create_api_key: expires_in = % is not positive', expires_in USING ERRCODE = '22023',
            HINT = 'Pass an interval such as ''90 days'', or leave it out for a key that does not expire.';
    END IF;
    INSERT INTO cafe24.api_key (role, label, token_sha256, expires_at)
    VALUES (role, coalesce(label, ''), pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), pg_catalog.now() OPERATOR(pg_catalog.+) expires_in);
    RETURN token;
END $$;
COMMENT ON FUNCTION cafe24.create_api_key(regrole, text, interval) IS
'Creates an API key for the HTTP server whose requests run as role (yours or one you are a member of) and returns its token, shown only this once; expires_in => ''90 days'' makes it expire.';

CREATE FUNCTION cafe24.revoke_api_key(id bigint) RETURNS boolean LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    WITH d AS (DELETE FROM cafe24.api_key AS k WHERE k.id OPERATOR(pg_catalog.=) revoke_api_key.id RETURNING 1)
    SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM d;
$$;
COMMENT ON FUNCTION cafe24.revoke_api_key(bigint) IS 'Deletes an API key you can see; returns whether one was deleted. The server refuses the token from its next request.';

-- The server's one privileged call: which role a token acts as. Revoked from PUBLIC; grant
-- it to the server's login role only.
CREATE FUNCTION cafe24.authenticate(token text) RETURNS name LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k record;
BEGIN
    SELECT a.id, a.role, a.expires_at, a.last_used_at INTO k FROM cafe24.api_key AS a
    WHERE a.token_sha256 OPERATOR(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8'));
    IF NOT FOUND OR (k.expires_at IS NOT NULL AND k.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()) THEN
        RETURN NULL;
    END IF;
    IF k.last_used_at IS NULL OR k.last_used_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 minute') THEN
        UPDATE cafe24.api_key AS a SET last_used_at = pg_catalog.now() WHERE a.id OPERATOR(pg_catalog.=) k.id;
    END IF;
    RETURN (SELECT r.rolname FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) k.role::pg_catalog.oid);
END $$;
COMMENT ON FUNCTION cafe24.authenticate(text) IS
'The HTTP server''s lookup: the role name of a valid, unexpired API key token, else NULL. Not granted to PUBLIC: GRANT EXECUTE to the server''s login role.';
REVOKE ALL ON FUNCTION cafe24.authenticate(text) FROM PUBLIC;
