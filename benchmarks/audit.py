"""The capability audit's pages and what they make a browser download.

1. The audit list and an audit's result (radar, table, weakest areas) at two sizes: one workspace
   with two audits, and four workspaces with twelve audits each (35 answers an audit), each as
   a ratio to a trivial logged-in view measured in the same run, with its query count and HTML.
2. The plotly.js each page loads: the dashboard's basic bundle (it cannot draw polar charts),
   the core-and-scatterpolar bundle the audit result loads for its radar, and the full bundle
   it was chosen over; raw, gzip and brotli as whitenoise serves them.

    python benchmarks/audit.py [--runs 30]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from datetime import date
from pathlib import Path

import brotli
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from harness import ROOT, kb, print_pages  # sets up Django

SIZES = ((1, 2), (4, 12))  # (workspaces, audits in each)


def build(workspaces: int, audits: int, number: int) -> Client:
    """A member of `workspaces` workspaces, each with `audits` fully answered quarterly audits."""
    from django.contrib.auth.models import User

    from kpis.advisor.audits.questions import QUESTIONS
    from kpis.advisor.models import AuditAnswer, CapabilityAudit
    from plans.models import Membership, Role, Workspace

    user = User.objects.create_user(f"auditor{number}", password="bench-password-123")
    for w in range(workspaces):
        workspace = Workspace.objects.create(name=f"Bench {number}-{w}", slug=f"b-{number}-{w}")
        Membership.objects.create(workspace=workspace, user=user, role=Role.EDITOR)
        for a in range(audits):
            year, quarter = 2026 - a // 4, 4 - a % 4
            audit = CapabilityAudit.objects.create(
                workspace=workspace, quarter_start=date(year, 3 * quarter - 2, 1)
            )
            AuditAnswer.objects.bulk_create(
                AuditAnswer(audit=audit, question=q.key, score=1 + (n + a) % 5, note="A note")
                for n, q in enumerate(QUESTIONS)
            )
    client = Client()
    client.force_login(user)
    return client


def newest_audit_url(number: int) -> str:
    from kpis.advisor.models import CapabilityAudit

    audit = CapabilityAudit.objects.filter(workspace__slug=f"b-{number}-0").first()
    assert audit is not None
    return reverse("kpis-audit", args=[audit.pk])


def pages(runs: int) -> None:
    print(f"Audit pages on {connection.vendor}:")
    for number, (workspaces, audits) in enumerate(SIZES):
        client = build(workspaces, audits, number)
        urls = {"list": reverse("kpis-audits"), "result": newest_audit_url(number)}
        print(f"{workspaces} workspace(s) x {audits} audits:")
        print_pages(client, urls, runs)


def bundles() -> None:
    import plotly

    vendor = ROOT / "static" / "vendor"
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    print("plotly.js on the wire (a first visit; cached long-term after it):")
    for path, where in (
        (vendor / "plotly-basic.min.js", "the dashboard"),
        (vendor / "plotly-polar.min.js", "the audit result only"),
        (full, "(the full bundle: not served)"),
    ):
        raw = path.read_bytes()
        print(
            f"  {path.name:20} {where:30} raw {kb(len(raw))}, gzip {kb(len(gzip.compress(raw, 9)))},"
            f" brotli {kb(len(brotli.compress(raw)))}"
        )
    dashboard = Path(ROOT / "templates" / "kpis" / "dashboard.html").read_text()
    print(f"  the dashboard loads the polar bundle: {'plotly-polar' in dashboard}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    pages(args.runs)
    bundles()
    return 0


if __name__ == "__main__":
    sys.exit(main())
