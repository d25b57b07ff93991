"""``python -m bunq_helpers create-context``, as a user runs it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.notebooks.notebook_files import committed_text


def _run(*args: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUNQ_")}
    env["BUNQ_HELPERS_HOME"] = str(cwd / "home")
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "bunq_helpers", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_context_twice(tmp_path: Path) -> None:
    first = _run("create-context", "--context-file", "ctx.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    context = json.loads((tmp_path / "ctx.json").read_text())
    assert stat.S_IMODE((tmp_path / "ctx.json").stat().st_mode) == 0o600
    secrets = [
        context["api_key"],
        context["installation_context"]["token"],
        context["session_context"]["token"],
        context["installation_context"]["private_key_client"].splitlines()[1],
    ]
    for secret in secrets:
        assert secret not in first.stdout and secret not in first.stderr
    for shown in (
        "POST https://127.0.0.1:",
        "/v1/installation",
        "/v1/device-server",
        "/v1/session-server",
        "X-Bunq-Client-Authentication: ",
        "X-Bunq-Client-Signature: ",
        "← 200 OK",
        "session_token = ",
    ):
        assert shown in first.stdout, shown
    assert (
        "Calls made this run: sandbox-user-person, installation, device-server, session-server."
        in first.stdout
    )
    numbered = [line.split(" · ")[0] for line in first.stdout.splitlines() if line.startswith("✓ Step")]
    assert numbered == ["✓ Step 0", "✓ Step 1", "✓ Step 1", "✓ Step 2", "✓ Step 3"]  # as README and notebooks

    second = _run("create-context", "--context-file", "ctx.json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Calls made this run: user." in second.stdout  # the one check that the server knows the session
    assert "/v1/installation" not in second.stdout and "/v1/device-server" not in second.stdout
    assert "the server still knows it: GET /v1/user answered 200" in second.stdout
    unchecked = _run("create-context", "--context-file", "ctx.json", "--no-check", cwd=tmp_path)
    assert "Calls made this run: none." in unchecked.stdout

    shown = _run("show-context", "--context-file", "ctx.json", cwd=tmp_path)
    assert shown.returncode == 0 and "ApiContext(environment='local'" in shown.stdout
    assert all(secret not in shown.stdout for secret in secrets)


def test_errors_are_one_clear_line_without_traceback(tmp_path: Path) -> None:
    result = _run("create-context", "--env", "production", cwd=tmp_path)
    assert result.returncode == 1
    assert "BUNQ_ALLOW_PRODUCTION=yes" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "broken.json").write_text("{")
    result = _run("create-context", "--context-file", "broken.json", cwd=tmp_path)
    assert result.returncode == 1 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_context_file_is_one_line_and_a_readable_one_warns(tmp_path: Path) -> None:
    path = tmp_path / "ctx.json"
    wrong_type = b'{"environment_type": "SANDBOX", "installation_context": []}'
    for content in (b"\xff", b"[" * 100_000, wrong_type):
        path.write_bytes(content)
        path.chmod(0o600)
        result = _run("show-context", "--context-file", "ctx.json", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    assert "installation_context is a list; expected an object" in result.stderr
    path.chmod(0o644)
    warning, error = _run("show-context", "--context-file", "ctx.json", cwd=tmp_path).stderr.splitlines()
    assert warning.startswith("warning: The API context ctx.json can be read by others (mode 0644)")
    assert warning.endswith("chmod 600 ctx.json") and error.startswith("error: ")


def test_after_a_reset_of_a_standalone_sandbox_nothing_is_reported_reused(tmp_path: Path) -> None:
    from tests.helpers import standalone_sandbox

    with standalone_sandbox(tmp_path / "state") as server:
        where = {"BUNQ_BASE_URL": server.base_url, "BUNQ_CA_FILE": server.ca_file}
        first = _run("create-context", "--context-file", "ctx.json", cwd=tmp_path, **where)
        assert first.returncode == 0, first.stderr
        reset = subprocess.run(
            [sys.executable, "-m", "bunq_helpers.local_sandbox", "--reset", "--state-dir", str(server.state)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert reset.returncode == 0, reset.stderr
        stale = _run("create-context", "--context-file", "ctx.json", cwd=tmp_path, **where)
        assert stale.returncode == 1
        assert "reused" not in stale.stdout and "Traceback" not in stale.stderr
        assert "does not know the installation saved in ctx.json" in stale.stderr
        assert "--start-over" in stale.stderr
        again = _run("create-context", "--context-file", "ctx.json", "--start-over", cwd=tmp_path, **where)
        assert again.returncode == 0, again.stderr
        assert (
            "Calls made this run: sandbox-user-person, installation, device-server, session-server."
            in again.stdout
        )
        assert (tmp_path / "ctx.json.old").exists()
        checked = _run("create-context", "--context-file", "ctx.json", cwd=tmp_path, **where)
        assert "Calls made this run: user." in checked.stdout


def test_a_refused_session_is_replaced_with_the_saved_installation(tmp_path: Path) -> None:
    from tests.helpers import standalone_sandbox

    with standalone_sandbox(tmp_path / "state") as server:
        where = {"BUNQ_BASE_URL": server.base_url, "BUNQ_CA_FILE": server.ca_file}
        assert _run("create-context", "--context-file", "ctx.json", cwd=tmp_path, **where).returncode == 0
        saved = json.loads((tmp_path / "ctx.json").read_text())
        saved["session_context"]["token"] = "0" * 64  # a session the server never issued
        (tmp_path / "ctx.json").write_text(json.dumps(saved))
        result = _run("create-context", "--context-file", "ctx.json", cwd=tmp_path, **where)
        assert result.returncode == 0, result.stderr
        assert "The saved session" in result.stdout and "was refused (401" in result.stdout
        assert "Calls made this run: session-server." in result.stdout


def test_export_shell_prints_the_secrets_only_when_asked(tmp_path: Path) -> None:
    assert _run("create-context", "--context-file", "ctx.json", cwd=tmp_path).returncode == 0
    context = json.loads((tmp_path / "ctx.json").read_text())
    shown = _run("show-context", "--context-file", "ctx.json", cwd=tmp_path).stdout
    exported = _run("show-context", "--context-file", "ctx.json", "--export-shell", cwd=tmp_path).stdout
    assert context["api_key"] not in shown
    assert f"export BUNQ_API_KEY={context['api_key']}" in exported
    assert f"export BUNQ_INSTALLATION_TOKEN={context['installation_context']['token']}" in exported
    assert f"export BUNQ_SESSION_TOKEN={context['session_context']['token']}" in exported


def _with_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text())
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}]
    code["execution_count"] = 1
    path.write_text(json.dumps(notebook, indent=1) + "\n")


def test_reset_lists_then_removes_everything_a_run_left(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    assert _run("create-context", cwd=tmp_path).returncode == 0
    (tmp_path / "notebooks").mkdir()
    for name in ("00_start_here.ipynb", "01_create_an_installation.ipynb"):  # as committed, no outputs
        (tmp_path / "notebooks" / name).write_text(committed_text(repo / "notebooks" / name))
    _with_outputs(tmp_path / "notebooks" / "01_create_an_installation.ipynb")
    home = tmp_path / "home"
    context, state = home / "bunq-local.conf", home / "local-sandbox"
    assert context.is_file() and (state / "sandbox.sqlite3").is_file()
    beside = home / "bunq-local.oauth-app.conf"  # what notebooks 8 and 9 keep beside it (Settings.beside)
    beside.write_bytes(context.read_bytes())
    (home / "bunq-local.oauth-app.conf.old").write_bytes(context.read_bytes())
    (home / "bunq-sandbox.oauth-app.conf").write_text("{}")  # another environment's: stays

    dry = _run("reset", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert f"Would remove: {context}  (the saved API context)" in dry.stdout
    assert f"Would remove: {state}  (the local sandbox's users, keys and sessions)" in dry.stdout
    assert "01_create_an_installation.ipynb  (outputs of 1 cells" in dry.stdout
    assert "00_start_here" not in dry.stdout  # it has no outputs
    assert f"Would remove: {beside}  (a context kept beside it)" in dry.stdout
    assert f"Would remove: {beside}.old  (next to it)" in dry.stdout and "bunq-sandbox" not in dry.stdout
    assert context.is_file() and state.is_dir()  # a dry run removes nothing
    assert '"hello\\n"' in (tmp_path / "notebooks" / "01_create_an_installation.ipynb").read_text()

    done = _run("reset", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"Removed: {context}" in done.stdout
    assert not context.exists() and not state.exists() and not beside.exists()
    assert (home / "bunq-sandbox.oauth-app.conf").exists()
    cleared = json.loads((tmp_path / "notebooks" / "01_create_an_installation.ipynb").read_text())
    assert cleared == json.loads(committed_text(repo / "notebooks" / "01_create_an_installation.ipynb"))
    assert _run("reset", "--dry-run", cwd=tmp_path).stdout.strip() == "Nothing to remove: already fresh."
    again = _run("create-context", cwd=tmp_path)  # a fresh start: every step is made again
    assert "Calls made this run: sandbox-user-person, installation" in again.stdout


WARM_RUN = """
import json, runpy, sys
sys.argv = ["bunq_helpers", "create-context"]
try:
    runpy.run_module("bunq_helpers", run_name="__main__")
