"""/partners and /touch: the partner list (quietest first), adding and editing partners, logging contact by hand,
the monthly nudge's buttons, and /partners notify (compose, preview, confirm). Also contact from Slack itself: a
reaction on our post, and a partner's click on any Porchlight button (a middleware every click passes through).

Our own people may see the list and log contact; coordinators add, edit and tell partners; a partner's people
and anyone else are told privately and nothing is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.domain import access, contacts, home, partners
from bot.domain.actors import Actor
from bot.errors import FormErrors, NotAllowed, UserError
from bot.slack import ids, zones
from bot.slack.blocks import partners as views
from bot.slack.client import open_modal
from bot.slack.guard import Listener, action_guard, command_guard, first_submission, reference, view_guard
from bot.slack.payloads import action_value, actor_of, input_value, parse_page, parse_row_id, row_id, submission_key

log = logging.getLogger("porchlight.partners")
LIST_SIZE = 30
HELP = (
    "*Partners*\n"
    "`/partners` — our partners, quietest first, with the last contact and who owns each\n"
    "`/partners log` or `/touch` — log a call, meeting, email or visit\n"
    "`/partners add`, `/partners edit NAME` — add or edit a partner (coordinators)\n"
    "`/partners notify` — tell partners about a change, in their shared channels (coordinators)\n"
    "Messages and replies in a partner's shared channel, their reactions on our posts and their clicks on our "
    "buttons count as contact by themselves; nothing of what was said is kept."
)


def register(app: App, deps: Deps) -> None:
    app.middleware(_clicks_are_contact(deps))
    app.event("reaction_added")(_reaction(deps))
    app.command(ids.COMMAND_PARTNERS)(_partners_command(deps))
    app.command(ids.COMMAND_TOUCH)(_touch_command(deps))
    app.action(ids.ACTION_PARTNER_ADD)(_open_from_button(deps, coordinator=True, build=lambda d, _: partner_form(d, 0)))
    app.action(ids.ACTION_PARTNER_EDIT)(
        _open_from_button(deps, coordinator=True, build=lambda d, body: partner_form(d, row_id(action_value(body))))
    )
    app.action(ids.ACTION_PARTNER_LOG)(_open_from_button(deps, coordinator=False, build=lambda d, _: touch_form(d)))
    app.action(ids.ACTION_PARTNER_NOTIFY)(_open_from_button(deps, coordinator=True, build=lambda d, _: notify_form(d)))
    app.action(ids.ACTION_NUDGE_LOGGED)(_nudge_button(deps, "logged"))
    app.action(ids.ACTION_NUDGE_SNOOZE)(_nudge_button(deps, "snooze"))
    app.action(ids.ACTION_NUDGE_NOT_NEEDED)(_nudge_button(deps, "not_needed"))
    app.action(ids.ACTION_PARTNERS_PAGE)(_page_button(deps))
    for picker in (ids.OPTIONS_PARTNER_PICK, ids.OPTIONS_PARTNER_PICK_MANY):
        app.options(picker)(_partner_options(deps))
    app.view(ids.VIEW_PARTNER)(_partner_submitted(deps))
    app.view(ids.VIEW_PARTNER_TOUCH)(_touch_submitted(deps))
    app.view(ids.VIEW_PARTNER_NOTIFY)(_notify_previewed(deps))
    app.view(ids.VIEW_PARTNER_NOTIFY_CONFIRM)(_notify_confirmed(deps))


# -- contact from Slack itself ------------------------------------------------------------------------------------


def _clicks_are_contact(deps: Deps) -> Listener:
    """Every request passes here: only a click by someone of another workspace is looked at (a dict read)."""

    def partner_clicks(body: dict[str, Any], next: Callable[[], None]) -> None:
        if body.get("type") == "block_actions":
            actor = actor_of(body)
            if actor.user_id and actor.team_id and actor.team_id != deps.home_team:
                channel = body.get("channel")
                deps.contact_log.add(contacts.SpokenMessage(
                    event_id=None, channel=channel.get("id") if isinstance(channel, dict) else None, ts=None,
                    thread_ts=None, user_id=actor.user_id, team_id=actor.team_id, at=deps.clock.now(),
                    kind=contacts.SignalKind.CLICK,
                ))  # fmt: skip
        next()

    return partner_clicks


def reaction(body: dict[str, Any], *, bot_user: str | None, now: Any) -> contacts.SpokenMessage | None:
    """A person's reaction on one of our posts, as plain values; None for anything else."""
    event = body.get("event") or {}
    item: dict[str, Any] = event["item"] if isinstance(event.get("item"), dict) else {}
    user, channel, ts = event.get("user"), item.get("channel"), item.get("ts")
    if item.get("type") != "message" or not (isinstance(user, str) and user and isinstance(channel, str)):
        return None
    if bot_user is None or event.get("item_user") != bot_user or user == bot_user:
        return None  # not on our post, or our own
    team = event.get("user_team")
    return contacts.SpokenMessage(
        event_id=str(body.get("event_id") or "") or None, channel=channel, ts=ts if isinstance(ts, str) else None,
        thread_ts=None, user_id=user, team_id=team if isinstance(team, str) else None, at=now,
        kind=contacts.SignalKind.REACTION,
    )  # fmt: skip


