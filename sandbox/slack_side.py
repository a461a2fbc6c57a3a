"""Slack's side of the conversation: signed requests to the bot, as Slack sends them when people act."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from sandbox.workspace import BOT_USER, HOME_TEAM, Message, OpenView, Workspace

if TYPE_CHECKING:
    from sandbox.socket_mode import SocketModeServer


@dataclass
class Submission:
    """What happened when a person pressed Submit on a modal."""

    status: int
    closed: bool
    errors: dict[str, str] = field(default_factory=dict)
    client_errors: dict[str, str] = field(default_factory=dict)
    sent: bool = True


class SlackSide:
    """Sends signed slash commands, interactions and events to the bot's request URL, or, given a Socket Mode
    server the bot is connected to, pushes them down that socket as envelopes (unsigned, as Slack does)."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        bot_url: str,
        sandbox_url: str,
        timeout: float = 10.0,
        socket: SocketModeServer | None = None,
    ) -> None:
        self.workspace = workspace
        self.socket = socket
        self.timeout = timeout
        self.bot_url = bot_url
        self.sandbox_url = sandbox_url
        self.http = httpx.Client(timeout=timeout)
        self.verifier = SignatureVerifier(workspace.signing_secret)

    def close(self) -> None:
        self.http.close()

    # -- transport -----------------------------------------------------------------------------------------
    def signed_headers(self, body: str, *, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.verifier.generate_signature(timestamp=ts, body=body)
        assert signature is not None  # slack_sdk gives None only for a missing timestamp or body
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    def post(
        self, body: str, content_type: str, *, headers: dict[str, str] | None = None, sign: bool = True
    ) -> httpx.Response:
        all_headers = {"Content-Type": content_type, **(self.signed_headers(body) if sign else {}), **(headers or {})}
        return self.http.post(self.bot_url, content=body.encode(), headers=all_headers)

    def post_form(self, form: dict[str, str]) -> httpx.Response:
        if self.socket is not None:  # only slash commands come as forms
            return self._push("slash_commands", form, accepts_response_payload=True)
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def post_payload(self, payload: dict[str, Any]) -> httpx.Response:
        if self.socket is not None:
            return self._push("interactive", payload, accepts_response_payload=True)
        return self.post("payload=" + quote(json.dumps(payload)), "application/x-www-form-urlencoded")

    def _push(self, kind: str, payload: dict[str, Any], **envelope: Any) -> httpx.Response:
        """Socket Mode: push an envelope and turn the bot's ack into what an HTTP answer would have been."""
        assert self.socket is not None
        answer = self.socket.send(kind, payload, timeout=self.timeout, **envelope)
        return httpx.Response(200, json=answer) if answer else httpx.Response(200)

    # -- people acting -------------------------------------------------------------------------------------
    def _team(self, user: str) -> str:
        return self.workspace.users[user].team_id

    def slash_command(self, *, user: str, channel: str, command: str, text: str = "") -> httpx.Response:
        """A person types a slash command; an ephemeral reply in the ack is shown to them as Slack does."""
        with self.workspace.lock:
            trigger = self.workspace.new_trigger(user)
            response_url = self.workspace.new_response_url(self.sandbox_url, user=user, channel=channel)
        form = {
            "token": "legacy-verification-token",
            "team_id": self._team(user),
            "team_domain": "porchlight-sandbox",
            "channel_id": channel,
            "channel_name": self.workspace.channels[channel].name if channel in self.workspace.channels else "",
            "user_id": user,
            "user_name": self.workspace.users[user].name,
            "command": command,
            "text": text,
            "api_app_id": self.workspace.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger,
        }
        response = self.post_form(form)
        self._show_ack(response, user=user, channel=channel)
        return response

    def _show_ack(self, response: httpx.Response, *, user: str, channel: str) -> None:
        if response.status_code != 200 or not response.content:
            return
        try:
            body = response.json()
        except ValueError:
            body = {"text": response.text}
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self.workspace.respond_inline(user=user, channel=channel, body=body)

    def submit_view(self, view: OpenView, *, user: str, values: dict[str, Any]) -> Submission:
        """A person fills a modal's inputs and presses Submit; the bot's ack decides what Slack shows."""
        state, client_errors = _state_values(view.view, values)
        if client_errors:
            # Slack's own client refuses to send: required fields empty, text over max_length.
            return Submission(status=0, closed=False, client_errors=client_errors, sent=False)
        payload = {
            "type": "view_submission",
            "team": {"id": self._team(user), "domain": "porchlight-sandbox"},
            "user": {"id": user, "username": self.workspace.users[user].name, "team_id": self._team(user)},
            "api_app_id": self.workspace.app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.workspace.new_trigger(user),
            "view": {**view.payload(self.workspace.app_id), "state": {"values": state}},
            "response_urls": [],
            "is_enterprise_install": False,
        }
        response = self.post_payload(payload)
        return self._apply_view_ack(view, response)

    def _apply_view_ack(self, view: OpenView, response: httpx.Response) -> Submission:
        if response.status_code != 200:
            return Submission(status=response.status_code, closed=False)
        body = response.json() if response.content else {}
        action = body.get("response_action") if isinstance(body, dict) else None
        with self.workspace.lock:
            if action == "errors":
                unknown = set(body.get("errors", {})) - {b.get("block_id") for b in view.view.get("blocks", [])}
                if unknown:
                    raise AssertionError(f"errors for blocks not in the view: {sorted(unknown)}")
                view.errors = dict(body["errors"])
                return Submission(status=200, closed=False, errors=view.errors)
            if action == "update":
                view.view, view.errors = body["view"], {}
                return Submission(status=200, closed=False)
            if action == "clear":
                for other in self.workspace.views.values():
                    if other.root_view_id == view.root_view_id:
                        other.closed = True
                return Submission(status=200, closed=True)
            view.closed = True
            return Submission(status=200, closed=True)

    def click(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str,
        thread_ts: str | None = None,
        seen: Message | None = None,
    ) -> httpx.Response:
        """A person clicks a button on a message; the bot answers through the click's response_url.

        `seen` is the message as that person's client still shows it (a copy taken earlier): Slack sends what was
        clicked, which may be stale, not the message as it is now.
        """
        if user not in self.workspace.channels[channel].members:
            raise AssertionError(f"{user} is not in {channel} and cannot see that message")
        with self.workspace.lock:
            message = seen or next(m for m in self.workspace.channels[channel].messages if m.ts == message_ts)
            button, block_id = _find_button(message.blocks, action_id)
            trigger = self.workspace.new_trigger(user)
            response_url = self.workspace.new_response_url(self.sandbox_url, user=user, channel=channel)
        team = self._team(user)
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False}
        if thread_ts:
            container["thread_ts"] = thread_ts
        shown = {"type": "message", "ts": message_ts, "text": message.text, "blocks": message.blocks}
        if message.thread_ts:
            shown["thread_ts"] = message.thread_ts
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": self.workspace.users[user].name, "team_id": team},
            "api_app_id": self.workspace.app_id,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": trigger,
            "team": {"id": team, "domain": "partner" if team != HOME_TEAM else "porchlight-sandbox"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": self.workspace.channels[channel].name},
            "message": shown,
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [
                {"action_id": action_id, "block_id": block_id, "type": "button", "value": button.get("value"),
                 "text": button.get("text"), "action_ts": str(time.time())}
            ],
        }  # fmt: skip
        return self.post_payload(payload)

    def message_shortcut(self, *, user: str, message: Message, callback_id: str) -> httpx.Response:
        """A person picks one of the app's message shortcuts from a message's menu: Slack sends the message, text
        and all, with a trigger to open a form and a response_url."""
        if user not in self.workspace.channels[message.channel].members:
            raise AssertionError(f"{user} is not in {message.channel} and cannot see that message")
        team = self._team(user)
        with self.workspace.lock:
            trigger = self.workspace.new_trigger(user)
            response_url = self.workspace.new_response_url(self.sandbox_url, user=user, channel=message.channel)
        shown = message.as_payload()
        payload = {
            "type": "message_action", "callback_id": callback_id, "trigger_id": trigger,
            "user": {"id": user, "username": self.workspace.users[user].name, "team_id": team},
            "team": {"id": team, "domain": "partner" if team != HOME_TEAM else "porchlight-sandbox"},
            "channel": {"id": message.channel, "name": self.workspace.channels[message.channel].name},
            "message": shown, "message_ts": message.ts, "action_ts": str(time.time()), "response_url": response_url,
            "token": "legacy-verification-token", "api_app_id": self.workspace.app_id, "is_enterprise_install": False,
        }  # fmt: skip
        return self.post_payload(payload)

    def view_action(self, view: OpenView, *, user: str, block_id: str, value: Any = None) -> httpx.Response:
        """A person uses an interactive element inside an open modal (a `dispatch_action` select, a button in an
        actions block): Slack sends block_actions with the view as it is, its state holding what was chosen.

        `value` is what they chose, typed as for `submit_view` (an option's value, a user id, a date...); a
        button needs none.
        """
        if view.user != user or view.closed:
            raise AssertionError(f"{user} has no such form open")
        element = _find_element(view.view.get("blocks", []), block_id)
        team = self._team(user)
        action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block_id, "type": element["type"],
                                  "action_ts": str(time.time())}  # fmt: skip
        if element["type"] == "button":
            action.update(value=element.get("value"), text=element.get("text"))
            state: dict[str, Any] = {}
        else:
            chosen = _element_value(element, value)
            action.update(chosen)
            state = {block_id: {element["action_id"]: chosen}}
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": self.workspace.users[user].name, "team_id": team},
            "team": {"id": team, "domain": "partner" if team != HOME_TEAM else "porchlight-sandbox"},
            "api_app_id": self.workspace.app_id,
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view.id},
            "trigger_id": self.workspace.new_trigger(user),
            "view": {**view.payload(self.workspace.app_id), "state": {"values": state}},
            "actions": [action],
            "is_enterprise_install": False,
        }
        return self.post_payload(payload)

    def options(self, view: OpenView, *, user: str, block_id: str, typed: str) -> list[dict[str, Any]]:
        """A person types into an external select of an open modal: Slack asks the app's options endpoint
        (block_suggestion) and shows what it answers; returns those options ([] for an empty or failed answer)."""
        element = next(b["element"] for b in view.view.get("blocks", []) if b.get("block_id") == block_id)
        team = self._team(user)
        payload = {
            "type": "block_suggestion", "action_id": element["action_id"], "block_id": block_id, "value": typed,
            "user": {"id": user, "username": self.workspace.users[user].name, "team_id": team},
            "team": {"id": team, "domain": "partner" if team != HOME_TEAM else "porchlight-sandbox"},
            "container": {"type": "view", "view_id": view.id}, "view": view.payload(self.workspace.app_id),
            "api_app_id": self.workspace.app_id, "token": "legacy-verification-token", "action_ts": str(time.time()),
        }  # fmt: skip
        response = self.post_payload(payload)
        try:
            answer = response.json() if response.status_code == 200 and response.content else {}
        except ValueError:
            return []
        found = answer.get("options") if isinstance(answer, dict) else None
        return list(found) if isinstance(found, list) else []

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        team_id: str = HOME_TEAM,
    ) -> httpx.Response:
        """Deliver an Events API callback; a retry carries X-Slack-Retry-Num as Slack's redelivery does."""
        envelope = {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": self.workspace.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": HOME_TEAM,
                    "user_id": BOT_USER,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }
        if self.socket is not None:
            retry = {"retry_attempt": retry_num or 0, "retry_reason": "timeout" if retry_num else ""}
            return self._push("events_api", envelope, accepts_response_payload=False, **retry)
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return self.post(json.dumps(envelope), "application/json", headers=headers)


