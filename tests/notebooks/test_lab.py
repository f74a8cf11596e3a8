"""`make lab`: JupyterLab at the project root, on the explore notebook, in
Chinese, without first-run questions. The live test starts the exact command
`make -n lab` prints (with --no-browser on a free local port) and asks the
server for its settings."""
from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

SETTINGS = ROOT / "config" / "jupyterlab" / "overrides.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def test_overrides_select_chinese_and_silence_news():
    overrides = json.loads(SETTINGS.read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}


def test_overrides_name_real_settings():
    """Every key is a setting of an installed plugin, with a value its schema allows."""
    if not SCHEMAS.exists():
        pytest.skip("JupyterLab schemas not installed")
    for plugin, values in json.loads(SETTINGS.read_text(encoding="utf-8")).items():
        package, _, name = plugin.partition(":")
        schema = json.loads((SCHEMAS / package / f"{name}.json").read_text(encoding="utf-8"))
        for key, value in values.items():
            spec = schema["properties"][key]
            allowed = [choice["const"] for choice in spec.get("oneOf", [])]
            assert (value in allowed) if allowed else isinstance(value, {"boolean": bool, "string": str}[spec["type"]])


def lab_command() -> list[str]:
    done = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if " lab " in line and "jupyter" in line)
    args = shlex.split(line)
    args[0] = str(Path(sys.executable).with_name("jupyter"))
    return args


def test_make_lab_roots_at_the_project_and_opens_explore():
    args = lab_command()
    assert f"--ServerApp.root_dir={ROOT}" in args
    assert f"--LabApp.app_settings_dir={SETTINGS.parent}" in args
    assert "notebooks/explore.ipynb" in args
    # the address Jupyter prints (and / redirects to) is the explore notebook, not the Launcher
    assert "--LabApp.default_url=/lab/tree/notebooks/explore.ipynb" in args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "token labtest"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.mark.slow
def test_lab_serves_the_project_root_in_chinese(tmp_path):
    pytest.importorskip("jupyterlab")
    port = free_port()
    args = lab_command() + ["--no-browser", "--ip=127.0.0.1", f"--port={port}", "--IdentityProvider.token=labtest"]
    if "--allow-root" not in args:
        args.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                translation = get(port, "/lab/api/settings/@jupyterlab/translation-extension:plugin")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start")
                time.sleep(0.5)
        assert translation["schema"]["properties"]["locale"]["default"] == "zh_CN"
        notification = get(port, "/lab/api/settings/@jupyterlab/apputils-extension:notification")
        assert notification["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert "zh_CN" in get(port, "/lab/api/translations")["data"]
        root = {item["name"] for item in get(port, "/api/contents")["content"]}
        assert {"notebooks", "data", "Makefile"} <= root  # data/overrides.csv and reports/ are reachable
    finally:
        server.terminate()
        server.wait(timeout=30)
