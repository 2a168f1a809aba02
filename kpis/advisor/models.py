"""What the advisor stores: capability audits with their answers, and improvement actions taken."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kpis.advisor.areas import Area, Band
from plans.models import Plan, Tactic, Versioned, Workspace


class CapabilityAudit(Versioned):
    """A workspace's scoring of its digital marketing capability, one per calendar quarter."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    quarter_start = models.DateField()  # the first day of the quarter audited
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "kpis"
        ordering = ["workspace", "-quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "quarter_start"], name="audit_one_per_workspace_and_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"Capability audit of {self.workspace_id} for {self.quarter_start}"


class AuditAnswer(models.Model):
    """One question's score, 1 to 5, with the team's note; the key names the question's area."""

    audit = models.ForeignKey(CapabilityAudit, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "kpis"
        ordering = ["audit", "question"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="answer_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.score}"


class ImprovementAction(models.Model):
    """A library action added to a plan as a tactic; tracked by the tactic's status and dates.

    The title and area are copied from the library when added, so the record stays readable if
    the library's wording changes; the tactic may be deleted later (then `tactic` is empty).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=80)  # the library key, "<area>.<name>"
    area = models.CharField(max_length=12, choices=Area.choices)
    band = models.CharField(max_length=6, choices=Band.choices)
    title = models.CharField(max_length=200)
    tactic = models.ForeignKey(
        Tactic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "kpis"
        ordering = ["plan", "-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "action"], name="action_once_per_plan"),
            models.CheckConstraint(condition=Q(area__in=Area.values), name="action_area_valid"),
            models.CheckConstraint(condition=Q(band__in=Band.values), name="action_band_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} in plan {self.plan_id}"
