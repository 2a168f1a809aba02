"""The planning side: workspaces, members, plans and what each RACE stage holds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Trim
from simple_history.models import HistoricalRecords

from race_planner.dates import check_in_range
from race_planner.numbers import MONEY_DIGITS, MONEY_PLACES, VALUE_DIGITS, VALUE_PLACES


class Stage(models.TextChoices):
    """The overview stage and the four RACE stages, in funnel order."""

    PLAN = "plan", "Plan"
    REACH = "reach", "Reach"
    ACT = "act", "Act"
    CONVERT = "convert", "Convert"
    ENGAGE = "engage", "Engage"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Audience(models.TextChoices):
    B2C = "b2c", "B2C"
    B2B = "b2b", "B2B"
    BOTH = "both", "B2C and B2B"


class ItemAudience(models.TextChoices):
    ALL = "all", "All"
    B2C = "b2c", "B2C"
    B2B = "b2b", "B2B"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Media(models.TextChoices):
    PAID = "paid", "Paid"
    OWNED = "owned", "Owned"
    EARNED = "earned", "Earned"


class TacticStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENT = "percent", "Percent"
    CURRENCY = "currency", "Currency"
    RATIO = "ratio", "Ratio"
    SCORE = "score", "Score"
    DURATION = "duration", "Duration"


def allows_negative(unit: str) -> bool:
    """Only scores go below zero (an NPS runs from -100 to 100); a negative count, percentage,
    amount of money, ratio or duration means nothing."""
    return unit == Unit.SCORE


class Cadence(models.TextChoices):
    """How often a KPI's owner is expected to record an actual (reminders follow it)."""

    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    NONE = "none", "No check-ins"


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


def _choice_check(
    field: str, choices: type[models.TextChoices], model: str
) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=f"{model}_{field}_valid"
    )


class Versioned(models.Model):
    """A row edited in forms: `version` goes up on every save so stale forms can be refused."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Workspace(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workspace__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="membership_unique_per_pair"
            ),
            _choice_check("role", Role, "membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class Plan(Versioned):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=120)
    audience = models.CharField(max_length=4, choices=Audience.choices, default=Audience.B2C)
    period_start = models.DateField(validators=[check_in_range])
    period_end = models.DateField(validators=[check_in_range])
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code, e.g. EUR")
    summary = models.TextField(blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rolled_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rolled_into"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Goes up by one with every write to what the worksheet's stages show (plans/revisions.py):
    # the worksheet keeps its stages' HTML under it (plans/worksheet/cache.py). Not a change
    # anyone made to the plan, so not in its history.
    content_revision = models.PositiveBigIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["content_revision"])

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"
            ),
            _choice_check("audience", Audience, "plan"),
            _choice_check("status", PlanStatus, "plan"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        creating = self._state.adding
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if creating:
            # Every plan has exactly one worksheet per stage from the start, whoever creates it.
            StageWorksheet.objects.bulk_create(
                [StageWorksheet(plan=self, stage=stage) for stage in Stage.values]
            )

    @property
    def audiences(self) -> list[str]:
        """The concrete audiences the plan serves: ["b2c"], ["b2b"] or both."""
        if self.audience == Audience.BOTH:
            return [Audience.B2C.value, Audience.B2B.value]
        return [self.audience]


class StageWorksheet(Versioned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="worksheets")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    opportunity = models.TextField(blank=True, max_length=4000)
    strategy = models.TextField(blank=True, max_length=4000)
    actions = models.TextField(blank=True, max_length=4000)
    primary_kpi = models.ForeignKey(
        "KPI", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "stage"], name="worksheet_one_per_stage"),
            _choice_check("stage", Stage, "worksheet"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_stage_display()}"

    @property
    def funnel_kpi(self) -> KPI | None:
        """The primary KPI, unless it was deleted from the worksheet (the link waits for a restore)."""
        return _live(self.primary_kpi)


class StageItem(Versioned):
    """What objectives, tactics and KPIs share: a plan, a stage, an audience and a place in the list."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="%(class)ss")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    audience = models.CharField(
        max_length=3, choices=ItemAudience.choices, default=ItemAudience.ALL
    )
    description = models.TextField(blank=True, max_length=4000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class LiveKPIs(models.Manager["KPI"]):
    """KPIs not deleted from the worksheet: the default, so `plan.kpis` and forms never see
    deleted ones."""

    def get_queryset(self) -> models.QuerySet[KPI]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class KPI(StageItem):
    """A measure of a stage. Deleting one from the worksheet only marks it deleted (`deleted_at`):
    its actuals and the links to it stay in place, hidden, and a restore brings all of it back."""

    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline = models.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, default=Decimal("0")
    )
    target = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    definition = models.CharField(max_length=300, blank=True)
    preset_key = models.CharField(max_length=80, blank=True)
    # Who records its actuals; none set means the plan's creator (see `responsible_id`).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A member of the workspace; empty means whoever created the plan.",
    )
    cadence = models.CharField(
        "Check-in cadence", max_length=7, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = LiveKPIs()
    with_deleted = models.Manager["KPI"]()

    class Meta(StageItem.Meta):
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            # "Sessions", "sessions " and " SESSIONS" are one name (see `name_key`).
            models.UniqueConstraint(
                "plan",
                Lower(Trim("name")),
                condition=Q(deleted_at__isnull=True),
                name="kpi_name_unique_in_plan",
            ),
            _choice_check("stage", Stage, "kpi"),
            _choice_check("audience", ItemAudience, "kpi"),
            _choice_check("unit", Unit, "kpi"),
            _choice_check("direction", Direction, "kpi"),
            _choice_check("cadence", Cadence, "kpi"),
        ]

    def __str__(self) -> str:
        return self.name