def _state_values(view: dict[str, Any], values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Build view.state.values for `values` (block_id -> typed value) the way Slack's client does."""
    state: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        value = values.get(block_id)
        if (value in (None, "", [], ())) and not block.get("optional"):
            errors[block_id] = "Please complete this required field."
        max_length = element.get("max_length")
        if isinstance(value, str) and max_length and len(value) > max_length:
            errors[block_id] = f"Must be {max_length} characters or fewer."
        state[block_id] = {element["action_id"]: _element_value(element, value)}
    unknown = set(values) - set(state)
    if unknown:
        raise AssertionError(f"the view has no input blocks {sorted(unknown)}")
    return state, errors


def _element_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("external_select", "multi_external_select"):  # options as `options()` returned them, or values
        chosen = [v if isinstance(v, dict) else {"text": {"type": "plain_text", "text": v}, "value": v}
                  for v in ([value] if kind == "external_select" and value else value or [])]  # fmt: skip
        if kind == "external_select":
            return {"type": kind, "selected_option": chosen[0] if chosen else None}
        return {"type": kind, "selected_options": chosen}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value or None}
    if kind in ("multi_static_select", "checkboxes"):
        options = {o["value"]: o for o in element.get("options", [])}
        missing = [v for v in value or [] if v not in options]
        if missing:
            raise AssertionError(f"{element['action_id']} has no options {missing}")
        return {"type": kind, "selected_options": [options[v] for v in value or []]}
    if kind in ("static_select", "radio_buttons"):
        options = {o["value"]: o for o in element.get("options", [])}
        if value and value not in options:
            raise AssertionError(f"{element['action_id']} has no option {value!r}")
        return {"type": kind, "selected_option": options.get(value) if value else None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": value or None}
    if kind == "multi_channels_select":
        return {"type": kind, "selected_channels": list(value or [])}
    if kind == "users_select":
        return {"type": kind, "selected_user": value or None}
    return {"type": kind, "value": value if value not in ("",) else None}


def _find_element(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    """The interactive element of a view's block: an input's element, or an actions block's only element."""
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        if block.get("type") == "input":
            element: dict[str, Any] = block["element"]
            return element
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if len(elements) == 1:
            return dict(elements[0])
        raise AssertionError(f"block {block_id!r} has {len(elements)} elements; name one of them")
    raise AssertionError(f"the view has no block {block_id!r}")


def _find_button(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return element, block.get("block_id", "")
    raise AssertionError(f"no button {action_id!r} on that message")
