"""Domain rules: plain values in, database rows out. Nothing here knows about Slack."""
