"""What a person does in the page, as Slack's client would send it: messages, block actions (in messages and in
modals), submissions with every `response_action`, closing a modal, and message shortcuts.

`SlackSide` (sandbox.slack_side) speaks for tests, which name the values they type; the page sends Slack's own
shapes (state values, the action as its element reports it), so these build the payloads from those.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sandbox.slack_side import SlackSide
from sandbox.validate import Invalid, check_view
from sandbox.workspace import BOT_USER, HOME_TEAM, VIEW_PUSH_LIMIT, Message, OpenView, Workspace

log = logging.getLogger("sandbox.web")
ACTION_FIELDS = (
    "value", "selected_option", "selected_options", "selected_user", "selected_users", "selected_channel",
    "selected_channels", "selected_conversation", "selected_conversations", "selected_date", "selected_time",
)  # fmt: skip


class NotAllowed(Exception):
    """What the person tried is not possible in Slack either (a channel they are not in, a view not theirs)."""


@dataclass(frozen=True)
class Outcome:
    """What the page shows after a person acted: `error` in a banner (as Slack's client does), else nothing;
    `options` answers a search in an external select."""

    ok: bool = True
    error: str = ""
    options: list[dict[str, Any]] | None = None


class People:
    """Acting as anyone in the workspace, through the bot's real request URL."""

    def __init__(self, workspace: Workspace, slack: SlackSide) -> None:
        self.workspace = workspace
        self.slack = slack

    # -- helpers -------------------------------------------------------------------------------------------
    def _user(self, user: str) -> dict[str, Any]:
        person = self.workspace.users.get(user)
        if person is None or person.is_bot:
            raise NotAllowed("no such person")
        return {"id": user, "username": person.name, "name": person.name, "team_id": person.team_id}

    def _team(self, user: str) -> dict[str, str]:
        team = self.workspace.users[user].team_id
        return {"id": team, "domain": "porchlight-sandbox" if team == HOME_TEAM else team.lower()}

    def _member(self, user: str, channel: str) -> None:
        found = self.workspace.channels.get(channel)
        if found is None or user not in found.members:
            raise NotAllowed("not a member of that conversation")

    def _message(self, channel: str, ts: str) -> Message:
        found = next((m for m in self.workspace.messages(channel) if m.ts == ts), None)
        if found is None:
            raise NotAllowed("that message is gone")
        return found

    def _own_view(self, user: str, view_id: str) -> OpenView:
        view = self.workspace.views.get(view_id)
        if view is None or view.user != user or view.closed:
            raise NotAllowed("that form is closed")
        return view

    def _base(self, kind: str, user: str) -> dict[str, Any]:
        with self.workspace.lock:
            trigger = self.workspace.new_trigger(user)
        return {
            "type": kind, "user": self._user(user), "team": self._team(user), "api_app_id": self.workspace.app_id,
            "token": "legacy-verification-token", "trigger_id": trigger, "is_enterprise_install": False,
            "enterprise": None,
        }  # fmt: skip

    def _response_url(self, user: str, channel: str, *, ephemeral_ts: str | None = None) -> str:
        """A response_url for this click; from an ephemeral, one whose replace_original replaces that ephemeral."""
        with self.workspace.lock:
            url = self.workspace.new_response_url(self.slack.sandbox_url, user=user, channel=channel)
            if ephemeral_ts:
                self.workspace.response_urls[url.rsplit("/", 1)[1]]["ephemeral_ts"] = ephemeral_ts
            return url

    @staticmethod
    def _answered(response: Any, what: str) -> Outcome:
        if response.status_code != 200:
            log.warning("the bot answered %s with HTTP %s", what, response.status_code)
            return Outcome(False, f"Porchlight did not answer the {what} (HTTP {response.status_code}).")
        return Outcome()

    # -- what people do ------------------------------------------------------------------------------------
    def say(self, *, user: str, channel: str, text: str, thread_ts: str | None = None) -> Outcome:
        """A person posts a message (or a thread reply); the bot hears it as an event if it is in the channel."""
        self._member(user, channel)
        target = self.workspace.channels[channel]
        if target.is_im:
            return Outcome(False, "Sending messages to this app has been turned off.")
        text = escape_typed(text)
        with self.workspace.lock:
            if thread_ts and not any(m.ts == thread_ts for m in target.messages):
                raise NotAllowed("that thread is gone")
            message = Message(channel, self.workspace.new_ts(), text, user=user, thread_ts=thread_ts)
            target.messages.append(message)
        if BOT_USER not in target.members:
            return Outcome()
        team = self.workspace.users[user].team_id
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": message.ts,
                 "team": team, "user_team": team, "channel_type": "group" if target.is_private else "channel",
                 "event_ts": message.ts}  # fmt: skip
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self._answered(self.slack.event(event), "message")

    def command(self, *, user: str, channel: str, command: str, text: str) -> Outcome:
        self._user(user)
        if channel not in self.workspace.channels:
            raise NotAllowed("no such conversation")
        response = self.slack.slash_command(user=user, channel=channel, command=command, text=text)
        if response.status_code != 200:
            return Outcome(False, f'{command} failed with the error "dispatch_failed"')
        return Outcome()

    def open_home(self, *, user: str) -> Outcome:
        """The person opens the app's Home tab: Slack sends app_home_opened, the bot publishes the view."""
        self._user(user)
        with self.workspace.lock:
            dm = self.workspace.channel(user).id
        team = self.workspace.users[user].team_id
        event = {"type": "app_home_opened", "user": user, "channel": dm, "tab": "home", "user_team": team,
                 "event_ts": f"{time.time():.6f}"}  # fmt: skip
        return self._answered(self.slack.event(event), "Home tab")

    def act_on_message(
        self, *, user: str, channel: str, ts: str, action: dict[str, Any], ephemeral: bool = False
    ) -> Outcome:
        """A click or a choice in a message's block (a button, a select, a date picker, ...)."""
        self._member(user, channel)
        payload = self._base("block_actions", user)
        container: dict[str, Any] = {"type": "message", "message_ts": ts, "channel_id": channel,
                                     "is_ephemeral": ephemeral}  # fmt: skip
        if not ephemeral:
            message = self._message(channel, ts)
            if message.thread_ts:
                container["thread_ts"] = message.thread_ts
            payload["message"] = {"type": "message", "ts": ts, "text": message.text, "blocks": message.blocks,
                                  **({"thread_ts": message.thread_ts} if message.thread_ts else {})}  # fmt: skip
        payload.update(
            container=container,
            channel={"id": channel, "name": self.workspace.channels[channel].name},
            state={"values": {}},
            response_url=self._response_url(user, channel, ephemeral_ts=ts if ephemeral else None),
            actions=[_action(action)],
        )
        return self._answered(self.slack.post_payload(payload), "click")

    def act_in_view(self, *, user: str, view_id: str, action: dict[str, Any], state: dict[str, Any]) -> Outcome:
        """A click or a choice inside an open modal (or the Home tab: view_id "home")."""
        if view_id == "home":
            home = self.workspace.home_views.get(user)
            if home is None:
                raise NotAllowed("no Home tab yet")
            view = {**home, "id": f"home-{user}", "type": "home", "state": {"values": state}}
            container = {"type": "view", "view_id": view["id"]}
        else:
            opened = self._own_view(user, view_id)
            view = {**opened.payload(self.workspace.app_id), "state": {"values": state}}
            container = {"type": "view", "view_id": opened.id}
        payload = self._base("block_actions", user)
        payload.update(container=container, view=view, actions=[_action(action)])
        return self._answered(self.slack.post_payload(payload), "click")

    def submit(self, *, user: str, view_id: str, state: dict[str, Any]) -> Outcome:
        """Submit: the bot's ack keeps the modal open with errors, updates it, pushes another, or closes it."""
        opened = self._own_view(user, view_id)
        payload = self._base("view_submission", user)
        payload.update(view={**opened.payload(self.workspace.app_id), "state": {"values": state}}, response_urls=[])
        response = self.slack.post_payload(payload)
        if response.status_code != 200:
            log.warning("the bot answered a submission with HTTP %s", response.status_code)
            return Outcome(False, "We had some trouble connecting. Try again?")
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        return self._apply_ack(opened, body if isinstance(body, dict) else {})

    def _apply_ack(self, opened: OpenView, body: dict[str, Any]) -> Outcome:
        action = body.get("response_action")
        with self.workspace.lock:
            if action == "errors":
                errors = body.get("errors")
                opened.errors = {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
                return Outcome()
            if action in ("update", "push"):
                view = body.get("view")
                try:
                    check_view(view)
                    if not isinstance(view, dict):
                        raise Invalid("invalid_arguments", "no view")
                except Invalid as exc:
                    log.warning("the bot answered a submission with a view Slack would refuse: %s", exc)
                    return Outcome(False, "We had some trouble connecting. Try again?")
                if action == "update":
                    opened.view, opened.hash, opened.errors = view, secrets.token_hex(8), {}
                    return Outcome()
                stack = [v for v in self.workspace.views.values() if v.root_view_id == opened.root_view_id]
                if len([v for v in stack if not v.closed]) >= VIEW_PUSH_LIMIT:
                    return Outcome(False, "We had some trouble connecting. Try again?")
                pushed = OpenView(
                    id=self.workspace.new_id("V"), user=opened.user, team_id=opened.team_id, view=view,
                    hash=secrets.token_hex(8), root_view_id=opened.root_view_id, previous_view_id=opened.id,
                )  # fmt: skip
                self.workspace.views[pushed.id] = pushed
                opened.errors = {}
                return Outcome()
            if action == "clear":
                for other in self.workspace.views.values():
                    if other.root_view_id == opened.root_view_id:
                        other.closed = True
                return Outcome()
            opened.closed = True  # a plain ack closes this view; a pushed one goes back to the one below
            return Outcome()

    def options(self, *, user: str, view_id: str, block_id: str, typed: str) -> Outcome:
        """A person types into an external select of an open modal: Slack asks the app's options endpoint
        (block_suggestion) and shows what it answers (nothing, on an error or after 3 seconds)."""
        opened = self._own_view(user, view_id)
        element = next((b.get("element") for b in opened.view.get("blocks", []) if b.get("block_id") == block_id), None)
        if not isinstance(element, dict) or element.get("type") not in ("external_select", "multi_external_select"):
            raise NotAllowed("no such search")
        return Outcome(options=self.slack.options(opened, user=user, block_id=block_id, typed=typed))

    def close_view(self, *, user: str, view_id: str, everything: bool) -> Outcome:
        """Cancel (back to the view below) or the close box (the whole stack); view_closed if the view asks."""
        opened = self._own_view(user, view_id)
        with self.workspace.lock:
            closing = [v for v in self.workspace.views.values() if not v.closed and
                       (v.root_view_id == opened.root_view_id if everything else v.id == opened.id)]  # fmt: skip
            for view in closing:
                view.closed = True
        if not opened.view.get("notify_on_close"):
            return Outcome()
        payload = self._base("view_closed", user)
        payload.update(view=opened.payload(self.workspace.app_id), is_cleared=everything and len(closing) > 1)
        return self._answered(self.slack.post_payload(payload), "closed form")

    def shortcut(self, *, user: str, channel: str, ts: str, callback_id: str) -> Outcome:
        """A message shortcut from a message's menu (or, without `ts`, a global shortcut)."""
        if not ts:
            payload = self._base("shortcut", user)
            payload.update(callback_id=callback_id, action_ts=f"{time.time():.6f}")
            return self._answered(self.slack.post_payload(payload), "shortcut")
        self._member(user, channel)
        message = self._message(channel, ts)
        payload = self._base("message_action", user)
        payload.update(
            callback_id=callback_id, action_ts=f"{time.time():.6f}", message_ts=ts, message=message.as_payload(),
            channel={"id": channel, "name": self.workspace.channels[channel].name},
            response_url=self._response_url(user, channel),
        )  # fmt: skip
        return self._answered(self.slack.post_payload(payload), "shortcut")


def escape_typed(text: str) -> str:
    """What Slack's client sends for typed text: &, < and > escaped, so nothing typed becomes a link or mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _action(raw: dict[str, Any]) -> dict[str, Any]:
    """The action as Slack reports it: the element's ids and type, what was chosen, and when."""
    action: dict[str, Any] = {key: raw[key] for key in ("action_id", "block_id", "type", "text") if key in raw}
    action.update({key: raw[key] for key in ACTION_FIELDS if key in raw})
    action["action_ts"] = f"{time.time():.6f}"
    return action
