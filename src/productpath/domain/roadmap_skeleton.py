"""A commented roadmap.yaml to start from: ``productpath roadmap new`` writes it.

Every value in it is valid as written, so ``roadmap apply`` takes it before anything is edited;
the comments say what each field means and which ones may go.
"""

from __future__ import annotations

import datetime as dt
import json


def skeleton(product_id: str, product_name: str, today: dt.date) -> str:
    """roadmap.yaml for product ``product_id``, its dates counted from ``today``."""
    quarter_end = today + dt.timedelta(days=91)
    started = today - dt.timedelta(days=28)
    name = json.dumps(product_name, ensure_ascii=False)  # a JSON string is a YAML string
    return f"""\
# Roadmap of {product_name}, as code. Edit it, then:
#     productpath roadmap apply roadmap.yaml --dry-run   # see what would change
#     productpath roadmap apply roadmap.yaml             # apply it
# Every field is described in docs/roadmap.md. Lines starting with # are comments.
version: 1

product:
  id: {product_id}            # must match `product` in productpath.toml
  name: {name}

# Why you build things: objectives, optionally with measurable key results.
objectives:
  - id: adoption
    title: More teams use {product_name} every week

# Who builds them: capacity_per_week is ideal weeks of work done per calendar week.
teams:
  - id: core
    name: Core team
    capacity_per_week: 3

# Dates you promised: the forecast says how likely each one is.
milestones:
  - id: next-release
    name: Next release
    target_date: {quarter_end.isoformat()}

# What you build. id is short, lower case, with dashes: it is also the key that links git
# work to the initiative ("[faster-setup] ..." in a commit, branch feature/faster-setup-x).
initiatives:
  - id: faster-setup
    title: Set up in five minutes
    objective: adoption
    team: core
    milestone: next-release
    status: in_progress        # proposed | planned | in_progress | done | dropped | archived
    start: {started.isoformat()}          # work linked by branch or message counts from this day
    target: {quarter_end.isoformat()}
    estimate: {{optimistic: 2, likely: 3, pessimistic: 6}}   # ideal weeks
  - id: clearer-errors
    title: Clearer failure reports
    objective: adoption
    team: core
    status: planned
    depends_on: [faster-setup]
    estimate: {{optimistic: 1, likely: 2, pessimistic: 4}}
    # After `productpath insights run`, link the feedback themes it answers:
    # themes: [3]
"""
