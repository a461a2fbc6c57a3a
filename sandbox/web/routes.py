"""The page's routes on the workspace's own server: the page and its assets, one snapshot to poll, one endpoint
for everything a person does. Only the sandbox's own files are served; nothing is fetched from elsewhere.

The snapshot carries a version; the page polls with the version it has and gets the whole picture only when
something changed (a post, an edit, a view, an ephemeral, the clock's minute), so the worker's posts appear
without reloading.
"""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from bot.slack import ids
from sandbox.web.acting import NotAllowed, Outcome, People
from sandbox.web.clock import ClockControls
from sandbox.workspace import BOT_USER, HOME_TEAM, Workspace

log = logging.getLogger("sandbox.web")
STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"app.js": "text/javascript", "blocks.js": "text/javascript", "app.css": "text/css"}
# The page runs only its own script and style, and talks only to this server.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MAX_BODY = 256 * 1024
# The page acts as anyone, so only this machine's own page may use it: a web page elsewhere could otherwise post to
# it (a form may send text/plain, never application/json, without a CORS preflight this server does not answer),
# or reach it through a name of its own that resolves to 127.0.0.1 (DNS rebinding: its Host header is that name).
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
# What the page shows of a shared file.
FILE_FIELDS = ("id", "name", "title", "mimetype", "filetype", "url_private", "is_image", "alt_txt")


