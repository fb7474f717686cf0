"""A package ready to publish: licence, one version, Project-URLs, absolute links on PyPI, an sdist with its tests."""

from __future__ import annotations

import configparser
import re
import runpy
from pathlib import Path

import connector_sim

REPO = Path(__file__).resolve().parents[2]


def _config() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    return config


def test_the_licence_file_matches_setup_cfg() -> None:
    metadata = _config()["metadata"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")

    assert metadata["license"] == "MIT" and text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text
    assert metadata["license_files"].strip() == "LICENSE"
    assert "License :: OSI Approved :: MIT License" in metadata["classifiers"]


def test_the_version_has_one_source() -> None:
    assert _config()["metadata"]["version"].strip() == "attr: connector_sim.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", connector_sim.__version__)
    assert "## [Unreleased]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    others = [p for p in REPO.glob("connector_sim/**/*.py")
              if re.search(r"^__version__\s*=", p.read_text(encoding="utf-8"), re.M)]
    assert others == [REPO / "connector_sim" / "__init__.py"]


def test_project_urls_and_absolute_links_in_the_long_description() -> None:
    urls = dict(line.split("=", 1) for line in _config()["metadata"]["project_urls"].strip().splitlines())
    urls = {k.strip(): v.strip() for k, v in urls.items()}
    assert {"Source", "Documentation", "Changelog", "Issues"} <= set(urls)
    assert all(v.startswith("https://") for v in urls.values())

    description = runpy.run_path(str(REPO / "setup.py"))["long_description"]()

    links = re.findall(r"\]\(([^)\s]+)\)", description)
    assert links and all(link.startswith(("https://", "#", "mailto:")) for link in links), links
    assert f"]({urls['Source']}/blob/main/samples/README.md)" in description


def test_the_sdist_manifest_carries_the_tests() -> None:
    manifest = (REPO / "MANIFEST.in").read_text(encoding="utf-8")
    for line in ("include LICENSE CHANGELOG.md", "recursive-include tests *.py *.xml *.xsd *.json",
                 "recursive-include samples"):
        assert line in manifest
    assert (REPO / "tests" / "reporting" / "schemas" / "junit-10.xsd").is_file()


def test_ci_lints_types_and_runs_the_wheel_before_the_tests() -> None:
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    order = [next(i for i, line in enumerate(lines) if line.startswith(prefix))
             for prefix in ("ruff check connector_sim", "mypy connector_sim", "bash .ci/wheel", "python -m pytest")]
    assert order == sorted(order)
    wheel = (REPO / ".ci" / "wheel").read_text(encoding="utf-8")
    assert "python3 -m venv" in wheel and "connector-sim\" demo" in wheel and "*.whl" in wheel