def _reaction(deps: Deps) -> Listener:
    def reaction_added(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        signal = reaction(body, bot_user=context.bot_user_id, now=deps.clock.now())
        if signal is not None:
            deps.contact_log.add(signal)

    return reaction_added


# -- /partners and /touch ------------------------------------------------------------------------------------------


def _require_staff(deps: Deps, actor: Actor) -> None:
    if not deps.roles.is_staff(actor):
        raise NotAllowed("Partners are our community's own list: only our staff can see it.")


def partners_page(deps: Deps, actor: Actor, page: int = 0) -> tuple[str, list[dict[str, Any]]]:
    now = deps.clock.now()
    with deps.session_factory() as session:
        lines, total = partners.quietest_first(session, limit=LIST_SIZE, offset=page * LIST_SIZE)
        if not lines and page > 0:  # the list shrank since the button was drawn: its last page
            page = max(0, (total - 1) // LIST_SIZE)
            lines, total = partners.quietest_first(session, limit=LIST_SIZE, offset=page * LIST_SIZE)
    return views.partners_list(lines, total=total, today=now.astimezone(deps.settings.zone).date(),
                               zone=deps.settings.zone, coordinator=deps.roles.is_coordinator(actor), page=page,
                               page_size=LIST_SIZE)  # fmt: skip


def _page_button(deps: Deps) -> Listener:
    @action_guard
    def partners_page_button(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor = actor_of(body)
        _require_staff(deps, actor)
        value = action_value(body)  # ASCII digits, at most five: a huge number would reach the database as OFFSET
        page = parse_page(int(value)) if value.isascii() and value.isdigit() and len(value) <= 5 else None
        if page is None:
            raise UserError("That page button is out of date; run /partners again.")
        text, shown = partners_page(deps, actor, page)
        respond(text=text, blocks=shown, response_type="ephemeral", replace_original=True)

    return partners_page_button


def _partner_options(deps: Deps) -> Listener:
    """The pickers' options beyond 100 partners, as the person types. Slack waits 3 seconds and shows nothing on
    an error, so anything wrong is an empty list (logged), and only our staff get names."""

    def partner_options(ack: Ack, body: dict[str, Any]) -> None:
        typed = body.get("value")
        try:
            if not deps.roles.is_staff(actor_of(body)) or not isinstance(typed, str):
                ack(options=[])
                return
            with deps.session_factory() as session:
                found = partners.search_partners(session, typed, limit=views.MAX_OPTIONS)
        except Exception:
            log.exception("the partner picker's options failed (ref %s)", reference())
            ack(options=[])
            return
        ack(options=views.partner_options(found))

    return partner_options


def partner_form(deps: Deps, partner_id: int, *, name: str = "") -> dict[str, Any]:
    with deps.session_factory() as session:
        current = None
        if partner_id:
            current = partners.get_partner(session, partner_id)
        elif name:
            current = partners.find_by_name(session, name)
            if current is None:
                raise UserError(f"No partner is called {name!r}; `/partners` lists them.")
        channels = partners.channels_of(session, [current.id]).get(current.id, []) if current else []
        return views.partner_modal(current, channels=channels)


def touch_form(deps: Deps, chosen: int | None = None) -> dict[str, Any]:
    with deps.session_factory() as session:
        listed = partners.active_partners(session, limit=views.MAX_OPTIONS + 1)
    if not listed:
        raise UserError("There are no partners to log contact with yet: a coordinator adds them with `/partners add`.")
    return views.touch_modal(listed, chosen=chosen)


def notify_form(deps: Deps) -> dict[str, Any]:
    with deps.session_factory() as session:
        return views.notify_modal(partners.active_partners(session, limit=views.MAX_OPTIONS + 1))


def _open_after_ack(deps: Deps, client: WebClient, respond: Respond, trigger: str, build: Callable[[], Any]) -> None:
    def open_it() -> None:
        try:
            client.views_open(trigger_id=trigger, view=build())
        except UserError as exc:
            respond(text=exc.message, response_type="ephemeral")
        except SlackApiError as exc:
            log.warning("views.open failed for /partners: %s", exc.response.get("error"))
            respond(text=f"Slack would not open the form ({exc.response.get('error')}). Please try again.")

    deps.after_ack.submit(open_it)


def _partners_command(deps: Deps) -> Listener:
    @command_guard
    def partners_command(ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient,
                         respond: Respond) -> None:  # fmt: skip
        verb, _, rest = (command.get("text") or "").strip().partition(" ")
        verb = verb.lower()
        actor, trigger = actor_of(body), str(command.get("trigger_id"))
        if verb in ("help", "?"):
            ack(text=HELP)
            return
        _require_staff(deps, actor)
        if verb in ("", "list"):
            text, shown = partners_page(deps, actor)
            ack(text=text, blocks=shown)
            return
        if verb in ("log", "touch"):
            ack()
            _open_after_ack(deps, client, respond, trigger, lambda: touch_form(deps))
            return
        if verb not in ("add", "edit", "notify"):
            raise UserError(f"I don't know `/partners {verb}`. Try `/partners help`.")
        access.require_coordinator(deps.roles, actor)
        if verb == "edit" and not rest.strip():
            raise UserError("Say which partner: `/partners edit Maple Management`.")
        # The edit form is built now, so an unknown name is told in the answer; opened as built after the ack.
        edit_form = partner_form(deps, 0, name=rest.strip()) if verb == "edit" else None
        ack()
        build = {"add": lambda: partner_form(deps, 0), "edit": lambda: edit_form,
                 "notify": lambda: notify_form(deps)}[verb]  # fmt: skip
        _open_after_ack(deps, client, respond, trigger, build)

    return partners_command


def _touch_command(deps: Deps) -> Listener:
    @command_guard
    def touch_command(ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient,
                      respond: Respond) -> None:  # fmt: skip
        _require_staff(deps, actor_of(body))
        ack()
        _open_after_ack(deps, client, respond, str(command.get("trigger_id")), lambda: touch_form(deps))

    return touch_command


def _open_from_button(deps: Deps, *, coordinator: bool, build: Callable[[Deps, dict[str, Any]], Any]) -> Listener:
    @action_guard
    def open_partner_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        actor = actor_of(body)
        _require_staff(deps, actor)
        if coordinator:
            access.require_coordinator(deps.roles, actor)
        open_modal(client, str(body.get("trigger_id")), build(deps, body))

    return open_partner_form


# -- the Home tab (called from handlers/home.py) ------------------------------------------------------------------


def home_blocks(deps: Deps, session: Any, actor: Actor, *, scope: str) -> list[dict[str, Any]]:
    """Quiet partners this month: all of them for a coordinator, an owner's own for an owner, nothing for anyone
    else (the list is our staff's: a partner's people never see it)."""
    if scope == home.NOTHING or not deps.roles.is_staff(actor):
        return []
    everyone = deps.roles.is_coordinator(actor)
    if not everyone and not partners.owns_partners(session, actor.user_id):
        return []
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    lines, total = partners.quiet_this_month(session, today=today, owner=None if everyone else actor.user_id)
    if everyone and total == 0 and not partners.has_partners(session):
        return []  # no partners listed yet: nothing to say
    return views.home_section(lines, total=total, today=today, zone=deps.settings.zone, everyone=everyone)


# -- forms -------------------------------------------------------------------------------------------------------------


def _selected(values: dict[str, Any], block_id: str, key: str) -> Any:
    """An element's selection the shared reader does not know (users_select, multi_channels_select)."""
    block = values.get(block_id)
    element = next(iter(block.values()), None) if isinstance(block, dict) else None
    return element.get(key) if isinstance(element, dict) else None


def _picked(values: dict[str, Any], block_id: str) -> tuple[str, ...]:
    """The chosen options' values of a partner picker, static or external, single or multiple."""
    block = values.get(block_id)
    element = next(iter(block.values()), None) if isinstance(block, dict) else None
    if not isinstance(element, dict):
        return ()
    one, many = element.get("selected_option"), element.get("selected_options")
    chosen = [one] if isinstance(one, dict) else many if isinstance(many, list) else []
    return tuple(o["value"] for o in chosen if isinstance(o, dict) and isinstance(o.get("value"), str))


def _partner_draft(values: dict[str, Any]) -> partners.PartnerDraft:
    channels = _selected(values, "channels", "selected_channels")
    owner = _selected(values, "owner_id", "selected_user")
    return partners.PartnerDraft(
        name=str(input_value(values, "name")), kind=str(input_value(values, "kind")),
        team_id=str(input_value(values, "team_id")),
        channels=tuple(c for c in channels if isinstance(c, str)) if isinstance(channels, list) else (),
        contact_users=tuple(input_value(values, "contact_users")), owner_id=owner if isinstance(owner, str) else "",
        active="inactive" not in input_value(values, "active"),
    )  # fmt: skip


def _partner_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="name")
    def partner_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        actor, now = actor_of(body), deps.clock.now()
        access.require_coordinator(deps.roles, actor)
        partner_id = views.read_meta(view.get("private_metadata"), "partner_id")
        draft = partners.check_partner(_partner_draft(view["state"]["values"]))
        with deps.session_factory.begin() as session:
            if first_submission(session, submission_key(body), now=now):  # else a replay: stored once
                partners.save_partner(session, draft, partner_id=partner_id or None, actor=actor, now=now)
        ack()
        if draft.owner_id:  # their nudge comes at the start of their own working day
            zones.learn_soon(deps, client, (draft.owner_id,))

    return partner_submitted


def _touch_submitted(deps: Deps) -> Listener:
    @view_guard(fallback_block="partner")
    def touch_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, now = actor_of(body), deps.clock.now()
        _require_staff(deps, actor)
        values = view["state"]["values"]
        partner_id = parse_row_id(next(iter(_picked(values, "partner")), ""))
        if partner_id is None:
            raise FormErrors({"partner": "Choose the partner."})
        note = partners.check_note(str(input_value(values, "note")), today=now.astimezone(deps.settings.zone).date())
        with deps.session_factory.begin() as session:
            if first_submission(session, submission_key(body), now=now):
                partners.log_touch(session, partner_id, kind=str(input_value(values, "kind")), note=note, actor=actor,
                                   now=now, zone=deps.settings.zone)  # fmt: skip
        ack()

    return touch_submitted


def _broadcast_draft(values: dict[str, Any]) -> partners.BroadcastDraft:
    mode = str(input_value(values, "audience"))
    audience = partners.Audience(mode) if mode in set(partners.Audience) else partners.Audience.ALL
    chosen = tuple(n for n in (parse_row_id(v) for v in _picked(values, "partners")) if n is not None)
    return partners.BroadcastDraft(text=str(input_value(values, "text")), audience=audience,
                                   kind=str(input_value(values, "kind")), chosen=chosen)  # fmt: skip


def _notify_previewed(deps: Deps) -> Listener:
    @view_guard(fallback_block="text")
    def notify_previewed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, now = actor_of(body), deps.clock.now()
        access.require_coordinator(deps.roles, actor)
        draft = partners.check_broadcast(_broadcast_draft(view["state"]["values"]),
                                         today=now.astimezone(deps.settings.zone).date())  # fmt: skip
        with deps.session_factory.begin() as session:
            try:
                row = partners.draft_broadcast(session, draft, actor=actor, now=now)
            except FormErrors as exc:
                raise FormErrors({"audience": exc.errors["audience"]}) from None
            preview = views.notify_preview(row.id, text=row.text, partners=len(row.audience["partners"]),
                                           channels=len(row.channels))  # fmt: skip
        ack(response_action="update", view=preview)

    return notify_previewed


def _notify_confirmed(deps: Deps) -> Listener:
    @view_guard(fallback_block="broadcast")
    def notify_confirmed(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        actor = actor_of(body)
        access.require_coordinator(deps.roles, actor)
        broadcast_id = views.read_meta(view.get("private_metadata"), "broadcast_id")
        ack()
        deps.after_ack.submit(send_update, deps, client, actor, broadcast_id)

    return notify_confirmed


def send_update(deps: Deps, client: WebClient, actor: Actor, broadcast_id: int) -> None:
    """After the answer: find the coordinator's DM (its progress message is kept there), then queue everything."""
    try:
        progress_channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
    except SlackApiError as exc:
        log.warning("could not open the coordinator's DM for broadcast #%s: %s", broadcast_id,
                    exc.response.get("error"))  # fmt: skip
        progress_channel = actor.user_id
    try:
        with deps.session_factory.begin() as session:
            sent = partners.send_broadcast(session, broadcast_id, actor=actor, progress_channel=progress_channel,
                                           now=deps.clock.now(), zone=deps.settings.zone)  # fmt: skip
            log.info("broadcast #%s queued for %s channels", sent.id, len(sent.channels))
    except UserError as exc:
        log.info("broadcast #%s not sent again: %s", broadcast_id, exc.message)
        return
    except Exception:
        ref = reference()
        log.exception("broadcast #%s could not be queued (ref %s)", broadcast_id, ref)
        client.chat_postMessage(channel=actor.user_id, text=f"Your update could not be sent; nothing went out. "
                                f"Please try again, or quote ref {ref}.")  # fmt: skip
        return
    deps.wake_outbox()


# -- the monthly nudge's buttons ---------------------------------------------------------------------------------


def _nudge_button(deps: Deps, what: str) -> Listener:
    @action_guard
    def nudge_button(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        actor, now = actor_of(body), deps.clock.now()
        partner_id, month = views.read_nudge_value(action_value(body))
        coordinators = tuple(deps.settings.coordinators)
        with deps.session_factory.begin() as session:
            if what == "logged":
                partner = partners.nudge_logged_call(
                    session, partner_id, month=month, actor=actor, coordinators=coordinators, now=now,
                    zone=deps.settings.zone,
                )  # fmt: skip
                text = f"Logged a call with {partner.name} today. Thank you."
            elif what == "snooze":
                until = partners.nudge_snooze(session, partner_id, month=month, actor=actor,
                                              coordinators=coordinators, now=now)  # fmt: skip
                name = partners.get_partner(session, partner_id).name
                day = until.astimezone(deps.settings.zone)
                text = f"I'll remind you about {name} again on {day:%a %-d %b}, if we still haven't heard from them."
            else:
                partner = partners.nudge_not_needed(session, partner_id, month=month, actor=actor,
                                                    coordinators=coordinators, now=now)  # fmt: skip
                text = f"Noted: no contact with {partner.name} needed this month."
        respond(text=text, response_type="ephemeral", replace_original=False)

    nudge_button.__name__ = f"partner_nudge_{what}"
    return nudge_button
