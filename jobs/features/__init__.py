"""What each feature plugs into the engine: its renderers (outbox kinds), reminder kinds and scheduled jobs.

One module per feature, each with register(plugins), called from the one wiring place (bot.app.wire).
"""
