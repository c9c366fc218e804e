-- hackthetrack on a Snowflake account: warehouses, database, roles and the service user.
-- Run once, as a user holding SYSADMIN and SECURITYADMIN (e.g. ACCOUNTADMIN). Names are examples:
-- keep them in step with the SNOWFLAKE_* variables (docs/snowflake-account.md).

USE ROLE SYSADMIN;

-- Two warehouses, so that a long load or refresh never queues the API's reads, and each use's cost
-- shows apart. XSMALL is enough for a season (about 15 million samples). AUTO_SUSPEND 60: every
-- resume bills at least 60 s. The statement timeouts are backstops; the app sets its own per session.
CREATE WAREHOUSE IF NOT EXISTS HTT_API_WH
  WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE
  STATEMENT_TIMEOUT_IN_SECONDS = 30 STATEMENT_QUEUED_TIMEOUT_IN_SECONDS = 10;
CREATE WAREHOUSE IF NOT EXISTS HTT_LOAD_WH
  WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE
  STATEMENT_TIMEOUT_IN_SECONDS = 3600 STATEMENT_QUEUED_TIMEOUT_IN_SECONDS = 600;

-- Everything the warehouse holds is reloaded from the export files (PostgreSQL is the source of
-- truth): a transient schema has no Fail-safe, and one day of Time Travel is enough to undo a bad load.
CREATE DATABASE IF NOT EXISTS HACKTHETRACK;
CREATE TRANSIENT SCHEMA IF NOT EXISTS HACKTHETRACK.TELEMETRY DATA_RETENTION_TIME_IN_DAYS = 1;

USE ROLE SECURITYADMIN;

-- HTT_LOADER creates the tables (manage.py migrate --database=warehouse) and so owns them: only a
-- table's owner may PUT into its stage, so the loads (ingest_timing, ingest_telemetry,
-- generate_demo_telemetry) and refresh_cache run as this same role.
CREATE ROLE IF NOT EXISTS HTT_LOADER;
GRANT USAGE ON WAREHOUSE HTT_LOAD_WH TO ROLE HTT_LOADER;
GRANT USAGE ON DATABASE HACKTHETRACK TO ROLE HTT_LOADER;
GRANT USAGE, CREATE TABLE ON SCHEMA HACKTHETRACK.TELEMETRY TO ROLE HTT_LOADER;

-- HTT_READER: the web processes (the telemetry API and /api/health) only read.
CREATE ROLE IF NOT EXISTS HTT_READER;
GRANT USAGE ON WAREHOUSE HTT_API_WH TO ROLE HTT_READER;
GRANT USAGE ON DATABASE HACKTHETRACK TO ROLE HTT_READER;
GRANT USAGE ON SCHEMA HACKTHETRACK.TELEMETRY TO ROLE HTT_READER;
GRANT SELECT ON ALL TABLES IN SCHEMA HACKTHETRACK.TELEMETRY TO ROLE HTT_READER;
GRANT SELECT ON FUTURE TABLES IN SCHEMA HACKTHETRACK.TELEMETRY TO ROLE HTT_READER;

GRANT ROLE HTT_LOADER TO ROLE SYSADMIN;
GRANT ROLE HTT_READER TO ROLE SYSADMIN;

-- One service user with key-pair authentication (no password). Put the public key of
-- SNOWFLAKE_PRIVATE_KEY_PATH here (openssl rsa -in key.p8 -pubout, without the header lines).
CREATE USER IF NOT EXISTS HTT_SERVICE
  TYPE = SERVICE DEFAULT_ROLE = HTT_READER DEFAULT_WAREHOUSE = HTT_API_WH
  DEFAULT_NAMESPACE = HACKTHETRACK.TELEMETRY
  RSA_PUBLIC_KEY = '<public key>';
GRANT ROLE HTT_LOADER TO USER HTT_SERVICE;
GRANT ROLE HTT_READER TO USER HTT_SERVICE;

-- After the first `manage.py migrate --database=warehouse` (as HTT_LOADER): the samples table is
-- reloaded whole per race and small for Snowflake; loads arrive race by race, so its micro-partitions
-- are already grouped by race and automatic clustering would only bill reclustering after each load.
USE ROLE HTT_LOADER;
ALTER TABLE HACKTHETRACK.TELEMETRY.TELEMETRY_SAMPLE DROP CLUSTERING KEY;
