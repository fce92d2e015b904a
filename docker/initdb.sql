-- Runs once, when the data volume is first initialised.
CREATE DATABASE cafe24;
\connect cafe24
CREATE EXTENSION cafe24_analytics;
