"""Reminder messages: what the managers and the coordinators are told when an answer is late. Plain text:
numbers, units and mentions only (the managers' reminder goes to a thread that may be in a shared channel)."""

from __future__ import annotations

from bot.slack.blocks.cards import _addressed
from bot.slack.text import escape
from storage.models import Referral, Vacancy


def referral_answer_due(referral: Referral, *, managers: list[str], hours: int) -> str:
    return (
        f"{_addressed(managers)}: referral *R-{referral.id}* from <@{referral.created_by}> has waited {hours} "
        "business hours for an answer. Please *Accept* or *Deny* it above; the coordinators are told at 48."
    )


def referral_answer_overdue(referral: Referral, vacancy: Vacancy, *, hours: int) -> str:
    return (
        f":hourglass: Referral *R-{referral.id}* for {escape(vacancy.property_name)} #{escape(vacancy.unit)} "
        f"(V-{vacancy.id}) has had no answer for {hours} business hours. <@{referral.created_by}> is waiting; "
        "the property's managers were reminded at 24."
    )
