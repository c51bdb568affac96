"""Webhooks never reach this machine or its network unless an admin allowed it: a real HTTP
server on 127.0.0.1 is refused by default (in every spelling of its address) and reached when
allowed; redirects are not followed; a URL is refused when it is saved, from the CLI, the web
API's service and roadmap.yaml, with one line."""

from __future__ import annotations

import socket
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

from digest_servers import allow_local_webhooks, http_server
from helpers import invoke
from productpath.errors import InputError, WorkspaceError
from productpath.notify.outbound import (
    OutboundPolicy,
    literal_address,
    outbound_policy,
    url_problem,
)
from productpath.notify.results import RetryPolicy
from productpath.notify.webhook import WebhookMessage, send_webhook
from productpath.services.stakeholders import StakeholderInput, save_stakeholder, webhook_host
from productpath.services.workspace import open_workspace

ONCE = RetryPolicy(attempts=1, backoff=0.0)
LOCAL = OutboundPolicy(networks=(ip_network("127.0.0.0/8"),))


def _send(url: str, outbound: OutboundPolicy | None = None) -> tuple[bool, bool, str]:
    result = send_webhook(
        WebhookMessage(url=url, report="exec", title="t", markdown="m"),
        policy=ONCE,
        sleep=lambda _s: None,
        outbound=outbound,
    )
    return result.ok, result.permanent, result.error


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.0.0.1", "localhost"],
)
def test_a_local_server_is_refused_by_default_in_every_spelling(host: str) -> None:
    with http_server() as (base, hooks):
        port = base.rsplit(":", 1)[1]
        ok, permanent, error = _send(f"http://{host}:{port}/hook")
    assert not ok and permanent
    assert "an admin can allow it with [webhooks] allow" in error
    assert hooks.hits == {}  # nothing reached the server


def test_ipv6_loopback_is_refused_and_shown_in_brackets() -> None:
    ok, permanent, error = _send("http://[::1]:9/hook")
    assert not ok and permanent
    assert error.startswith("not sent to http://[::1]:9: the host is a loopback address (::1)")
    assert webhook_host("http://[::1]:8080/secret/path") == "http://[::1]:8080/…"
    assert webhook_host("https://[2001:db8::5]/x") == "https://[2001:db8::5]/…"


def test_the_same_server_is_reached_when_allowed() -> None:
    with http_server() as (base, hooks):
        ok, _, error = _send(f"{base}/hook", LOCAL)
        port = base.rsplit(":", 1)[1]
        # An allowed network admits the address however it is spelled.
        odd_ok, _, _ = _send(f"http://0x7f000001:{port}/odd", LOCAL)
    assert ok and error == "" and odd_ok
    assert [path for path, _ in hooks.posts] == ["/hook", "/odd"]


def test_a_host_name_that_resolves_inside_is_refused_after_resolving() -> None:
    # The machine's own name is no literal address and not "localhost": only resolving it
    # shows where it leads (on this machine: loopback or the container's private network).
    name = socket.gethostname()
    resolved = {ip_address(i[4][0]) for i in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
    assert url_problem(f"http://{name}/hook", OutboundPolicy()) is None  # no DNS at save time
    ok, permanent, error = _send(f"http://{name}:9/hook")
    if all(a.is_global for a in resolved):
        pytest.fail(f"{name} resolves to public addresses {resolved}; the test needs a local one")
    assert not ok and permanent and f"{name} resolves to" in error


def test_redirects_are_not_followed() -> None:
    with http_server() as (base, hooks):
        hooks.redirect["/bounce"] = f"{base}/inside"
        ok, permanent, error = _send(f"{base}/bounce", LOCAL)
    assert not ok and permanent
    assert error.endswith("answered HTTP 302 Found (redirects are not followed)")
    assert hooks.hits == {"/bounce": 1}


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://127.0.0.1/x", "a loopback address (127.0.0.1)"),
        ("http://0x7f000001:8080/x", "a loopback address (127.0.0.1)"),
        ("http://2130706433/x", "a loopback address (127.0.0.1)"),
        ("http://0177.0.0.1/x", "a loopback address (127.0.0.1)"),
        ("http://[::1]:8080/x", "a loopback address (::1)"),
        ("http://[::ffff:127.0.0.1]/x", "an IPv4-mapped IPv6 address (::ffff:7f00:1)"),
        ("http://[::ffff:8.8.8.8]/x", "an IPv4-mapped IPv6 address (::ffff:808:808)"),
        ("http://localhost:22/", "this machine (localhost)"),
        ("http://api.localhost/", "this machine (api.localhost)"),
        ("http://169.254.169.254/latest/", "the cloud metadata service (169.254.169.254)"),
        ("http://[fd00:ec2::254]/", "the cloud metadata service (fd00:ec2::254)"),
        ("http://metadata.google.internal/", "the cloud metadata service"),
        ("http://169.254.10.1/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://10.1.2.3/", "a private address (10.1.2.3)"),
        ("http://172.16.0.9/", "a private address"),
        ("http://192.168.1.1/", "a private address"),
        ("http://[fd12:3456::1]/", "a private address"),
        ("http://100.64.0.1/", "a reserved address"),
        ("http://0.0.0.0:8000/", "an unspecified address (0.0.0.0)"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://[2002:7f00:1::]/", "an IPv6 address wrapping an internal IPv4 address"),
    ],
)
def test_internal_addresses_are_refused_when_saved(url: str, what: str) -> None:
    problem = url_problem(url, OutboundPolicy())
    assert problem is not None and f"points at {what}" in problem
    assert "\n" not in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T/B/X",
        "http://93.184.216.34/hook",
        "https://[2606:4700::1]/",
    ],
)
def test_public_destinations_pass(url: str) -> None:
    assert url_problem(url, OutboundPolicy()) is None


