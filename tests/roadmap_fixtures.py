"""A small valid roadmap.yaml: one objective, team, milestone and two initiatives, one depending
on the other. Shared by the roadmap CLI tests and the importer fuzzing, which mutate it."""

SMALL_ROADMAP = """\
product:
  id: pocket
  name: Pocket
objectives:
  - id: activation
    title: Faster first payment
    key_results:
      - {id: kr-1, title: Paid within 14 days, target: 80, unit: '%'}
teams:
  - id: payments
    name: Payments
    capacity_per_week: 3
    members: [{name: Ana, email: ana@example.com}]
milestones:
  - {id: beta, name: Beta, target_date: 2026-03-31}
initiatives:
  - id: kyc
    title: Light identity check
    objective: activation
    team: payments
    milestone: beta
    status: in_progress
    estimate: {optimistic: 1, likely: 2, pessimistic: 4.5}
  - id: tap
    title: Tap to pay
    depends_on: [kyc]
"""
