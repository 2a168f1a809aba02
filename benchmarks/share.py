"""A share link's dashboard against the members' own, at two sizes: 40 KPIs x 13 weekly
actuals and 200 KPIs x 52.

The public page is built by the same code as the members' dashboard; this prints what the link
adds: its page bytes, SQL queries (finding the link and counting the use, instead of the
member's access check), and median server times of both pages as ratios to a trivial logged-in
view, measured interleaved in the same run. Nothing is asserted: times depend on the machine.

    python benchmarks/share.py [--runs 40]
"""

from __future__ import annotations

import sys
from datetime import date

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from harness import (  # sets up Django on a throw-away database
    bench_settings,
    build,
    each_size,
    get_with_queries,
    interleaved,
    kb,
)

SIZES = ((40, 13), (200, 52))


def measure(kpis: int, weeks: int, runs: int) -> None:
    from plans.models import Plan
    from sharing import links

    call_command("flush", interactive=False, verbosity=0)
    plan_id, user = build(kpis, weeks)
    plan = Plan.objects.get(pk=plan_id)
    new = links.create_link(
        plan, created_by=user, label="Bench", expires_on=date(2100, 1, 1), with_pdf=True
    )
    member, visitor = Client(), Client()
    member.force_login(user)
    with bench_settings():
        member_url = reverse("kpis-dashboard", args=[plan_id])
        public_url = reverse("sharing-dashboard", args=[new.secret])
        member_page, member_queries = get_with_queries(member, member_url)
        public_page, public_queries = get_with_queries(visitor, public_url)
        ratio = interleaved(member, [member_url, public_url], runs, clients={public_url: visitor})
    print(f"Shared dashboard of {kpis} KPIs x {weeks} weekly actuals")
    print(
        f"  page bytes:   shared {kb(len(public_page.content))}; member {kb(len(member_page.content))}"
    )
    print(f"  SQL queries:  shared {len(public_queries)}; member {len(member_queries)}")
    print(
        f"  server time, median of {runs}: shared {ratio.median(public_url):.1f} ms; "
        f"member {ratio.median(member_url):.1f} ms; trivial {ratio.floor:.2f} ms"
    )
    print(
        f"  ratio / trivial: shared {ratio.of(public_url):.1f}x; member {ratio.of(member_url):.1f}x"
        f"; shared / member {ratio.median(public_url) / ratio.median(member_url):.2f}"
    )


if __name__ == "__main__":
    sys.exit(each_size(measure, SIZES, doc=__doc__, runs=40))
