"""The initiative page's delivery status is read for the initiative and its dependencies only
(services/pages/initiative_delivery.py); it must be the initiative's own entry of the whole
roadmap's ``delivery_status``, on every day (risks and projections move with it)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from productpath.services.delivery import delivery_status
from productpath.services.pages.initiative_delivery import initiative_delivery
from productpath.services.workspace import OpenWorkspace
from test_web_delivery import repo, seeded  # noqa: F401 - the filled workspace's fixtures


def _handle(client: TestClient) -> OpenWorkspace:
    handle: OpenWorkspace = client.app.state.handle  # type: ignore[attr-defined]
    return handle


def test_each_initiatives_delivery_is_its_entry_of_the_whole_status(
    seeded: TestClient,  # noqa: F811
) -> None:
    handle = _handle(seeded)
    compared = 0
    for today in (dt.date(2020, 1, 1), dt.date.today(), dt.date(2040, 1, 1)):
        whole = delivery_status(handle, today=today)
        assert whole.initiatives
        for entry in whole.initiatives:
            assert initiative_delivery(handle, entry.key, today=today) == entry
            compared += 1
        # Someone slips on the far day: the "dependency slipping" risk is read too.
    assert any(r.kind == "slipping" for i in whole.initiatives for r in i.risks)
    assert compared >= 6
    assert initiative_delivery(handle, "no-such") is None
