"""Porchlight: a Slack bot for a community's homelessness response system and its housing partners."""