def members_of(workspace_id: int) -> models.QuerySet[Any]:
    """The users of a workspace, by name: who may own its KPIs."""
    return (
        get_user_model().objects.filter(memberships__workspace_id=workspace_id).order_by("username")
    )


def person(user: Any) -> str:
    """How a member is named on pages and in emails: full name, else username."""
    return str(user.get_full_name() or user.username)


def responsibility(kpi: KPI) -> str:
    """Who checks a KPI in and how often, in a few words: "Owner Ann Lee, weekly check-ins"."""
    owner = person(kpi.owner) if kpi.owner else "the plan's creator"
    if kpi.cadence == Cadence.NONE:
        return f"Owner {owner}, no check-ins"
    return f"Owner {owner}, {kpi.cadence} check-ins"


def name_key(name: str) -> str:
    """What makes two KPI names the same: case and surrounding spaces do not count."""
    return name.strip().lower()


def _live(kpi: KPI | None) -> KPI | None:
    return kpi if kpi is not None and kpi.deleted_at is None else None


class Objective(StageItem):
    title = models.CharField(max_length=200)
    kpi = models.ForeignKey(
        KPI, on_delete=models.SET_NULL, null=True, blank=True, related_name="objectives"
    )
    target_date = models.DateField(null=True, blank=True, validators=[check_in_range])
    history = HistoricalRecords()

    class Meta(StageItem.Meta):
        constraints = [
            _choice_check("stage", Stage, "objective"),
            _choice_check("audience", ItemAudience, "objective"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def measured_by(self) -> KPI | None:
        """The linked KPI, unless it was deleted from the worksheet (the link waits for a restore)."""
        return _live(self.kpi)


class Tactic(StageItem):
    title = models.CharField(max_length=200)
    channel = models.CharField(max_length=80, blank=True)
    media = models.CharField(max_length=6, choices=Media.choices, default=Media.OWNED)
    owner = models.CharField(max_length=120, blank=True)
    budget_planned = models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    budget_spent = models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    start_date = models.DateField(null=True, blank=True, validators=[check_in_range])
    end_date = models.DateField(null=True, blank=True, validators=[check_in_range])
    status = models.CharField(
        max_length=8, choices=TacticStatus.choices, default=TacticStatus.PLANNED
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="tactics"
    )
    history = HistoricalRecords()

    class Meta(StageItem.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_planned__gte=0) & Q(budget_spent__gte=0),
                name="tactic_budgets_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="tactic_dates_ordered",
            ),
            _choice_check("stage", Stage, "tactic"),
            _choice_check("audience", ItemAudience, "tactic"),
            _choice_check("media", Media, "tactic"),
            _choice_check("status", TacticStatus, "tactic"),
        ]

    def __str__(self) -> str:
        return self.title
