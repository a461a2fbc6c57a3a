"""The local workspace's face: a web page (a minimal Slack) served by the sandbox's own server on 127.0.0.1."""
