"""The periodic job on the worker that `make run` starts. django-tasks has no scheduler, so the
job enqueues its own next run (run_after). Chains can multiply (`make run` started twice, a job
enqueued by hand): each run first takes its time slot (a unique row); a run that finds its slot
taken ends its chain, so within a slot or two one chain is left. The work itself is safe to
repeat anyway (nudges/delivery.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from nudges.models import Tick
from nudges.runner import run

EVERY = timedelta(minutes=5)


def slot_of(now: datetime) -> datetime:
    seconds = int(EVERY.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def take_slot(slot: datetime) -> bool:
    try:
        with transaction.atomic():
            Tick.objects.create(slot=slot)
    except IntegrityError:
        return False
    Tick.objects.filter(slot__lt=slot - timedelta(days=1)).delete()  # keep the table small
    return True


@task()
def send_nudges_periodically() -> str:
    now = timezone.now()
    slot = slot_of(now)
    if not take_slot(slot):
        return "slot taken by another chain; this one ends"
    try:
        return str(run(now))
    finally:
        send_nudges_periodically.using(run_after=slot + EVERY).enqueue()