finally:  # the command is done (its SystemExit on the way): what it loaded
    print("MODULES " + json.dumps(sorted(sys.modules)))
"""

# What a warm ``create-context`` (a saved context, one check call) must not load: each is loaded on
# the first use that needs it (issue 22: the warm command line under 0.25 s).
NOT_ON_THE_WARM_PATH = (
    "uuid",  # and platform with it: request ids are made from os.urandom
    "platform",
    "secrets",  # temporary names and tokens: os.urandom
    "html",  # escaping for the notebooks' HTML view only
    "decimal",  # amounts in a request body
    "bunq_helpers.local_sandbox.oauth_pages",  # the first OAuth path
    "bunq_helpers.local_sandbox.callbacks",  # the first event
)


def test_a_warm_run_loads_only_what_its_check_call_needs(tmp_path: Path) -> None:
    assert _run("create-context", cwd=tmp_path).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUNQ_")}
    env["BUNQ_HELPERS_HOME"] = str(tmp_path / "home")
    warm = subprocess.run(
        [sys.executable, "-c", WARM_RUN], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert warm.returncode == 0, warm.stderr
    assert "Calls made this run: user." in warm.stdout  # the sandbox started and answered the check
    loaded = set(json.loads(warm.stdout.rsplit("MODULES ", 1)[1]))
    assert {
        "requests",
        "bunq_helpers.local_sandbox.server",
        "bunq_helpers.local_sandbox.endpoints.users",
    } <= loaded
    assert loaded.isdisjoint(NOT_ON_THE_WARM_PATH), sorted(loaded.intersection(NOT_ON_THE_WARM_PATH))
    # and the sandbox stopped when the command ended: its server.json removed, its database closed (no
    # write-ahead log left)
    left = {path.name for path in (tmp_path / "home" / "local-sandbox").iterdir()}
    assert "sandbox.sqlite3" in left and not left & {
        "server.json",
        "sandbox.sqlite3-wal",
        "sandbox.sqlite3-shm",
    }
