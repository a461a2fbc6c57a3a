"""The workspace's state (teams, users, channels, messages, views, triggers) and the Web API methods on it."""

from __future__ import annotations

import itertools
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.faults import Faults
from sandbox.validate import Invalid, check_message, check_view

HOME_TEAM = "T0PORCH"
PARTNER_TEAM = "T0PARTNER"
BOT_USER = "U0PORCHBOT"
BOT_ID = "B0PORCHBOT"
TRIGGER_SECONDS = 3.0
VIEW_PUSH_LIMIT = 3


class RateLimited(Exception):
    """Answered as Slack does: HTTP 429, {"ok": false, "error": "ratelimited"} and Retry-After seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("ratelimited")
        self.retry_after = retry_after


class ApiError(Exception):
    """A Web API error answered as Slack does: HTTP 200 and {"ok": false, "error": code}."""

    def __init__(self, error: str, detail: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail


@dataclass
class User:
    id: str
    team_id: str
    name: str
    tz: str = "America/Chicago"
    is_bot: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    edited: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)  # shared with files.completeUploadExternal

    def as_payload(self) -> dict[str, Any]:
        """The message as a message shortcut's payload carries it: who wrote it, its blocks and thread if any."""
        shown: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.user:
            shown["user"] = self.user
        if self.bot_id:
            shown.update(bot_id=self.bot_id, user=BOT_USER)
        if self.blocks:
            shown["blocks"] = self.blocks
        if self.thread_ts:
            shown["thread_ts"] = self.thread_ts
        return shown


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ts: str = ""


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    shared_teams: set[str] = field(default_factory=set)
    is_im: bool = False
    is_private: bool = False
    messages: list[Message] = field(default_factory=list)

    def info(self, viewer: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_shared": bool(self.shared_teams),
            "is_ext_shared": bool(self.shared_teams),
            "is_member": viewer in self.members,
            "context_team_id": HOME_TEAM,
            "shared_team_ids": sorted({HOME_TEAM} | self.shared_teams),
            "num_members": len(self.members),
        }


@dataclass
class OpenView:
    id: str
    user: str
    team_id: str
    view: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    closed: bool = False

    def payload(self, app_id: str) -> dict[str, Any]:
        return {
            **self.view,
            "id": self.id,
            "team_id": self.team_id,
            "hash": self.hash,
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": app_id,
            "app_installed_team_id": HOME_TEAM,
            "bot_id": BOT_ID,
            "state": {"values": {}},
        }