class Page:
    """`routes` for SandboxServer: answers /, /static/* and /ui/*; anything else is the Web API's."""

    def __init__(self, workspace: Workspace, *, roles: dict[str, str], teams: dict[str, str]) -> None:
        self.workspace = workspace
        self.roles = roles
        self.teams = teams
        self.people: People | None = None
        self.clock: ClockControls | None = None
        self.commands: list[dict[str, str]] = [
            {"command": c, "description": "", "usage_hint": ""} for c in ids.COMMANDS
        ]
        self.shortcuts: list[dict[str, str]] = []
        self._changes = 0  # bumped by every person's act, so the next snapshot is fresh

    def connect(self, people: People, clock: ClockControls, *, manifest: Path | None = None) -> None:
        """Once the bot runs: who acts, the clock, and the commands and shortcuts the app declares."""
        self.people, self.clock = people, clock
        self.commands, self.shortcuts = app_features(manifest)

    # -- routing -------------------------------------------------------------------------------------------
    def __call__(self, request: BaseHTTPRequestHandler, path: str, raw: str) -> bool:
        if (path in ("/", "/index.html") or path.startswith(("/ui/", "/static/"))) and (why := refusal(request)):
            log.warning("the page refused a %s: %s", request.command, why)
            self._json(request, 403, {"ok": False, "error": why})
        elif request.command == "GET" and path in ("/", "/index.html"):
            self._file(request, STATIC / "index.html", "text/html")
        elif request.command == "GET" and path.startswith("/static/") and path[8:] in ASSETS:
            self._file(request, STATIC / path[8:], ASSETS[path[8:]])
        elif request.command == "GET" and path == "/ui/snapshot":
            query = {k: v[-1] for k, v in parse_qs(raw).items()}
            try:
                snapshot = self._snapshot(query)
            except Exception:
                log.exception("the page's snapshot failed")
                self._json(request, 500, {"ok": False, "error": "the sandbox could not show this; see the terminal"})
                return True
            self._json(request, 200, snapshot)
        elif request.command == "POST" and path == "/ui/do":
            self._do(request, raw)
        elif path.startswith(("/ui/", "/static/")):
            self._json(request, 404, {"ok": False, "error": "not found"})
        else:
            return False
        return True

    def _do(self, request: BaseHTTPRequestHandler, raw: str) -> None:
        if len(raw) > MAX_BODY:
            self._json(request, 413, {"ok": False, "error": "too large"})
            return
        try:
            asked = json.loads(raw or "{}")
        except (ValueError, RecursionError):
            asked = None
        if not isinstance(asked, dict) or not isinstance(asked.get("op"), str) or not isinstance(asked.get("as"), str):
            self._json(request, 400, {"ok": False, "error": "expected {op, as, ...}"})
            return
        try:
            outcome = self._act(asked)
        except NotAllowed as exc:
            self._json(request, 400, {"ok": False, "error": str(exc)})
            return
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self._json(request, 400, {"ok": False, "error": f"malformed request ({type(exc).__name__})"})
            return
        except Exception:
            log.exception("the page's %r failed", asked.get("op"))
            outcome = Outcome(False, "Something went wrong in the sandbox; the terminal has the details.")
        finally:
            self._changes += 1
        answer: dict[str, Any] = {"ok": outcome.ok, "error": outcome.error}
        if outcome.options is not None:
            answer["options"] = outcome.options
        self._json(request, 200, answer)

    def _act(self, asked: dict[str, Any]) -> Outcome:
        people, user, op = self.people, asked["as"], asked["op"]
        if people is None or self.clock is None:
            return Outcome(False, "Porchlight is still starting.")
        if user not in self.workspace.users or self.workspace.users[user].is_bot:
            raise NotAllowed("no such person")
        if op == "say":
            return people.say(user=user, channel=_text(asked, "channel"), text=_text(asked, "text"),
                              thread_ts=asked.get("thread_ts") or None)  # fmt: skip
        if op == "command":
            command, _, rest = _text(asked, "text").strip().partition(" ")
            if command not in {c["command"] for c in self.commands}:
                return Outcome(False, f"{command} is not a valid command.")
            return people.command(user=user, channel=_text(asked, "channel"), command=command, text=rest.strip())
        if op == "home":
            return people.open_home(user=user)
        if op == "act":
            action = asked["action"]
            if not isinstance(action, dict):
                raise NotAllowed("no action")
            if asked.get("view_id"):
                return people.act_in_view(user=user, view_id=_text(asked, "view_id"), action=action,
                                          state=_dict(asked.get("state")))  # fmt: skip
            return people.act_on_message(user=user, channel=_text(asked, "channel"), ts=_text(asked, "ts"),
                                         action=action, ephemeral=bool(asked.get("ephemeral")))  # fmt: skip
        if op == "submit":
            return people.submit(user=user, view_id=_text(asked, "view_id"), state=_dict(asked.get("state")))
        if op == "options":
            return people.options(user=user, view_id=_text(asked, "view_id"), block_id=_text(asked, "block_id"),
                                  typed=_text(asked, "value"))  # fmt: skip
        if op == "close":
            return people.close_view(user=user, view_id=_text(asked, "view_id"), everything=bool(asked.get("all")))
        if op == "shortcut":
            return people.shortcut(user=user, channel=str(asked.get("channel") or ""), ts=str(asked.get("ts") or ""),
                                   callback_id=_text(asked, "callback_id"))  # fmt: skip
        if op == "clock":
            moved = self.clock.move(_text(asked, "move"))
            return Outcome() if moved else Outcome(False, "Nothing to move the clock to.")
        raise NotAllowed(f"unknown op {op!r}")

    # -- what the page shows -------------------------------------------------------------------------------
    def _version(self, user: str) -> str:
        now = self.clock.clock.now().strftime("%Y%m%d%H%M") if self.clock else ""
        with self.workspace.lock:
            # response_url posts count too: one may replace an ephemeral in place, which changes no length
            answered = sum(target["uses"] for target in self.workspace.response_urls.values())
            counts = (len(self.workspace.calls), len(self.workspace.ephemerals), len(self.workspace.views), answered)
        return ".".join(map(str, (*counts, self._changes, now, user)))

    def _snapshot(self, query: dict[str, str]) -> dict[str, Any]:
        user = query.get("as") or ""
        if user not in self.workspace.users or self.workspace.users[user].is_bot:
            user = next(iter(self.roles))
        version = self._version(user) + "." + query.get("channel", "") + "." + query.get("thread", "")
        if query.get("since") == version:
            return {"version": version, "same": True}
        with self.workspace.lock:
            return {"version": version, **self._picture(user, query.get("channel") or "", query.get("thread") or "")}

    def _picture(self, user: str, channel_id: str, thread: str) -> dict[str, Any]:
        ws = self.workspace
        me = ws.users[user]
        channels = []
        for channel in ws.channels.values():
            if user not in channel.members:
                continue
            if channel.is_im and channel.members != {user, BOT_USER}:
                continue
            channels.append({
                "id": channel.id, "name": "Porchlight" if channel.is_im else channel.name,
                "kind": "dm" if channel.is_im else "channel", "bot": BOT_USER in channel.members,
                "shared_with": sorted(self.teams.get(t, t) for t in channel.shared_teams),
            })  # fmt: skip
        if not any(c["kind"] == "dm" for c in channels):  # the app's DM exists for everyone, if empty
            dm = ws.channel(user)
            channels.append({"id": dm.id, "name": "Porchlight", "kind": "dm", "bot": True, "shared_with": []})
        shown_id = str(next((c for c in channels if c["id"] == channel_id), channels[0])["id"])
        open_views = [v for v in ws.views.values() if v.user == user and not v.closed]
        return {
            "me": self._person(user),
            "people": [self._person(u) for u in self.roles if u in ws.users],
            "names": {u.id: u.name for u in ws.users.values()},
            "channel_names": {c.id: c.name for c in ws.channels.values() if not c.is_im},
            "channels": channels,
            "channel": shown_id,
            "commands": self.commands,
            "shortcuts": self.shortcuts,
            "clock": self._clock(),
            "messages": self._messages(user, shown_id),
            "thread": self._thread(shown_id, thread) if thread else None,
            "views": [
                {"id": v.id, "view": v.view, "errors": v.errors, "pushed": v.previous_view_id is not None}
                for v in open_views
            ],
            "home": ws.home_views.get(user),
            "team": me.team_id,
            "zone": self.clock.deps.settings.timezone if self.clock else "UTC",
        }

    def _person(self, user: str) -> dict[str, Any]:
        person = self.workspace.users[user]
        team = self.teams.get(person.team_id, person.team_id)
        role = self.roles.get(user, "")
        return {"id": user, "name": person.name, "role": role, "team": team, "external": person.team_id != HOME_TEAM}

    def _clock(self) -> dict[str, Any]:
        if self.clock is None:
            return {"now": "", "moves": []}
        now = self.clock.clock.now().astimezone(self.clock.deps.settings.zone)
        return {"now": now.strftime("%a %d %b %Y %H:%M %Z"), "moves": self.clock.preview()}

    def _message(self, message: Any, *, replies: int = 0, ephemeral: bool = False) -> dict[str, Any]:
        # Ephemerals are the bot's (their `user` is who sees them); messages name their author.
        author = BOT_USER if ephemeral or message.bot_id else (message.user or "")
        person = self.workspace.users.get(author)
        return {
            "ts": message.ts, "text": message.text, "blocks": message.blocks, "author": author,
            "author_name": "Porchlight" if author == BOT_USER else (person.name if person else author),
            "bot": author == BOT_USER, "external": bool(person and person.team_id != HOME_TEAM),
            "edited": bool(getattr(message, "edited", 0)), "thread_ts": getattr(message, "thread_ts", None),
            "replies": replies, "ephemeral": ephemeral,
            "files": [{key: f.get(key) for key in FILE_FIELDS} for f in getattr(message, "files", None) or []],
        }  # fmt: skip

    def _messages(self, user: str, channel_id: str) -> list[dict[str, Any]]:
        channel = self.workspace.channels[channel_id]
        replies: dict[str, int] = {}
        for m in channel.messages:
            if m.thread_ts:
                replies[m.thread_ts] = replies.get(m.thread_ts, 0) + 1
        shown = [self._message(m, replies=replies.get(m.ts, 0)) for m in channel.messages if not m.thread_ts]
        shown += [self._message(e, ephemeral=True) for e in self.workspace.ephemerals
                  if e.user == user and e.channel == channel_id]  # fmt: skip
        return sorted(shown, key=lambda m: _ts_key(m["ts"]))

    def _thread(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        channel = self.workspace.channels[channel_id]
        parent = next((m for m in channel.messages if m.ts == ts), None)
        if parent is None:
            return None
        return {"parent": self._message(parent), "replies": [self._message(m) for m in channel.messages
                                                             if m.thread_ts == ts]}  # fmt: skip

    # -- answers -------------------------------------------------------------------------------------------
    @staticmethod
    def _file(request: BaseHTTPRequestHandler, path: Path, content_type: str) -> None:
        _send(request, 200, path.read_bytes(), f"{content_type}; charset=utf-8")

    @staticmethod
    def _json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        _send(request, status, json.dumps(body).encode(), "application/json; charset=utf-8")


def _send(request: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(data)))
    for name, value in SECURITY_HEADERS.items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(data)


