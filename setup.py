"""Only the long description: the README with its relative links made absolute (PyPI cannot follow them).

Everything else is in setup.cfg; the links' base is its project_urls "Source" entry, so the address is
written once.
"""

import configparser
import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def long_description() -> str:
    """README.md, each relative link (``](samples/README.md)``) pointing at the file in the repository."""
    config = configparser.ConfigParser()
    config.read(HERE / "setup.cfg", encoding="utf-8")
    urls = dict(line.split("=", 1) for line in config["metadata"]["project_urls"].strip().splitlines())
    source = {k.strip(): v.strip() for k, v in urls.items()}["Source"].rstrip("/")
    text = (HERE / "README.md").read_text(encoding="utf-8")
    return re.sub(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)", lambda m: f"]({source}/blob/main/{m.group(1)})", text)


if __name__ == "__main__":  # setuptools runs this file as __main__; tests import long_description
    setup(long_description=long_description(), long_description_content_type="text/markdown")
