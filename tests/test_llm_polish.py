"""LLM polish against a real local HTTP server speaking the OpenAI-compatible
``/v1/chat/completions`` protocol: used when it answers well, skipped with a warning when it
fails or loses a figure, off unless configured."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from digest_servers import allow_local_webhooks, http_server
from helpers import invoke
from productpath.errors import InputError, WorkspaceError
from productpath.notify.config import LlmSettings
from productpath.notify.llm import chat_url, polish, polish_markdown
from productpath.notify.results import RetryPolicy
from productpath.services.reporting.digests import send_digests
from productpath.services.reporting.report_polish import render_polished
from productpath.services.stakeholders import StakeholderInput, save_stakeholder
from productpath.services.workspace import open_workspace
from web_fixtures import seed

REPORT = "# Status\n\n- Checkout v2: 85% likely by 2030-03-14.\n- 3 risks open.\n"


@contextmanager
def completions_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Answers by model name: ``friendly`` rewords and keeps figures, ``sloppy`` drops them,
    ``unescaping`` drops Markdown escapes,
    ``broken`` answers 500, ``empty`` answers with no choices."""
    requests: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            text = body["messages"][-1]["content"]
            model = body["model"]
            if model == "broken":
                self.send_response(500)
                self.end_headers()
                return
            if model == "friendly":
                answer = {"choices": [{"message": {"content": "Good news, everyone!\n\n" + text}}]}
            elif model == "unescaping":  # drops the backslashes that keep typed text literal
                answer = {"choices": [{"message": {"content": text.replace("\\", "")}}]}
            elif model == "sloppy":
                answer = {"choices": [{"message": {"content": "Things are going well."}}]}
            else:
                answer = {"choices": []}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_polish_uses_the_rewrite_and_sends_the_key_and_tone() -> None:
    with completions_server() as (base, requests):
        settings = LlmSettings(
            endpoint=base, model="friendly", api_key_env="MY_KEY", tone="warm", timeout=5
        )
        result = polish(REPORT, settings, audience="executives", env={"MY_KEY": "sk-test"})
    assert result.polished and result.warning is None
    assert result.text == "Good news, everyone!\n\n" + REPORT
    (request,) = requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    system = request["body"]["messages"][0]["content"]
    assert "warm tone" in system and "executives" in system
    assert request["body"]["temperature"] == 0


@pytest.mark.parametrize(
    ("model", "warning"),
    [
        ("sloppy", "the rewrite dropped or changed figures (2, 2030-03-14, 3, 85%)"),
        ("broken", "the endpoint answered HTTP 500"),
        ("empty", "the endpoint's answer has no choices[0].message.content"),
    ],
)
def test_a_bad_answer_keeps_the_deterministic_text(model: str, warning: str) -> None:
    with completions_server() as (base, _):
        settings = LlmSettings(endpoint=base + "/v1", model=model, timeout=5)
        result = polish(REPORT, settings, env={})
        assert polish_markdown(REPORT, settings) == REPORT
    assert not result.polished and result.text == REPORT
    assert result.warning is not None and warning in result.warning
    assert result.warning.endswith("using the original text")


def test_unreachable_endpoint_warns() -> None:
    from digest_servers import free_port

    settings = LlmSettings(endpoint=f"http://127.0.0.1:{free_port()}", model="m", timeout=2)
    result = polish(REPORT, settings, env={})
    assert result.text == REPORT and "cannot reach the endpoint" in (result.warning or "")


def test_chat_url_accepts_each_way_of_writing_the_endpoint() -> None:
    full = "http://h/v1/chat/completions"
    assert chat_url("http://h") == full
    assert chat_url("http://h/v1/") == full
    assert chat_url(full) == full


def write_llm(root: Path, base: str, model: str) -> None:
    with (root / "productpath.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[llm]\nendpoint = "{base}"\nmodel = "{model}"\ntone = "plain"\ntimeout = 5\n')


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_and_digest_polish_in_a_workspace(workspace_dir: Path) -> None:
    with open_workspace() as h:
        seed(h)
        with pytest.raises(WorkspaceError, match=r"--polish needs \[llm\]"):
            render_polished(h, "engineering", "md", record=False)
    with completions_server() as (base, _), http_server() as (hooks_base, hooks):
        write_llm(workspace_dir, base, "friendly")
        allow_local_webhooks(workspace_dir)
        with open_workspace() as h:
            md, warning = render_polished(h, "engineering", "md", record=False)
            assert warning is None and md.content.startswith(b"Good news, everyone!")
            html, _ = render_polished(h, "engineering", "html", record=False)
            assert html.media_type == "text/html" and html.filename.endswith(".html")
            assert b"<p>Good news, everyone!</p>" in html.content
            with pytest.raises(InputError, match="--polish works with --format md or html"):
                render_polished(h, "engineering", "pdf", record=False)
            save_stakeholder(
                h,
                StakeholderInput(
                    name="Eng", channel="webhook", webhook_url=f"{hooks_base}/eng#json"
                ),
            )
            run = send_digests(
                h,
                today=dt.date(2030, 3, 6),
                polish=True,
                policy=RetryPolicy(attempts=1),
                env={},
            )
    assert [line.status for line in run.digests] == ["sent"] and run.warnings == []
    ((_, payload),) = hooks.posts
    assert payload["markdown"].startswith("Good news, everyone!")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_polish_failure_in_a_digest_is_a_warning_not_a_failure(workspace_dir: Path) -> None:
    with completions_server() as (base, _), http_server() as (hooks_base, hooks):
        write_llm(workspace_dir, base, "broken")
        allow_local_webhooks(workspace_dir)
        with open_workspace() as h:
            seed(h)
            save_stakeholder(
                h, StakeholderInput(name="Eng", channel="webhook", webhook_url=f"{hooks_base}/e")
            )
            run = send_digests(
                h, today=dt.date(2030, 3, 6), polish=True, policy=RetryPolicy(attempts=1), env={}
            )
    assert [line.status for line in run.digests] == ["sent"]
    assert run.warnings == [
        "LLM polish skipped: the endpoint answered HTTP 500 Internal Server Error; "
        "using the original text"
    ]
    ((_, payload),) = hooks.posts
    assert payload["markdown"].startswith("# ")  # the deterministic report


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_cli_polish_rewords_or_warns_and_keeps_the_report(workspace_dir: Path) -> None:
    with open_workspace() as h:
        seed(h)
    settings = workspace_dir / "productpath.toml"
    plain = settings.read_text(encoding="utf-8")
    with completions_server() as (base, _):
        write_llm(workspace_dir, base, "friendly")
        result = invoke("report", "exec", "--polish", "--no-record")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Good news, everyone!")
        settings.write_text(plain, encoding="utf-8")
        write_llm(workspace_dir, base, "sloppy")
        result = invoke("report", "exec", "--polish", "--no-record")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("# ") and "warning: LLM polish skipped" in result.stderr


def test_a_rewrite_that_unescapes_a_link_is_refused() -> None:
    from productpath.domain.escaping import markdown_text

    report = REPORT + "- " + markdown_text("KYC [Reset your password](https://evil.example/p)\n")
    with completions_server() as (base, _):
        result = polish(report, LlmSettings(endpoint=base, model="unescaping"), env={})
        kept = polish(report, LlmSettings(endpoint=base, model="friendly"), env={})
    assert not result.polished and result.text == report
    assert result.warning == (
        "LLM polish skipped: the rewrite added links or HTML the report did not have; "
        "using the original text"
    )
    assert kept.polished
