"""Demo data: workspace "Demo" with a B2C and a B2B plan, each with a quarter of weekly actuals.

Built the way a user builds a plan (`create_plan` from the presets, actuals through
`record_actuals`), so the demo shows what a new plan looks like once it is filled in.
Idempotent: users, workspace and plans are looked up by name and left alone when they exist.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from demo.audits import seed_audits
from kpis.actuals.recording import Actual, record_actuals
from kpis.advisor.actions.adding import add_action
from kpis.advisor.actions.library import ACTIONS
from kpis.models import Source
from plans.lifecycle import create_plan
from plans.models import (
    KPI,
    Audience,
    Membership,
    Objective,
    Plan,
    PlanStatus,
    Role,
    Stage,
    StageWorksheet,
    Tactic,
    TacticStatus,
    Workspace,
)
from plans.presets import stage_preset
from plans.revisions import content_changed
from plans.versioning import save_if_unchanged

WEEKS = 13


@dataclass(frozen=True)
class KPIStory:
    """Baseline, target and how far along the way the actuals got by the last week (1 = on plan)."""

    baseline: str
    target: str
    achieved: float


@dataclass(frozen=True)
class DemoPlan:
    name: str
    audience: str
    currency: str
    summary: str
    texts: dict[str, tuple[str, str, str]]  # stage -> (opportunity, strategy, actions)
    kpis: dict[str, KPIStory]  # preset key -> story; KPIs not listed are left out
    owners: tuple[str, ...]
    budgets: tuple[int, ...]


GREENSTYLE = DemoPlan(
    name="GreenStyle – online boutique growth",
    audience=Audience.B2C,
    currency="EUR",
    summary=(
        "GreenStyle sells sustainable fashion. Until now it posted on social media now and then "
        "and ran the odd ad. This quarter it runs a joined-up RACE plan: be seen by style-aware "
        "shoppers, win their e-mail address, make buying easy and bring them back."
    ),
    texts={
        "plan": (
            "Online sales are a fifth of revenue; the shop, not the stores, is where growth is.",
            "Fund all four stages from one budget, with a monthly look at what each euro returns.",
            "Agree stage targets in week 1 (Lena); fix purchase tracking by week 2 (Tom).",
        ),
        "reach": (
            "Instagram followers like the posts but rarely visit the shop; search traffic is flat.",
            "Short styling videos and two creator partnerships, backed by shopping ads on best sellers.",
            "Three Reels a week (Mia); creator briefs out by week 3 (Lena); ads live in week 1 (Tom).",
        ),
        "act": (
            "Most visitors leave without a trace: there is no reason to share an e-mail address.",
            "A style quiz and a welcome offer turn browsing into a sign-up we can follow up.",
            "Quiz live by week 4 (Mia); welcome series of three e-mails by week 3 (Jonas).",
        ),
        "convert": (
            "Carts are abandoned at shipping costs; the checkout has five steps.",
            "Shorter checkout, free shipping over 60 EUR and reminders for abandoned carts.",
            "One-page checkout by week 6 (Tom); cart reminders from week 2 (Jonas).",
        ),
        "engage": (
            "One buyer in five comes back; reviews are few and not shown on product pages.",
            "A loyalty club and review requests after delivery turn buyers into regulars.",
            # Left for the team to write: the health check's first finding on a new login.
            "",
        ),
    },
    kpis={
        "b2c-plan-online-revenue-contribution": KPIStory("21", "28", 1.0),
        "b2c-plan-online-revenue": KPIStory("38000", "52000", 1.05),
        "b2c-plan-net-promoter-score": KPIStory("31", "40", 0.97),
        "b2c-reach-unique-visitors": KPIStory("9000", "13500", 1.04),
        "b2c-reach-impressions": KPIStory("180000", "260000", 1.1),
        "b2c-reach-share-of-search": KPIStory("4.0", "5.5", 1.0),
        "b2c-reach-cost-per-click": KPIStory("0.62", "0.50", 1.0),
        "b2c-act-sign-ups": KPIStory("210", "420", 1.08),
        "b2c-act-sign-up-rate": KPIStory("2.3", "3.1", 0.97),
        "b2c-act-bounce-rate": KPIStory("58", "48", 0.84),
        "b2c-convert-orders": KPIStory("160", "300", 0.93),
        "b2c-convert-conversion-rate": KPIStory("1.1", "2.2", 0.95),
        "b2c-convert-average-order-value": KPIStory("54", "60", 1.0),
        "b2c-convert-roas": KPIStory("2.4", "3.5", 0.7),
        "b2c-engage-repeat-customers": KPIStory("32", "42", 1.0),
        "b2c-engage-repeat-purchase-rate": KPIStory("20", "26", 0.95),
        "b2c-engage-reviews": KPIStory("6", "20", 0.84),
    },
    owners=("Lena Brandt", "Mia Torres", "Tom Keller", "Jonas Weber"),
    budgets=(2500, 4000, 1500, 6000, 800, 1200, 3000),
)

FINTRACK = DemoPlan(
    name="FinTrack – pipeline and renewals",
    audience=Audience.B2B,
    currency="USD",
    summary=(
        "FinTrack makes finance-tracking software for small firms. The product is strong but few "
        "buyers know it. This quarter's plan builds awareness with finance leads, turns interest into "
        "demos with useful content, and protects renewals with regular customer reviews."
    ),
    texts={
        "plan": (
            "Most new business comes from founders' networks; marketing sources a third of pipeline.",
            "Make content and demos the main route to pipeline and measure it in the CRM.",
            "Pipeline targets per month agreed with sales (Priya); CRM source tracking by week 2 (Ben).",
        ),
        "reach": (
            "Finance managers research tools on LinkedIn and in review sites, where we are barely seen.",
            "Targeted LinkedIn campaigns to finance roles and search content for budgeting questions.",
            "Two LinkedIn campaigns from week 1 (Ben); four SEO articles a month (Ava).",
        ),
        "act": (
            "Visitors read the blog but few become leads; the demo form is the only way in.",
            "An ROI calculator and a monthly webinar give buyers a reason to raise their hand.",
            "ROI calculator live by week 4 (Ava); first webinar in week 3 (Priya).",
        ),
        "convert": (
            "Demos convert well, but SQLs stall while buyers build a business case.",
            "Give champions the case studies and ROI numbers they need for their finance director.",
            "Two case studies by week 6 (Ava); proposal template with ROI section (Priya).",
        ),
        "engage": (
            "Renewals are decent but nobody talks to customers between invoices.",
            "Quarterly business reviews with key accounts and a customer newsletter.",
            "QBRs for the top 20 accounts (Priya); monthly newsletter from week 2 (Ben).",
        ),
    },
    kpis={
        "b2b-plan-online-revenue-contribution": KPIStory("33", "40", 0.85),
        "b2b-plan-marketing-sourced-revenue": KPIStory("120000", "160000", 0.95),
        "b2b-plan-net-promoter-score": KPIStory("38", "45", 1.0),
        "b2b-reach-unique-visitors": KPIStory("3000", "4500", 1.0),
        "b2b-reach-impressions": KPIStory("60000", "95000", 1.05),
        "b2b-reach-cost-per-click": KPIStory("4.20", "3.60", 1.0),
        "b2b-act-mqls": KPIStory("60", "90", 0.96),
        "b2b-act-lead-conversion-rate": KPIStory("1.6", "2.0", 0.9),
        "b2b-act-cost-per-lead": KPIStory("140", "110", 0.6),
        "b2b-convert-won-deals": KPIStory("4", "6", 1.0),
        "b2b-convert-sql-rate": KPIStory("24", "30", 1.04),
        "b2b-convert-close-rate": KPIStory("18", "22", 0.85),
        "b2b-engage-renewals": KPIStory("10", "12", 1.0),
        "b2b-engage-churn-rate": KPIStory("3.0", "2.4", 1.0),
        "b2b-engage-referrals": KPIStory("2", "5", 1.0),
    },
    owners=("Priya Shah", "Ben Ortiz", "Ava Lindqvist"),
    budgets=(5000, 9000, 2000, 3500, 1500, 7000, 2500),
)

DEMO_PLANS = (GREENSTYLE, FINTRACK)

# The 90-day plan's actions each demo plan took five weeks ago, and how far each got, so the
# tracking on its 90-day plan page has something to show on first login.
DEMO_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    GREENSTYLE.name: (
        ("engage.review_requests", TacticStatus.DONE),
        ("engage.second_purchase", TacticStatus.RUNNING),
    ),
    FINTRACK.name: (
        ("measurement.utm_tags", TacticStatus.DONE),
        ("convert.proof_pack", TacticStatus.RUNNING),
    ),
}


@dataclass(frozen=True)
class SeedReport:
    created_users: int
    created_plans: int


def demo_period(today: date) -> tuple[date, date]:
    """Thirteen weeks ending with the current week, so the demo always looks current."""
    this_monday = today - timedelta(days=today.weekday())
    start = this_monday - timedelta(weeks=WEEKS - 1)
    return start, start + timedelta(weeks=WEEKS, days=-1)


@transaction.atomic
def seed_demo(*, today: date | None = None) -> SeedReport:
    today = today or date.today()
    workspace, _ = Workspace.objects.get_or_create(slug="demo", defaults={"name": "Demo"})
    created_users = 0
    users = {}
    for username, role, full_name in (
        ("marketer", Role.EDITOR, "Mara Keting"),
        ("manager", Role.VIEWER, "Max Nager"),
    ):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": full_name.split()[0], "last_name": full_name.split()[1]},
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created_users += 1
        Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": role})
        users[username] = user

    created_plans = 0
    for demo in DEMO_PLANS:
        if not Plan.objects.filter(workspace=workspace, name=demo.name).exists():
            _create_plan(demo, workspace, users["marketer"], today)
            created_plans += 1
    seed_audits(workspace, users["marketer"], today)
    return SeedReport(created_users=created_users, created_plans=created_plans)


def _create_plan(demo: DemoPlan, workspace: Workspace, author: User, today: date) -> Plan:
    start, end = demo_period(today)
    filler = _DemoFiller(demo, start, end)
    plan = create_plan(
        workspace=workspace,
        name=demo.name,
        audience=demo.audience,
        period_start=start,
        period_end=end,
        currency=demo.currency,
        created_by=author,
        preset_keys=_chosen(demo),
        status=PlanStatus.ACTIVE,
        summary=demo.summary,
        fill_in=filler.fill_in,
    )
    for stage, (opportunity, strategy, actions) in demo.texts.items():
        StageWorksheet.objects.filter(plan=plan, stage=stage).update(
            opportunity=opportunity, strategy=strategy, actions=actions
        )
    content_changed([plan.pk])  # update() sends no signals
    record_actuals(filler.actuals, source=Source.MANUAL, user=None)
    _take_actions(plan, author, today)
    return plan


def _take_actions(plan: Plan, author: User, today: date) -> None:
    """Through the 90-day plan's own "Add to plan", then moved on as the team would."""
    added_on = max(plan.period_start, today - timedelta(weeks=5))
    for key, status in DEMO_ACTIONS.get(plan.name, ()):
        tactic = add_action(plan, ACTIONS[key], user=author, today=added_on).tactic
        tactic.status = status
        save_if_unchanged(tactic, expected_version=tactic.version, fields=["status"])