def refusal(request: BaseHTTPRequestHandler) -> str | None:
    """Why a request to the page is not from the page on this machine (a short phrase, safe to log), or None."""
    host = (request.headers.get("Host") or "").strip().lower()
    name = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
    if name not in LOCAL_NAMES:
        return "the page answers only at 127.0.0.1 or localhost"
    kind = (request.headers.get("Content-Type") or "").partition(";")[0].strip().lower()
    if request.command == "POST" and kind != "application/json":
        return "the page sends JSON"
    return None


def _text(asked: dict[str, Any], key: str) -> str:
    value = asked.get(key)
    if not isinstance(value, str):
        raise NotAllowed(f"{key} is missing")
    return value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds or 0), int(micros or 0)


def app_features(manifest: Path | None) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The slash commands and shortcuts the app has: every id in bot.slack.ids (so a feature's new command works
    here as soon as it is registered), described as manifest.yml describes them."""
    declared: dict[str, Any] = {}
    if manifest is not None and manifest.exists():
        try:
            import yaml

            declared = yaml.safe_load(manifest.read_text()).get("features", {}) or {}
        except ImportError:  # a plain install without the test extra: the ids alone, undescribed
            declared = {}
    described = {c.get("command"): c for c in declared.get("slash_commands", []) or [] if isinstance(c, dict)}
    commands = [
        {"command": name, "description": str(described.get(name, {}).get("description", "")),
         "usage_hint": str(described.get(name, {}).get("usage_hint", ""))}
        for name in dict.fromkeys([*ids.COMMANDS, *described])
    ]  # fmt: skip
    shortcuts_declared = {s.get("callback_id"): s for s in declared.get("shortcuts", []) or [] if isinstance(s, dict)}
    shortcut_ids = [*getattr(ids, "SHORTCUTS", ()), *shortcuts_declared]
    shortcuts = [
        {"callback_id": sid, "name": str(shortcuts_declared.get(sid, {}).get("name", sid.replace("_", " "))),
         "type": str(shortcuts_declared.get(sid, {}).get("type", "message"))}
        for sid in dict.fromkeys(shortcut_ids)
    ]  # fmt: skip
    return commands, shortcuts
