"""Plan list server time at 50 and 500 plans (10 KPIs x 13 weekly actuals each, the portfolio's
data): the first and the last page, and a search, each as a ratio to a trivial logged-in view
measured in the same run, with the SQL query count (the same at every size), and the goal
beside them: every page at most 6x the trivial view (issue #13's floor for the worksheet).

    python benchmarks/plan_list.py [--runs 30] [--plans 50 500]
"""

from __future__ import annotations

import argparse
import sys

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from harness import print_pages  # sets up Django
from portfolio import KPIS_PER_PLAN, PER_PAGE, WEEKS, build_plans

GOAL = 6.0  # x trivial, every page at every size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--plans", type=int, nargs="+", default=[50, 500])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    print(f"Plan list on {connection.vendor}: {KPIS_PER_PLAN} KPIs x {WEEKS} weeks a plan")
    for number, size in enumerate(sorted(args.plans)):
        user = User.objects.create_user(f"lister{number}", password="bench-password-123")
        build_plans(size, user, workspace_number=number)
        client = Client()
        client.force_login(user)
        url, last = reverse("plans-list"), -(-size // PER_PAGE)
        pages = {
            "page 1": url,
            f"page {last}": f"{url}?page={last}",
            "search “plan 00”": f"{url}?q=plan+00",
        }
        print(f"{size} plans:")
        ratio = print_pages(client, pages, args.runs)
        over = [label for label, page in pages.items() if ratio.of(page) > GOAL]
        print(f"  goal <= {GOAL:.0f}x: {'NOT MET by ' + ', '.join(over) if over else 'met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
