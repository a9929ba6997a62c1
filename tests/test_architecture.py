"""ARCHITECTURE.md, the map of the package, stays true."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAP = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
NAMED = set(re.findall(r"`((?:sknn|tests|benchmarks|examples)/[\w/.]+)`", MAP))
NAMED |= {f"sknn/{name}" for name in re.findall(r"`(_\w+\.pyx)`", MAP)}


def _modules():
    for pattern in ("*.py", "*.pyx", "*.pxd"):
        yield from sorted((ROOT / "sknn").glob(pattern))


@pytest.mark.parametrize("path", list(_modules()), ids=lambda path: path.name)
def test_every_module_is_on_the_map(path):
    assert f"sknn/{path.name}" in NAMED, (
        f"sknn/{path.name} is not named in ARCHITECTURE.md: add it to its floor."
    )


@pytest.mark.parametrize("name", sorted(NAMED))
def test_every_file_on_the_map_exists(name):
    assert (ROOT / name).exists(), f"ARCHITECTURE.md names {name}, which is gone."


def test_the_readme_links_the_map():
    assert "ARCHITECTURE.md" in (ROOT / "README.md").read_text(encoding="utf-8")
