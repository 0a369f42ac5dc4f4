-- Each service owns its database (docs/architecture.md); the registry's is POSTGRES_DB.
CREATE DATABASE hoptac_reporting;
CREATE DATABASE hoptac_notifications;
CREATE DATABASE hoptac_collection;
CREATE DATABASE hoptac_library;
