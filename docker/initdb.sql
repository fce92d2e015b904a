-- Runs once, when the data volume is first initialised.
CREATE DATABASE cafe24;
\connect cafe24
CREATE EXTENSION cafe24_analytics;
-- The HTTP server's login (compose service `server`): nothing but the three functions it
-- calls; merchants reach data through their own roles' API keys (docs/server.md).
\getenv web_password CAFE24_WEB_PASSWORD
CREATE ROLE cafe24_web LOGIN PASSWORD :'web_password';
GRANT USAGE ON SCHEMA cafe24 TO cafe24_web;
GRANT EXECUTE ON FUNCTION cafe24.authenticate(text), cafe24.http_call(text, text, jsonb),
    cafe24.http_call_bytes(text, text, jsonb) TO cafe24_web;