def _chosen(demo: DemoPlan) -> set[str]:
    """The demo's KPIs and every suggested objective and tactic."""
    keys = set(demo.kpis)
    for stage in Stage.values:
        preset = stage_preset(demo.audience, stage)
        keys.update(o.key for o in preset.objectives)
        keys.update(t.key for t in preset.tactics)
    return keys


@dataclass
class _DemoFiller:
    """Fills in the suggested items as a team would after a quarter: numbers, owners, budgets.

    One random stream, seeded by the plan's name, drawn in the order the items are made, so
    the demo is the same on every machine.
    """

    demo: DemoPlan
    start: date
    end: date
    actuals: list[Actual] = field(default_factory=list)
    objectives: dict[str, list[Objective]] = field(default_factory=dict)
    budget_index: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.demo.name)  # noqa: S311 -- demo noise, not secrets

    def fill_in(self, row: KPI | Objective | Tactic) -> None:
        if isinstance(row, KPI):
            self._kpi(row)
        elif isinstance(row, Objective):
            row.title = _objective_title(row.title, row.measured_by, self.demo)
            row.target_date = self.end
            self.objectives.setdefault(row.stage, []).append(row)
        else:
            self._tactic(row)

    def _kpi(self, kpi: KPI) -> None:
        story = self.demo.kpis[kpi.preset_key]
        kpi.baseline, kpi.target = Decimal(story.baseline), Decimal(story.target)
        self.actuals.extend(_weekly_actuals(kpi, story, self.start, self.rng))

    def _tactic(self, tactic: Tactic) -> None:
        demo, position = self.demo, tactic.position
        planned = Decimal(demo.budgets[self.budget_index % len(demo.budgets)])
        self.budget_index += 1
        progress = Decimal(self.rng.choice(("0.35", "0.6", "0.8", "0.95", "1.05")))
        tactic.owner = demo.owners[self.budget_index % len(demo.owners)]
        tactic.budget_planned = planned
        tactic.budget_spent = (planned * progress).quantize(Decimal("1"))
        tactic.start_date, tactic.end_date = self.start + timedelta(weeks=position), self.end
        if position == 0 and tactic.stage == Stage.PLAN:
            tactic.status = TacticStatus.DONE
        else:
            tactic.status = TacticStatus.RUNNING if position < 2 else TacticStatus.PLANNED
        objectives = self.objectives.get(tactic.stage, [])
        tactic.objective = objectives[position % len(objectives)] if objectives else None


