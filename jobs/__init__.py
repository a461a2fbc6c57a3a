"""Clock inbound: plain functions `run(*, deps, now)` that open their own sessions."""
