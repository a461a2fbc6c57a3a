"""The database: typed models, queries and Alembic migrations. Imports nothing of Slack or the application."""