def test_literal_address_reads_what_the_c_resolver_reads() -> None:
    for spelled in ("2130706433", "0x7f000001", "0177.0.0.1", "127.1", "127.0.1", "0x7f.1"):
        assert literal_address(spelled) == ip_address("127.0.0.1"), spelled
    # Where the C library's inet_aton reads an address, the same address; where it reads none,
    # none (getaddrinfo would then ask DNS, and the resolved address is checked instead).
    for text in ("0x", "08.1.1.1", "256.1.1.1", "1e100.net", "00", "0x100000000", "4294967295",
                 "1.16777215", "1.16777216", "1..2", "0x-1", "hooks.slack.com"):  # fmt: skip
        try:
            expected = ip_address(socket.inet_aton(text))
        except OSError:
            expected = None
        assert literal_address(text) == expected, text


def test_allow_list_from_the_file_and_the_environment() -> None:
    policy = outbound_policy(
        {"webhooks": {"allow": ["Chat.Corp.Example", "10.20.0.0/16", "[fd00::7]"]}},
        {"PRODUCTPATH_WEBHOOKS_ALLOW": "127.0.0.1, mattermost.lan"},
    )
    assert policy.hosts == {"chat.corp.example", "mattermost.lan"}
    assert url_problem("http://chat.corp.example/x", policy) is None
    assert url_problem("http://10.20.3.4/x", policy) is None
    assert url_problem("http://[fd00::7]/x", policy) is None
    assert url_problem("http://127.0.0.1:8080/x", policy) is None
    assert url_problem("http://10.21.0.1/x", policy) is not None
    with pytest.raises(WorkspaceError, match=r"webhooks\.allow must be a list"):
        outbound_policy({"webhooks": {"allow": "10.0.0.0/8"}}, {})
    with pytest.raises(WorkspaceError, match=r"unknown key 'webhooks\.deny'"):
        outbound_policy({"webhooks": {"deny": []}}, {})
    with pytest.raises(WorkspaceError, match="neither a host name nor a network"):
        outbound_policy({"webhooks": {"allow": ["10.0.0.0/33"]}}, {})


def test_saving_a_stakeholder_refuses_then_allows(workspace_dir: Path) -> None:
    url = "http://127.0.0.1:6379/x"
    hook = StakeholderInput(name="Eng", channel="webhook", webhook_url=url)
    with open_workspace() as handle, pytest.raises(InputError) as refused:
        save_stakeholder(handle, hook)
    assert str(refused.value) == (
        "field 'webhook_url': the webhook URL points at a loopback address (127.0.0.1); "
        "an admin can allow it with [webhooks] allow in productpath.toml"
    )
    cli = invoke("stakeholders", "add", "Eng", "--channel", "webhook", "--webhook-url", url)
    assert cli.exit_code == 1 and cli.stderr.count("\n") == 1
    assert "points at a loopback address" in cli.stderr
    allow_local_webhooks(workspace_dir)
    with open_workspace() as handle:
        saved, outcome = save_stakeholder(handle, hook)
    assert outcome == "added" and saved.webhook == "http://127.0.0.1:6379/…"


ROADMAP = """\
version: 1
product:
  id: pocket
  name: Pocket
stakeholders:
  - id: eng
    name: Eng room
    audience: engineering
    channel: webhook
    webhook_url: http://169.254.169.254/latest/meta-data/
"""


def test_roadmap_yaml_webhook_is_refused_with_file_and_line(workspace_dir: Path) -> None:
    path = workspace_dir / "roadmap.yaml"
    path.write_text(ROADMAP, encoding="utf-8")
    result = invoke("roadmap", "apply", str(path), "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"{path}:10, field 'stakeholders[0].webhook_url': the webhook URL points at " in (
        result.stderr
    )
    assert "the cloud metadata service (169.254.169.254)" in result.stderr


def test_the_web_form_refuses_an_internal_webhook_with_one_line(workspace_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from productpath.settings import Settings
    from productpath.web import create_app

    form = {"name": "Scanner", "channel": "webhook", "webhook_url": "http://[::1]:22/",
            "audience": "engineering", "cadence": "weekly"}  # fmt: skip
    with TestClient(create_app(Settings())) as client:
        refused = client.post("/stakeholders", data=form)
        listed = client.get("/stakeholders.json").json()["stakeholders"]
    assert refused.status_code == 422
    assert (
        "field &#39;webhook_url&#39;: the webhook URL points at a loopback address (::1); an admin "
        "can allow it with [webhooks] allow in productpath.toml" in refused.text
    )
    assert "scanner" not in [s["key"] for s in listed]
