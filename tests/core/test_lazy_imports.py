"""Start-up stays small: heavy libraries are imported when a feature needs them, not before.

Each check runs in a fresh interpreter (``sys.modules`` of this test process is full already).
What is asserted is which modules are loaded, never how long it took (benchmarks/ has that).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import connector_sim

PACKAGE = Path(connector_sim.__file__).resolve().parent
HEAVY = ("cryptography", "msal", "requests", "urllib3", "defusedxml", "locust", "gevent")


def _loaded_after(code: str) -> set[str]:
    """The heavy top-level modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    path = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1])) & set(HEAVY)


def test_import_connector_sim_loads_no_heavy_library() -> None:
    assert _loaded_after("import connector_sim") == set()


@pytest.mark.parametrize(("code", "allowed"), [
    pytest.param("from connector_sim import RestfulProfile, Basic, ApiKeyHeader, Bearer, ClientCertificate, "
                 "ClientCredentials, CertificateKey", {"requests", "urllib3"}, id="auth-strategies"),
    pytest.param("from connector_sim import load_policy, lint, Settings", {"defusedxml", "requests", "urllib3"},
                 id="policy"),
    pytest.param("import connector_sim.cli", set(), id="cli"),
    pytest.param("from connector_sim.reporting import Report", {"requests", "urllib3"}, id="reports"),
])
def test_names_load_what_they_need_and_not_cryptography_or_msal(code: str, allowed: set[str]) -> None:
    assert _loaded_after(code) <= allowed


def test_cryptography_comes_with_the_first_certificate_and_msal_with_the_first_token(certs: object) -> None:
    pfx = str(certs.client_pfx)
    password = str(certs.password)
    loaded = _loaded_after(f"from connector_sim.auth import load_pfx\nload_pfx({pfx!r}, {password!r})")
    assert "cryptography" in loaded and "msal" not in loaded
    built = _loaded_after("from connector_sim import Bearer, ClientCredentials\n"
                          "Bearer(credentials=ClientCredentials(authority='https://login.example/t', client_id='c', "
                          "client_secret='s', scope='api://x/.default'))")
    assert "msal" not in built  # no token asked for yet


def test_version_imports_no_command_module() -> None:
    code = ("import sys\nfrom connector_sim.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n"
            "    pass\nassert not [m for m in sys.modules if m.startswith('connector_sim.cli.') and m != "
            "'connector_sim.cli._common'], sorted(sys.modules)")
    assert _loaded_after(code) == set()


def test_a_command_imports_its_own_module_only() -> None:
    code = ("import sys\nfrom connector_sim.cli import main\ntry:\n    main(['lint', '--help'])\nexcept SystemExit:\n"
            "    pass\ncommands = {m for m in sys.modules if m.startswith('connector_sim.cli.') and not "
            "m.startswith('connector_sim.cli._')}\nassert commands == {'connector_sim.cli.lint'}, commands")
    _loaded_after(code)


def _type_checking_imports(path: Path) -> dict[str, str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                found.update({alias.name: "." * statement.level + (statement.module or "")
                              for alias in statement.names})
    return found


@pytest.mark.parametrize("face", ["connector_sim", "connector_sim.policy", "connector_sim.connectors",
                                  "connector_sim.reporting"])
def test_each_lazy_face_names_the_same_modules_for_type_checkers_and_at_run_time(face: str) -> None:
    module = __import__(face, fromlist=["_LAZY"])
    lazy = module._LAZY
    assert _type_checking_imports(Path(module.__file__)) == lazy
    assert set(lazy) <= set(module.__all__) <= set(vars(module)) | set(lazy)  # every public name is there
    assert set(module.__all__) <= set(dir(module))
    for name in lazy:
        assert getattr(module, name) is getattr(__import__(face + lazy[name], fromlist=[name]), name)
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018
