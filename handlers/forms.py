"""Opening a slash command's form after the ack (the trigger is valid for 3 s), shared by the commands that open one.

A refusal (an expired trigger, a view Slack rejects) is told to the person with the command to run again, and
logged with Slack's error code only.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("porchlight.forms")


def open_form(*, client: WebClient, respond: Respond, trigger_id: str, view: dict[str, Any], command: str) -> None:
    """Open `view` with the command's trigger; tell the person to run `command` again if Slack refuses."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("views.open failed for %s: %s", command, error)
        respond(text=f"Slack would not open the form ({error}). Please run {command} again.")