def _objective_title(preset_title: str, kpi: KPI | None, demo: DemoPlan) -> str:
    """The demo's own numbers in the objective, so titles and KPI targets tell the same story."""
    if kpi is None:
        return preset_title
    verb = "Raise" if kpi.direction == "up" else "Bring down"
    name = (
        kpi.name if kpi.name[1:2].isupper() else kpi.name[0].lower() + kpi.name[1:]
    )  # keep "MQLs"
    per_week = " a week" if kpi.unit == "count" else ""
    return (
        f"{verb} {name} from {_shown(kpi.baseline, kpi.unit, demo)} "
        f"to {_shown(kpi.target, kpi.unit, demo)}{per_week} by the end of the quarter"
    )


def _shown(value: Decimal, unit: str, demo: DemoPlan) -> str:
    if unit == "currency":
        return f"{demo.currency} {value:,.2f}".replace(".00", "")
    number = f"{value.normalize():,f}"
    return f"{number} %" if unit == "percent" else number


def _weekly_actuals(kpi: KPI, story: KPIStory, start: date, rng: random.Random) -> list[Actual]:
    """Weekly actuals moving from the baseline toward `achieved` of the planned change, with noise."""
    baseline, target = float(kpi.baseline), float(kpi.target)
    change = target - baseline
    places = 0 if kpi.unit == "count" else 2
    actuals = []
    for week in range(WEEKS):
        share = (week + 1) / WEEKS * story.achieved
        noise = rng.uniform(-0.04, 0.04) * abs(change)
        value = round(baseline + change * share + noise, places)
        note = "Weekly check-in" if week % 4 else "Monthly report"
        actuals.append(
            Actual(kpi=kpi, on=start + timedelta(weeks=week), value=Decimal(str(value)), note=note)
        )
    return actuals
