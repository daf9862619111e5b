-- Homelog on PostgreSQL: a database owned by the role that runs the migrations, and a
-- second role for the web server and scheduler that owns nothing (it can read and add
-- rows, change the tables that change, and never UPDATE, DELETE or TRUNCATE visits,
-- events, agreements, the rubric or the audit trail, nor switch their triggers off).
--
-- Run once, as a superuser, then give each role a password:
--   psql -v owner=homelog_owner -v app=homelog_app -v db=homelog -f deploy/postgresql/roles.sql
--   psql -c "\password homelog_owner"; psql -c "\password homelog_app"
-- Migrate as the owner, naming the app's role so that the upgrade grants it what it needs:
--   HOMELOG_DATABASE_URL=postgresql://homelog_owner@host/homelog \
--   HOMELOG_DATABASE_APP_ROLE=homelog_app flask --app homelog db upgrade
-- and run Homelog as the app's role:
--   HOMELOG_DATABASE_URL=postgresql://homelog_app@host/homelog gunicorn wsgi:app
-- `retention purge` and `restore` run with the owner's URL.

CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"db" OWNER :"owner";
\connect :"db"
-- Only the owner creates objects (the default since PostgreSQL 15; said here for older ones).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
