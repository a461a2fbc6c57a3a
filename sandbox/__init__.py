"""A local Slack workspace: a Web API subset over real HTTP, and a sender of signed requests to the bot."""

from sandbox.server import SandboxServer
from sandbox.slack_side import SlackSide
from sandbox.workspace import Workspace

__all__ = ["SandboxServer", "SlackSide", "Workspace"]
