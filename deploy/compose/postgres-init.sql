-- Run once by the postgres image on an empty data volume (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d). POSTGRES_DB already created ferry_inventory; each service owns its own database.
CREATE DATABASE ferry_scheduler OWNER ferry;