class Workspace:
    """A Slack workspace in memory, with a partner team's users reachable through a shared channel."""

    app_id = "A0PORCH"

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox-token",  # noqa: S107 - the fake workspace's own token
        signing_secret: str = "sandbox-secret",  # noqa: S107 - likewise
        app_token: str = "xapp-1-A0PORCH-sandbox-token",  # noqa: S107 - the app-level token, for Socket Mode only
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock  # message timestamps follow it, so tests can move time for Slack and the bot alike
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.socket_url: Callable[[], str] | None = None  # set when the sandbox serves Socket Mode
        self.lock = threading.RLock()
        self.faults = Faults()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, OpenView] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.triggers: dict[str, tuple[str, float, bool]] = {}  # trigger -> (user, deadline, used)
        self.trigger_lifetime = TRIGGER_SECONDS
        self.response_urls: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._last_ts_us = 0  # the last message ts handed out, in integer microseconds (see new_ts)
        self.monotonic: Callable[[], float] = time.monotonic
        # chat.postMessage: "one message per second per channel" (LIMITS.md §4); None = no limit (default).
        self.post_rate_per_channel: float | None = None
        self._next_post_at: dict[str, float] = {}
        # files.uploadV2: getUploadURLExternal hands out an upload URL (served by SandboxServer, which sets
        # `upload_url`), the bytes are POSTed there, completeUploadExternal shares them in a message.
        self.upload_url: Callable[[str], str] | None = None
        self.uploads: dict[str, dict[str, Any]] = {}  # file id -> what was announced, and the bytes once received
        self._seed()

    # -- setup ---------------------------------------------------------------------------------------------
    def _seed(self) -> None:
        for user in (
            User(BOT_USER, HOME_TEAM, "porchlight", is_bot=True),
            User("U0CASEMGR", HOME_TEAM, "casey.manager"),
            User("U0COORD", HOME_TEAM, "cora.coordinator"),
            User("U0RSC", HOME_TEAM, "rita.rsc"),
            User("W0PARTNERPM", PARTNER_TEAM, "pat.propertymanager"),
        ):
            self.users[user.id] = user
        ours = {"U0CASEMGR", "U0COORD", "U0RSC", BOT_USER}
        self.add_channel("C0VACANCIES", "vacancies", members=ours)
        self.add_channel("C0ESCALATE", "escalations", members={"U0COORD", BOT_USER})
        self.add_channel("C0GENERAL", "general", members=ours - {BOT_USER})
        self.add_channel("C0SHARED", "maple-court-shared", members=ours | {"W0PARTNERPM"}, shared_teams={PARTNER_TEAM})

    def add_channel(
        self, channel_id: str, name: str, *, members: set[str], shared_teams: set[str] | None = None
    ) -> Channel:
        channel = Channel(channel_id, name, members=set(members), shared_teams=set(shared_teams or ()))
        self.channels[channel_id] = channel
        return channel

    # -- helpers -------------------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def new_ts(self) -> str:
        """A message ts as Slack writes it ("seconds.microseconds"): following the clock, unique, increasing.

        Counted in integer microseconds. As a float near 1.8e9, "the last ts + 1e-6" moved by a multiple of the
        float's spacing (about 2.4e-7), not by one microsecond, so under a fixed clock about one ts in 21 printed
        the same as the one before, and a click or chat.update could reach the wrong message.
        """
        with self.lock:
            now_us = max(round(self.clock() * 1_000_000), self._last_ts_us + 1)
            self._last_ts_us = now_us
            seconds, micros = divmod(now_us, 1_000_000)
            return f"{seconds}.{micros:06d}"

    def new_trigger(self, user: str) -> str:
        trigger = f"{next(self._ids)}.{secrets.token_hex(6)}"
        self.triggers[trigger] = (user, self.monotonic() + self.trigger_lifetime, False)
        return trigger

    def _use_trigger(self, trigger_id: Any) -> str:
        entry = self.triggers.get(str(trigger_id))
        if entry is None:
            raise ApiError("invalid_trigger_id")
        user, deadline, used = entry
        if used:
            raise ApiError("exchanged_trigger_id")
        if self.monotonic() >= deadline:
            raise ApiError("expired_trigger_id")
        self.triggers[str(trigger_id)] = (user, deadline, True)
        return user

    def channel(self, channel_id: Any) -> Channel:
        if isinstance(channel_id, str) and channel_id in self.users:
            return self._im(channel_id)
        channel = self.channels.get(str(channel_id))
        if channel is None:
            raise ApiError("channel_not_found")
        return channel

    def _im(self, user_id: str) -> Channel:
        for channel in self.channels.values():
            if channel.is_im and channel.members == {user_id, BOT_USER}:
                return channel
        channel = Channel(self.new_id("D"), user_id, members={user_id, BOT_USER}, is_im=True)
        self.channels[channel.id] = channel
        return channel

    def messages(self, channel_id: str) -> list[Message]:
        with self.lock:
            return list(self.channel(channel_id).messages)

    def ephemerals_for(self, user: str) -> list[Ephemeral]:
        with self.lock:
            return [e for e in self.ephemerals if e.user == user]

    # -- Web API -------------------------------------------------------------------------------------------
    def call(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Run one Web API method; raises ApiError for Slack-style errors."""
        with self.lock:
            self.calls.append((method, args))
        if not token:
            raise ApiError("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise ApiError("invalid_auth")
        # An app-level token opens Socket Mode connections and does nothing else; a bot token cannot open them.
        if (token == self.app_token) != (method == "apps.connections.open"):
            raise ApiError("not_allowed_token_type")
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            raise ApiError("unknown_method")
        with self.lock:
            if method == "chat.postMessage":
                self._pace_post(str(args.get("channel")))
            return {"ok": True, **handler(args)}

    def _pace_post(self, channel: str) -> None:
        if not self.post_rate_per_channel:
            return
        now, interval = self.monotonic(), 1.0 / self.post_rate_per_channel
        next_at = self._next_post_at.get(channel, 0.0)
        if now < next_at:
            raise RateLimited(retry_after=max(1, math.ceil(next_at - now)))
        self._next_post_at[channel] = now + interval

    def api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            raise ApiError("socket_mode_not_enabled")  # the sandbox was started without Socket Mode
        return {"url": self.socket_url()}

    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://porchlight-sandbox.slack.com/",
            "team": "Porchlight Sandbox",
            "user": "porchlight",
            "team_id": HOME_TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _postable(self, channel_id: Any) -> Channel:
        channel = self.channel(channel_id)
        if BOT_USER not in channel.members:
            raise ApiError("not_in_channel")
        return channel

    def api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(args.get("channel"))
        text, blocks = args.get("text") or "", args.get("blocks")
        _check(check_message, text, blocks)
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m.ts == thread_ts for m in channel.messages):
            raise ApiError("thread_not_found")
        metadata = args.get("metadata")
        message = Message(
            channel.id,
            self.new_ts(),
            text,
            blocks or [],
            bot_id=BOT_ID,
            thread_ts=thread_ts,
            metadata=metadata if isinstance(metadata, dict) else None,
        )
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message.ts, "message": _message_json(message)}

    def api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(args.get("channel"))
        user = str(args.get("user"))
        if user not in self.users:
            raise ApiError("user_not_found")
        if user not in channel.members:
            raise ApiError("user_not_in_channel")
        _check(check_message, args.get("text") or "", args.get("blocks"))
        ephemeral = Ephemeral(channel.id, user, args.get("text") or "", args.get("blocks") or [], self.new_ts())
        self.ephemerals.append(ephemeral)
        return {"message_ts": ephemeral.ts}

    def api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        message = next((m for m in channel.messages if m.ts == args.get("ts")), None)
        if message is None:
            raise ApiError("message_not_found")
        if message.bot_id != BOT_ID:
            raise ApiError("cant_update_message")
        text, blocks = args.get("text") or "", args.get("blocks")
        _check(check_message, text or message.text, blocks)
        message.text = text or message.text
        if blocks is not None:
            message.blocks = blocks
        message.edited += 1
        return {"channel": channel.id, "ts": message.ts, "text": message.text, "message": _message_json(message)}

    def api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        ts = str(args.get("message_ts"))
        if not any(m.ts == ts for m in channel.messages):
            raise ApiError("message_not_found")
        return {
            "channel": channel.id,
            "permalink": f"https://porchlight-sandbox.slack.com/archives/{channel.id}/p{ts.replace('.', '')}",
        }

    def api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        if BOT_USER not in channel.members:
            raise ApiError("not_in_channel")
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        found = [m for m in reversed(channel.messages) if float(m.ts) > oldest and not m.thread_ts][:limit]
        include_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        return {"messages": [_message_json(m, include_metadata) for m in found], "has_more": False}

    def api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        if BOT_USER not in channel.members:
            raise ApiError("not_in_channel")
        parent = str(args.get("ts"))
        if not any(m.ts == parent for m in channel.messages):
            raise ApiError("thread_not_found")
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        thread = [m for m in channel.messages if m.ts == parent or (m.thread_ts == parent and float(m.ts) > oldest)]
        include_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        return {"messages": [_message_json(m, include_metadata) for m in thread[:limit]], "has_more": False}

    def api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self.channel(args.get("channel")).info(BOT_USER)}

    def api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1 or users[0] not in self.users:
            raise ApiError("user_not_found")
        return {"channel": {"id": self._im(users[0]).id}}

    # -- files (files.uploadV2's three steps, with Slack's shapes) ----------------------------------------------
    def api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit() or int(length) < 1:
            raise ApiError("invalid_arguments", "filename and length are required")
        alt = str(args.get("alt_txt") or "")
        if len(alt) > 1000:
            raise ApiError("invalid_arguments", "alt_txt is longer than 1000 characters")
        file_id = self.new_id("F")
        self.uploads[file_id] = {"filename": filename, "length": int(length), "alt_txt": alt, "data": None}
        url = self.upload_url(file_id) if self.upload_url is not None else f"http://127.0.0.1/upload/{file_id}"
        return {"upload_url": url, "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """The upload URL's POST: the file's bytes (False for an id nobody asked for)."""
        with self.lock:
            upload = self.uploads.get(file_id)
            if upload is None:
                return False
            upload["data"] = data
            return True

    def api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        listed = _json_arg(args.get("files"))
        if not isinstance(listed, list) or not listed:
            raise ApiError("invalid_arguments", "files must be a JSON array")
        shared = []
        for item in listed:
            upload = self.uploads.get(str(item.get("id")) if isinstance(item, dict) else "")
            if upload is None or upload["data"] is None:
                raise ApiError("file_not_found")
            shared.append(_file_json(str(item["id"]), upload, str(item.get("title") or upload["filename"])))
        channel_id = args.get("channel_id") or args.get("channels")
        if channel_id:
            channel = self._postable(channel_id)
            message = Message(channel.id, self.new_ts(), str(args.get("initial_comment") or ""), bot_id=BOT_ID,
                              thread_ts=args.get("thread_ts") or None, files=shared)  # fmt: skip
            channel.messages.append(message)
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def file_bytes(self, file_id: str) -> tuple[str, bytes] | None:
        """(mimetype, bytes) of an uploaded file, for the web page."""
        with self.lock:
            upload = self.uploads.get(file_id)
            if upload is None or upload["data"] is None:
                return None
            return _mimetype(upload["filename"]), upload["data"]

    def api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            raise ApiError("user_not_found")
        return {
            "user": {
                "id": user.id,
                "team_id": user.team_id,
                "name": user.name,
                "tz": user.tz,
                "is_bot": user.is_bot,
                "is_stranger": user.team_id != HOME_TEAM,
            }
        }

    def api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _json_arg(args.get("view"))
        _check(check_view, view)
        user = self._use_trigger(args.get("trigger_id"))
        opened = self._store_view(user, view, previous=None)
        return {"view": opened.payload(self.app_id)}

    def api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _json_arg(args.get("view"))
        _check(check_view, view)
        user = self._use_trigger(args.get("trigger_id"))
        stack = [v for v in self.views.values() if v.user == user and not v.closed]
        if len(stack) >= VIEW_PUSH_LIMIT:
            raise ApiError("push_limit_reached")
        top = stack[-1] if stack else None
        opened = self._store_view(user, view, previous=top)
        return {"view": opened.payload(self.app_id)}

    def api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _json_arg(args.get("view"))
        _check(check_view, view)
        current = self.views.get(str(args.get("view_id")))
        if current is None or current.closed:
            raise ApiError("not_found")
        if args.get("hash") and args["hash"] != current.hash:
            raise ApiError("hash_conflict")
        current.view, current.hash, current.errors = view, secrets.token_hex(8), {}
        return {"view": current.payload(self.app_id)}

    def api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _json_arg(args.get("view"))
        _check(check_view, view)
        if view.get("type") != "home":
            raise ApiError("invalid_arguments")
        user = str(args.get("user_id"))
        if user not in self.users:
            raise ApiError("user_not_found")
        self.home_views[user] = view
        return {"view": {**view, "id": self.new_id("V")}}

    def _store_view(self, user: str, view: dict[str, Any], previous: OpenView | None) -> OpenView:
        view_id = self.new_id("V")
        opened = OpenView(
            id=view_id,
            user=user,
            team_id=self.users[user].team_id,
            view=view,
            hash=secrets.token_hex(8),
            root_view_id=previous.root_view_id if previous else view_id,
            previous_view_id=previous.id if previous else None,
        )
        self.views[view_id] = opened
        return opened

    def open_views(self, user: str) -> list[OpenView]:
        with self.lock:
            return [v for v in self.views.values() if v.user == user and not v.closed]

    def respond_inline(self, *, user: str, channel: str, body: dict[str, Any]) -> None:
        """Show a command's ack body as Slack does: ephemeral unless response_type is in_channel."""
        with self.lock:
            if body.get("response_type") == "in_channel" and channel in self.channels:
                target = self.channels[channel]
                target.messages.append(
                    Message(channel, self.new_ts(), body.get("text") or "", body.get("blocks") or [], bot_id=BOT_ID)
                )
            else:
                self.ephemerals.append(
                    Ephemeral(channel, user, body.get("text") or "", body.get("blocks") or [], self.new_ts())
                )

    # -- response_url --------------------------------------------------------------------------------------
    def new_response_url(self, base: str, *, user: str, channel: str) -> str:
        token = secrets.token_hex(8)
        self.response_urls[token] = {"user": user, "channel": channel, "uses": 0}
        return f"{base}/response/{token}"

    def respond(self, token: str, body: dict[str, Any]) -> None:
        with self.lock:
            target = self.response_urls.get(token)
            if target is None:
                raise ApiError("invalid_response_url")
            target["uses"] += 1
            if target["uses"] > 5:
                raise ApiError("used_too_many_times")
            _check(check_message, body.get("text") or "", body.get("blocks"))
            # A response_url from a click on an ephemeral (target["ephemeral_ts"]) replaces or deletes that one.
            shown = next((e for e in self.ephemerals if e.ts == target.get("ephemeral_ts")
                          and e.user == target["user"] and e.channel == target["channel"]), None)  # fmt: skip
            if shown is not None and body.get("delete_original") is True:
                self.ephemerals.remove(shown)
            elif shown is not None and body.get("replace_original") is True:
                shown.text, shown.blocks = body.get("text") or "", body.get("blocks") or []
            elif body.get("response_type") == "in_channel":
                channel = self.channel(target["channel"])
                channel.messages.append(
                    Message(channel.id, self.new_ts(), body.get("text") or "", body.get("blocks") or [], bot_id=BOT_ID)
                )
            else:
                self.ephemerals.append(
                    Ephemeral(
                        target["channel"],
                        target["user"],
                        body.get("text") or "",
                        body.get("blocks") or [],
                        self.new_ts(),
                    )
                )


def _check(checker: Callable[..., None], *args: Any) -> None:
    try:
        checker(*args)
    except Invalid as exc:
        raise ApiError(exc.error, exc.detail) from exc


def _json_arg(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError("invalid_arguments", "not JSON") from exc
    return value


def _message_json(message: Message, include_metadata: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "message", "ts": message.ts, "text": message.text, "blocks": message.blocks}
    if message.bot_id:
        data.update(bot_id=message.bot_id, user=BOT_USER, app_id=Workspace.app_id)
    elif message.user:
        data["user"] = message.user
    if message.thread_ts:
        data["thread_ts"] = message.thread_ts
    if message.metadata and include_metadata:
        data["metadata"] = message.metadata
    if message.files:
        data["files"] = message.files
    return data


def _mimetype(filename: str) -> str:
    kinds = {"png": "image/png", "html": "text/html", "svg": "image/svg+xml", "csv": "text/csv"}
    return kinds.get(filename.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def _file_json(file_id: str, upload: dict[str, Any], title: str) -> dict[str, Any]:
    """A file object as Slack's API shows it (the fields a client reads)."""
    name, mimetype = upload["filename"], _mimetype(upload["filename"])
    return {
        "id": file_id, "name": name, "title": title, "mimetype": mimetype, "filetype": name.rsplit(".", 1)[-1],
        "size": len(upload["data"] or b""), "alt_txt": upload["alt_txt"], "user": BOT_USER,
        "url_private": f"/files/{file_id}/{name}", "is_image": mimetype.startswith("image/"),
    }  # fmt: skip
