"""Slack helpers: ids, pure Block Kit builders, the Web API client."""
