"""The worksheet over HTTP: every view's happy path, its htmx path, outsiders, viewers, budgets."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import KPI, Objective, Plan, StageWorksheet, Tactic, Workspace
from tests.factories import (
    fill_worksheet,
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
)

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _sheet(plan: Plan, stage: str = "reach") -> StageWorksheet:
    return plan.worksheets.get(stage=stage)


def _ws_data(sheet: StageWorksheet, **values: str) -> dict[str, str]:
    prefix = f"ws-{sheet.stage}"
    data = {f"{prefix}-{k}": getattr(sheet, k) for k in ("opportunity", "strategy", "actions")}
    data[f"{prefix}-primary_kpi"] = str(sheet.primary_kpi_id or "")
    data[f"{prefix}-version"] = str(sheet.version)
    data.update({f"{prefix}-{k}": v for k, v in values.items()})
    return data


def _tactic_data(prefix: str, **values: str) -> dict[str, str]:
    data = {
        "title": "Spring ads",
        "audience": "all",
        "channel": "Google Ads",
        "media": "paid",
        "owner": "Sam",
        "budget_planned": "1200",
        "budget_spent": "0",
        "start_date": "",
        "end_date": "",
        "status": "planned",
        "objective": "",
        "description": "",
    } | values
    return {f"{prefix}-{k}": v for k, v in data.items()}


def _kpi_data(prefix: str, **values: str) -> dict[str, str]:
    data = {
        "name": "Visitors",
        "audience": "all",
        "unit": "count",
        "direction": "up",
        "baseline": "100",
        "target": "200",
        "definition": "",
        "description": "",
    } | values
    return {f"{prefix}-{k}": v for k, v in data.items()}


# --- the page ---------------------------------------------------------------------------------


def test_editor_sees_forms_for_every_stage(editor_client: Client, plan: Plan) -> None:
    make_tactic(plan=plan, stage="reach", title="Spring reels", budget_planned="2500")
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    for stage in ("plan", "reach", "act", "convert", "engage"):
        assert f'id="ws-form-{stage}"' in html
        assert f'hx-get="/plans/{plan.pk}/stages/{stage}/tactic/new/?position=' in html
    assert "Spring reels" in html and "2,500 EUR" in html
    assert 'hx-post="/plans/' in html and 'hx-trigger="change"' in html
    assert "Guidance for B2C plans" in html and "Start next quarter from this plan" in html
    assert "plans/plan_actions_inc" not in html  # the include is rendered, not printed


def test_viewer_sees_no_edit_controls(viewer_client: Client, plan: Plan) -> None:
    make_tactic(plan=plan, title="Spring reels")
    html = viewer_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert "Spring reels" in html
    for control in ("Add tactic", ">Edit", "Delete", "ws-form-", "Plan settings", "hx-post"):
        assert control not in html, control
    assert "only editors of the workspace can change it" in html


def test_plan_for_both_audiences_shows_b2c_and_b2b_side_by_side(
    editor_client: Client, workspace: Workspace
) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    make_tactic(plan=plan, title="Creator videos", audience="b2c")
    make_tactic(plan=plan, title="LinkedIn ads", audience="b2b")
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert 'id="list-reach-tactic-b2c"' in html and 'id="list-reach-tactic-b2b"' in html
    b2c = html.index('id="list-reach-tactic-b2c"')
    b2b = html.index('id="list-reach-tactic-b2b"')
    assert b2c < html.index("Creator videos") < b2b < html.index("LinkedIn ads")
    assert "To B2B" in html and "To B2C" in html


@pytest.mark.parametrize("per_stage", [5, 50])
def test_worksheet_page_query_count_is_flat(
    editor_client: Client, plan: Plan, per_stage: int, django_assert_num_queries
) -> None:
    fill_worksheet(plan, per_stage=per_stage)
    for sheet in plan.worksheets.all():
        sheet.primary_kpi = plan.kpis.filter(stage=sheet.stage).first()
        sheet.save()
    # session, user, plan + role, worksheets, objectives, tactics, KPIs, and the KPIs' latest
    # actuals and statuses (kpis fills `plans.extensions.kpi_readings`), the header's unread
    # notifications (nudges)
    with django_assert_num_queries(9):
        response = editor_client.get(reverse("plans-detail", args=[plan.pk]))
    assert response.content.decode().count('class="item-row item-tactic"') == 5 * per_stage


@pytest.mark.parametrize("kind", ["objective", "tactic", "kpi"])
def test_every_row_partial_stays_within_six_queries_on_a_full_plan(
    editor_client: Client, plan: Plan, kind: str, django_assert_max_num_queries
) -> None:
    fill_worksheet(plan, per_stage=10)
    model = {"objective": Objective, "tactic": Tactic, "kpi": KPI}[kind]
    item = model._default_manager.filter(plan=plan, stage="act").order_by("position")[1]
    args = [plan.pk, kind, item.pk]
    for method, name, data in [
        ("get", "plans-item", {}),
        ("get", "plans-item-update", {}),
        ("get", "plans-item-delete", {}),
        ("post", "plans-item-move", {"direction": "up"}),
        ("post", "plans-item-delete", {}),
    ]:
        # A KPI row reads its latest actual and status: one query more; a write moves the
        # plan's content revision on: one more.
        reads_status = kind == "kpi" and name != "plans-item-update"
        with django_assert_max_num_queries(6 + reads_status + (method == "post")):
            response = getattr(editor_client, method)(reverse(name, args=args), data, **HX)
        assert response.status_code == 200, name
    assert not model._default_manager.filter(pk=item.pk).exists()


def test_saving_a_row_with_its_link_set_stays_within_six_queries(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    kpi = make_kpi(plan=plan, stage="reach", name="Visitors")
    objective = make_objective(plan=plan, stage="reach", title="Grow")
    tactic = make_tactic(plan=plan, stage="reach", title="Ads")
    sheet = _sheet(plan)
    objective_data = {"title": "Grow fast", "audience": "all", "kpi": str(kpi.pk), "version": "1"}
    posts = [
        (
            reverse("plans-item-update", args=[plan.pk, "objective", objective.pk]),
            {f"objective-{objective.pk}-{k}": v for k, v in objective_data.items()},
        ),
        (
            reverse("plans-item-update", args=[plan.pk, "tactic", tactic.pk]),
            _tactic_data(f"tactic-{tactic.pk}", objective=str(objective.pk), version="1"),
        ),
        (
            reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]),
            _ws_data(sheet, primary_kpi=str(kpi.pk)),
        ),
        (
            reverse("plans-item-create", args=[plan.pk, "reach", "objective"]),
            {f"new-objective-reach-{k}": v for k, v in objective_data.items() if k != "version"},
        ),
    ]
    for url, data in posts:
        with django_assert_max_num_queries(7):  # + the plan's content revision
            assert editor_client.post(url, data, **HX).status_code == 200
    assert [o.kpi for o in Objective.objects.all()] == [kpi, kpi]
    assert Tactic.objects.get().objective == objective
    assert _sheet(plan).primary_kpi == kpi


def test_outsider_gets_404_and_anonymous_goes_to_login(
    outsider_client: Client, client: Client, plan: Plan
) -> None:
    assert outsider_client.get(reverse("plans-detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans-detail", args=[plan.pk])).status_code == 302


def test_stage_nav_fragment_counts_items(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    make_kpi(plan=plan, stage="act")
    make_tactic(plan=plan, stage="act")
    with django_assert_max_num_queries(7):  # with the KPIs' statuses, for "1 on track"
        html = editor_client.get(reverse("plans-stage-nav", args=[plan.pk]), **HX).content.decode()
    assert 'id="stage-nav"' in html and 'Act <span class="count"' in html
    assert html.count(">2<") == 1
    # Every section heading's count comes along, out of band: the page keeps no tally itself.
    assert html.count('hx-swap-oob="true"') == 15
    assert 'id="count-act-kpi" hx-swap-oob="true">(1<span class="on-track-count">, 0 on' in html
    assert 'id="count-act-objective" hx-swap-oob="true">(0)<' in html


def test_objectives_follow_their_kpi_out_of_band(editor_client: Client, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, stage="reach", name="Visitors")
    lonely = make_kpi(plan=plan, stage="reach", name="Impressions")
    make_objective(plan=plan, stage="reach", kpi=kpi)
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    response = editor_client.post(
        url, _kpi_data(f"kpi-{kpi.pk}", name="Sessions", version="1"), **HX
    )
    renamed = f'<span hx-swap-oob="innerHTML:.kpi-name-{kpi.pk}">Sessions</span>'
    assert renamed in response.content.decode()
    url = reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk])
    html = editor_client.post(url, **HX).content.decode()
    assert f'hx-swap-oob="outerHTML:.measured-by-{kpi.pk}">No KPI linked<' in html
    # A KPI no objective names sends nothing to swap (htmx would report a missing target).
    url = reverse("plans-item-update", args=[plan.pk, "kpi", lonely.pk])
    data = _kpi_data(f"kpi-{lonely.pk}", name="Views", version="1")
    assert "hx-swap-oob" not in editor_client.post(url, data, **HX).content.decode()
    url = reverse("plans-item-delete", args=[plan.pk, "kpi", lonely.pk])
    assert editor_client.post(url, **HX).content == b""


# --- stage notes ------------------------------------------------------------------------------


def test_stage_notes_save_through_htmx(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    sheet = _sheet(plan)
    url = reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
    with django_assert_max_num_queries(7):  # + the plan's content revision
        response = editor_client.post(url, _ws_data(sheet, strategy="Video first"), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Saved at" in html
    assert 'value="2"' in html  # the form carries on with the new version
    # and a "Not saved" box left from an earlier conflict goes away
    assert '<div id="ws-conflict-reach" hx-swap-oob="true"></div>' in html
    sheet.refresh_from_db()
    assert sheet.strategy == "Video first" and sheet.version == 2
    assert sheet.history.first().history_user.username == "eddie-editor"


def test_stage_notes_plain_post_redirects_with_a_message(editor_client: Client, plan: Plan) -> None:
    sheet = _sheet(plan, "act")
    kpi = make_kpi(plan=plan, stage="act", name="Sign-ups")
    response = editor_client.post(
        reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]),
        _ws_data(sheet, actions="Quiz live", primary_kpi=str(kpi.pk)),
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("#stage-act")
    assert "Act worksheet saved." in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.primary_kpi == kpi and sheet.actions == "Quiz live"


def test_stale_stage_notes_are_refused_with_the_current_text(
    editor_client: Client, plan: Plan
) -> None:
    sheet = _sheet(plan)
    stale = _ws_data(sheet, strategy="Mine")
    sheet.strategy = "Theirs"
    sheet.version = 2
    sheet.save()
    response = editor_client.post(
        reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]), stale, **HX
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == "#ws-form-reach" and response["HX-Reswap"] == "outerHTML"
    assert "someone else saved this" in html and "Theirs" in html and "\nMine</textarea>" in html
    assert 'name="ws-reach-version" value="2"' in html
    sheet.refresh_from_db()
    assert sheet.strategy == "Theirs"


@pytest.mark.parametrize("refusal", ["conflict", "field error"])
def test_refused_stage_notes_say_not_saved_in_one_line(
    editor_client: Client, plan: Plan, refusal: str
) -> None:
    # The state line said "Changes are saved when you leave a field" beside "Not saved".
    sheet = _sheet(plan)
    data = _ws_data(sheet, strategy="Mine")
    if refusal == "conflict":
        StageWorksheet.objects.filter(pk=sheet.pk).update(version=2)
    else:
        data["ws-reach-opportunity"] = "x" * 4001
    html = editor_client.post(
        reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]), data, **HX
    ).content.decode()
    assert "Changes are saved when you leave a field" not in html
    assert 'save-state is-unsaved" role="status" aria-live="polite">\n    Not saved: ' in html


def test_over_long_stage_notes_get_a_field_error(editor_client: Client, plan: Plan) -> None:
    sheet = _sheet(plan)
    response = editor_client.post(
        reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]),
        _ws_data(sheet, opportunity="x" * 4001),
        **HX,
    )
    assert response.status_code == 200 and "at most 4000 characters" in response.content.decode()
    assert response["HX-Retarget"] == "#ws-form-reach"


def test_primary_kpi_field_lists_the_stage_kpis(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    make_kpi(plan=plan, stage="reach", name="Visitors")
    make_kpi(plan=plan, stage="act", name="Leads")
    sheet = _sheet(plan)
    with django_assert_max_num_queries(6):
        html = editor_client.get(
            reverse("plans-primary-kpi", args=[plan.pk, sheet.pk]), **HX
        ).content.decode()
    assert "Visitors" in html and "Leads" not in html and "kpisChanged-reach" in html


def test_primary_kpi_offers_and_accepts_only_count_kpis(editor_client: Client, plan: Plan) -> None:
    # A percentage as the funnel volume made the funnel show conversions of 125 %, 530 %…
    make_kpi(plan=plan, stage="reach", name="Visitors", unit="count")
    rate = make_kpi(plan=plan, stage="reach", name="Click rate", unit="percent")
    sheet = _sheet(plan)
    html = editor_client.get(
        reverse("plans-primary-kpi", args=[plan.pk, sheet.pk]), **HX
    ).content.decode()
    assert "Visitors" in html and "Click rate" not in html

    response = editor_client.post(
        reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]),
        _ws_data(sheet, primary_kpi=str(rate.pk)),
        **HX,
    )
    assert "Select a valid choice" in response.content.decode()
    assert _sheet(plan).primary_kpi is None


def test_a_stage_with_a_non_count_primary_kpi_says_why_and_asks_for_another(
    editor_client: Client, plan: Plan
) -> None:
    rate = make_kpi(plan=plan, stage="reach", name="Click rate", unit="percent")
    StageWorksheet.objects.filter(plan=plan, stage="reach").update(primary_kpi=rate)
    html = editor_client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert "“Click rate” is not a count (its unit is percent)" in html
    assert "Pick a count KPI, or add one." in html


def test_viewer_and_outsider_cannot_save_notes(
    viewer_client: Client, outsider_client: Client, plan: Plan
) -> None:
    sheet = _sheet(plan)
    url = reverse("plans-worksheet-update", args=[plan.pk, sheet.pk])
    assert viewer_client.post(url, _ws_data(sheet, strategy="x"), **HX).status_code == 403
    assert outsider_client.post(url, _ws_data(sheet, strategy="x"), **HX).status_code == 404
    other = make_plan()
    url = reverse("plans-worksheet-update", args=[plan.pk, _sheet(other).pk])
    assert viewer_client.post(url, {}).status_code == 404  # a worksheet of another plan


# --- objectives, tactics, KPIs ----------------------------------------------------------------


def test_add_a_tactic_with_a_budget_through_htmx(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    url = reverse("plans-item-create", args=[plan.pk, "reach", "tactic"])
    with django_assert_max_num_queries(7):  # + the plan's content revision
        response = editor_client.post(url, _tactic_data("new-tactic-reach", position="3"), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        response["HX-Retarget"] == "#list-reach-tactic-all" and response["HX-Reswap"] == "beforeend"
    )
    assert "Spring ads" in html and "1,200 EUR" in html
    assert 'id="add-reach-tactic"' in html and 'hx-swap-oob="outerHTML"' in html  # a fresh form
    assert "itemsChanged" in response["HX-Trigger"]
    tactic = Tactic.objects.get()
    assert (tactic.stage, tactic.budget_planned, tactic.position) == ("reach", Decimal("1200"), 3)


def test_add_form_is_fetched_when_opened(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    make_objective(plan=plan, stage="act", title="Double sign-ups")
    url = reverse("plans-item-create", args=[plan.pk, "act", "tactic"]) + "?position=4"
    with django_assert_max_num_queries(6):
        html = editor_client.get(url, **HX).content.decode()
    assert html.lstrip().startswith('<form id="add-act-tactic"')
    assert 'name="new-tactic-act-position" value="4"' in html and "Double sign-ups" in html


def test_add_with_bad_input_keeps_it_and_shows_errors(editor_client: Client, plan: Plan) -> None:
    url = reverse("plans-item-create", args=[plan.pk, "reach", "kpi"])
    response = editor_client.post(url, _kpi_data("new-kpi-reach", name="", target="abc"), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and not KPI.objects.exists()
    assert "This field is required." in html and "Enter a number, such as 1500" in html
    assert 'value="abc"' in html and 'id="add-reach-kpi"' in html


def test_add_kpi_with_a_taken_name_is_a_field_error(editor_client: Client, plan: Plan) -> None:
    make_kpi(plan=plan, stage="act", name="Visitors")
    url = reverse("plans-item-create", args=[plan.pk, "reach", "kpi"])
    response = editor_client.post(url, _kpi_data("new-kpi-reach"), **HX)
    assert "already has a KPI with that name" in response.content.decode()
    assert KPI.objects.count() == 1


def test_add_without_javascript(editor_client: Client, plan: Plan) -> None:
    url = reverse("plans-item-create", args=[plan.pk, "convert", "objective"])
    assert "Add objective" in editor_client.get(url).content.decode()
    response = editor_client.post(
        url,
        {"new-objective-convert-title": "Double orders", "new-objective-convert-audience": "all"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("#stage-convert")
    assert "Objective “Double orders” added to Convert." in response.content.decode()
    response = editor_client.post(url, {"new-objective-convert-title": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_unknown_kind_or_stage_is_404(editor_client: Client, plan: Plan) -> None:
    assert editor_client.get(f"/plans/{plan.pk}/stages/reach/budget/new/").status_code == 404
    assert (
        editor_client.get(reverse("plans-item-create", args=[plan.pk, "sales", "kpi"])).status_code
        == 404
    )


def test_edit_form_and_save_through_htmx(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    kpi = make_kpi(plan=plan, name="Visitors", target="200")
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    with django_assert_max_num_queries(6):
        html = editor_client.get(url, **HX).content.decode()
    assert 'class="item-row editing"' in html and f'name="kpi-{kpi.pk}-version" value="1"' in html
    data = _kpi_data(f"kpi-{kpi.pk}", target="250", version="1")
    with django_assert_max_num_queries(8):  # the row reads its status anew; the plan's revision
        response = editor_client.post(url, data, **HX)
    html = response.content.decode()
    assert "Saved" in html and "250" in html and "kpisChanged-reach" in response["HX-Trigger"]
    kpi.refresh_from_db()
    assert kpi.target == Decimal("250") and kpi.version == 2


def test_edit_kpi_target_abc_is_refused_with_the_input_kept(
    editor_client: Client, plan: Plan
) -> None:
    kpi = make_kpi(plan=plan, name="Visitors", target="200")
    url = reverse("plans-item-update", args=[plan.pk, "kpi", kpi.pk])
    response = editor_client.post(url, _kpi_data(f"kpi-{kpi.pk}", target="abc", version="1"), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Enter a number" in html and 'value="abc"' in html
    kpi.refresh_from_db()
    assert kpi.target == Decimal("200") and kpi.version == 1


def test_stale_edit_is_refused_and_shows_current_values(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    tactic = make_tactic(plan=plan, title="Reels", budget_planned="1000")
    url = reverse("plans-item-update", args=[plan.pk, "tactic", tactic.pk])
    Tactic.objects.filter(pk=tactic.pk).update(budget_planned=Decimal("5000"), version=2)
    with django_assert_max_num_queries(6):
        response = editor_client.post(
            url,
            _tactic_data(f"tactic-{tactic.pk}", title="Reels", budget_planned="1500", version="1"),
            **HX,
        )
    html = response.content.decode()
    assert "someone else saved this" in html
    assert "Budget planned" in html and "5000" in html  # theirs
    assert 'value="1500"' in html  # mine, still in the form
    assert f'name="tactic-{tactic.pk}-version" value="2"' in html
    tactic.refresh_from_db()
    assert tactic.budget_planned == Decimal("5000")
    # Saving again, having seen theirs, replaces it.
    response = editor_client.post(
        url,
        _tactic_data(f"tactic-{tactic.pk}", title="Reels", budget_planned="1500", version="2"),
        **HX,
    )
    tactic.refresh_from_db()
    assert tactic.budget_planned == Decimal("1500") and tactic.version == 3


def test_edit_without_javascript_redirects(editor_client: Client, plan: Plan) -> None:
    objective = make_objective(plan=plan, title="Grow")
    url = reverse("plans-item-update", args=[plan.pk, "objective", objective.pk])
    assert "Edit objective" in editor_client.get(url).content.decode()
    response = editor_client.post(
        url,
        {
            f"objective-{objective.pk}-title": "Grow more",
            f"objective-{objective.pk}-audience": "all",
            f"objective-{objective.pk}-version": "1",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"#objective-{objective.pk}"
    )


def test_changing_the_audience_moves_the_row_to_the_other_list(
    editor_client: Client, workspace: Workspace, django_assert_max_num_queries
) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    tactic = make_tactic(plan=plan, title="Ads", audience="b2c")
    url = reverse("plans-item-update", args=[plan.pk, "tactic", tactic.pk])
    with django_assert_max_num_queries(7):  # + the plan's content revision
        response = editor_client.post(
            url, _tactic_data(f"tactic-{tactic.pk}", title="Ads", audience="b2b", version="1"), **HX
        )
    assert 'hx-swap-oob="beforeend:#list-reach-tactic-b2b"' in response.content.decode()


def test_row_fragment_for_cancel(
    viewer_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    tactic = make_tactic(plan=plan, title="Reels")
    with django_assert_max_num_queries(6):
        html = viewer_client.get(
            reverse("plans-item", args=[plan.pk, "tactic", tactic.pk]), **HX
        ).content.decode()
    assert "Reels" in html and "Edit" not in html
    assert (
        viewer_client.get(reverse("plans-item", args=[plan.pk, "tactic", 999999])).status_code
        == 404
    )


def test_delete_asks_first_then_deletes(
    editor_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    objective = make_objective(plan=plan, title="Grow")
    url = reverse("plans-item-delete", args=[plan.pk, "objective", objective.pk])
    with django_assert_max_num_queries(6):
        html = editor_client.get(url, **HX).content.decode()
    assert "Delete the objective" in html and "“Grow”" in html and "Keep it" in html
    assert Objective.objects.exists()
    with django_assert_max_num_queries(7):  # + the plan's content revision
        response = editor_client.post(url, **HX)
    assert response.status_code == 200 and response.content == b""
    assert not Objective.objects.exists()
    assert Objective.history.filter(history_type="-").exists()


def test_delete_without_javascript(editor_client: Client, plan: Plan) -> None:
    kpi = make_kpi(plan=plan, stage="engage", name="Reviews")
    url = reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk])
    html = editor_client.get(url).content.decode()
    assert "Delete KPI" in html and "primary KPI" not in html
    StageWorksheet.objects.filter(plan=plan, stage="engage").update(primary_kpi=kpi)
    html = editor_client.get(url).content.decode()
    assert "It is the Engage stage’s primary KPI: the funnel leaves Engage out" in html
    response = editor_client.post(url, follow=True)
    assert "KPI “Reviews” deleted." in response.content.decode() and not KPI.objects.exists()


@pytest.mark.parametrize("actuals", [0, 40])
def test_deleting_a_kpi_costs_the_same_with_many_actuals_and_restore_brings_them_back(
    editor_client: Client, plan: Plan, actuals: int, django_assert_num_queries
) -> None:
    kpi = make_kpi(plan=plan, stage="act", name="Leads")
    make_objective(plan=plan, stage="act", title="Grow", kpi=kpi)
    for week in range(actuals):
        make_measurement(kpi=kpi, on=plan.period_start + timedelta(days=week), value=str(week))
    url = reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk])
    # Session, user, the KPI; then it is marked deleted and its history record written.
    with django_assert_num_queries(6):  # + the plan's content revision
        assert editor_client.post(url, **HX).status_code == 200
    assert not KPI.objects.exists() and kpi.measurements.count() == actuals

    record = KPI.history.get(history_type="-")
    editor_client.post(reverse("plans-history-restore", args=[plan.pk, "kpi", record.history_id]))
    restored = KPI.objects.get(name="Leads")
    assert [m.value for m in restored.measurements.order_by("date")] == list(range(actuals))
    assert restored.version == kpi.version + 2  # deleted, then restored


def test_a_deleted_kpi_disappears_everywhere_until_it_is_restored(
    editor_client: Client, viewer_client: Client, plan: Plan, django_assert_max_num_queries
) -> None:
    kpi = make_kpi(plan=plan, stage="reach", name="Visitors")
    objective = make_objective(plan=plan, stage="reach", title="Grow traffic", kpi=kpi)
    value = make_measurement(kpi=kpi, on=plan.period_start, value="1234")
    StageWorksheet.objects.filter(plan=plan, stage="reach").update(primary_kpi=kpi)
    pages = {
        "worksheet": reverse("plans-detail", args=[plan.pk]),
        "actuals": reverse("kpis-actuals", args=[plan.pk]),
        "dashboard": reverse("kpis-dashboard", args=[plan.pk]),
        "export": reverse("kpis-export", args=[plan.pk]),
    }
    before = {name: editor_client.get(url).content.decode() for name, url in pages.items()}
    assert all("Visitors" in html for html in before.values())
    assert f'Measured by <strong class="kpi-name-{kpi.pk}">Visitors</strong>' in before["worksheet"]

    editor_client.post(reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk]), **HX)
    after = {name: editor_client.get(url).content.decode() for name, url in pages.items()}
    assert not any("Visitors" in html for html in after.values())
    assert "Grow traffic" in after["worksheet"] and "No KPI linked" in after["worksheet"]
    overview = viewer_client.get(pages["worksheet"]).content.decode()
    assert "Grow traffic" in overview and "Primary KPI (funnel volume)" not in overview
    assert (
        editor_client.get(reverse("kpis-measurement-edit", args=[plan.pk, value.pk])).status_code
        == 404
    )
    item = reverse("plans-item", args=[plan.pk, "kpi", kpi.pk])
    assert editor_client.get(item).status_code == 404

    # Saving the stage notes and the objective sends their KPI selects back empty, as shown.
    sheet = _sheet(plan)
    notes = _ws_data(sheet, strategy="Video first") | {"ws-reach-primary_kpi": ""}
    editor_client.post(reverse("plans-worksheet-update", args=[plan.pk, sheet.pk]), notes, **HX)
    edit = reverse("plans-item-update", args=[plan.pk, "objective", objective.pk])
    fields = {"title": "Grow traffic fast", "audience": "all", "kpi": "", "version": "1"}
    with django_assert_max_num_queries(7):  # + the plan's content revision
        editor_client.post(
            edit, {f"objective-{objective.pk}-{k}": v for k, v in fields.items()}, **HX
        )
    objective.refresh_from_db()
    assert objective.title == "Grow traffic fast" and _sheet(plan).strategy == "Video first"

    history = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert "KPI “Visitors” (Reach)" in history and "Restore this KPI" in history
    record = KPI.history.get(history_type="-")
    response = editor_client.post(
        reverse("plans-history-restore", args=[plan.pk, "kpi", record.history_id]), follow=True
    )
    assert "Restored “Visitors” in Reach." in response.content.decode()
    again = {name: editor_client.get(url).content.decode() for name, url in pages.items()}
    assert all("Visitors" in html for html in again.values())
    assert f'Measured by <strong class="kpi-name-{kpi.pk}">Visitors</strong>' in again["worksheet"]
    assert f'<option value="{kpi.pk}" selected>Visitors</option>' in again["worksheet"]
    overview = viewer_client.get(pages["worksheet"]).content.decode()
    assert "Primary KPI (funnel volume):</strong> Visitors" in overview
    history = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert "history-restored" in history and "Restore this KPI" not in history


def test_a_deleted_kpis_name_is_free_and_its_restore_waits_for_it(
    editor_client: Client, plan: Plan
) -> None:
    kpi = make_kpi(plan=plan, name="Visitors")
    editor_client.post(reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk]))
    create = reverse("plans-item-create", args=[plan.pk, "reach", "kpi"])
    response = editor_client.post(create, _kpi_data("new-kpi-reach", target="500"), **HX)
    assert response.status_code == 200 and KPI.objects.get().target == Decimal("500")
    record = KPI.history.get(history_type="-")
    url = reverse("plans-history-restore", args=[plan.pk, "kpi", record.history_id])
    html = editor_client.post(url, follow=True).content.decode()
    assert "another KPI named “Visitors”" in html and KPI.objects.count() == 1


@pytest.mark.parametrize("kind", ["tactic", "kpi"])
def test_a_save_that_loses_to_a_delete_is_told_it_is_gone(
    editor_client: Client, plan: Plan, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plans import history, versioning

    if kind == "kpi":
        item: Any = make_kpi(plan=plan, name="Visitors")
        data = _kpi_data(f"kpi-{item.pk}", target="900", version="1")
    else:
        item = make_tactic(plan=plan, title="Ads")
        data = _tactic_data(f"tactic-{item.pk}", version="1")
    save = versioning.save_if_unchanged

    def deleted_first(row: Any, **kwargs: Any) -> bool:  # another user's delete wins the race
        history.delete_item(type(row)._default_manager.get(pk=row.pk))
        return save(row, **kwargs)

    monkeypatch.setattr(versioning, "save_if_unchanged", deleted_first)
    url = reverse("plans-item-update", args=[plan.pk, kind, item.pk])
    assert editor_client.post(url, data, **HX).status_code == 404


def test_move_up_and_down(editor_client: Client, plan: Plan, django_assert_max_num_queries) -> None:
    first = make_tactic(plan=plan, title="First", position=0)
    second = make_tactic(plan=plan, title="Second", position=1)
    url = reverse("plans-item-move", args=[plan.pk, "tactic", second.pk])
    with django_assert_max_num_queries(7):  # + the plan's content revision
        response = editor_client.post(url, {"direction": "up"}, **HX)
    html = response.content.decode()
    assert html.index("Second") < html.index("First") and 'hx-swap-oob="outerHTML"' in html
    assert [t.title for t in Tactic.objects.order_by("position")] == ["Second", "First"]
    first.refresh_from_db()
    assert first.version == 1  # reordering does not make open forms stale
    response = editor_client.post(url, {"direction": "down"})
    assert response.status_code == 302
    assert [t.title for t in Tactic.objects.order_by("position")] == ["First", "Second"]


def test_move_between_audiences(
    editor_client: Client, workspace: Workspace, django_assert_max_num_queries
) -> None:
    plan = make_plan(workspace=workspace, audience="both")
    kpi = make_kpi(plan=plan, name="Leads", audience="b2c")
    url = reverse("plans-item-move", args=[plan.pk, "kpi", kpi.pk])
    with django_assert_max_num_queries(8):  # KPI rows read their statuses; the plan's revision
        html = editor_client.post(url, {"audience": "b2b"}, **HX).content.decode()
    assert 'id="list-reach-kpi-b2c"' in html and 'id="list-reach-kpi-b2b"' in html
    kpi.refresh_from_db()
    assert kpi.audience == "b2b" and kpi.version == 2
    assert editor_client.post(url, {"audience": "nobody"}).status_code == 400


def test_item_writes_are_refused_to_viewers_and_outsiders(
    viewer_client: Client, outsider_client: Client, plan: Plan
) -> None:
    tactic = make_tactic(plan=plan)
    for name in ("plans-item-update", "plans-item-delete", "plans-item-move"):
        url = reverse(name, args=[plan.pk, "tactic", tactic.pk])
        assert viewer_client.post(url, {"direction": "up"}, **HX).status_code == 403
        assert outsider_client.post(url, {"direction": "up"}, **HX).status_code == 404
    url = reverse("plans-item-create", args=[plan.pk, "reach", "tactic"])
    assert viewer_client.post(url, _tactic_data("new-tactic-reach"), **HX).status_code == 403
    assert Tactic.objects.count() == 1
