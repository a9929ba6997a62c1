"""The linters' versions: pinned once for pre-commit and CI, and for developers."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(text):
    return dict(re.findall(r'"(ruff|cython-lint)==([0-9.]+)"', text))


def test_dev_extra_pins_the_linters_as_pre_commit_does():
    hooks = pins((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert set(hooks) == {"ruff", "cython-lint"}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (dev,) = re.findall(r"\ndev = \[\n(.*?)\n\]", pyproject, flags=re.DOTALL)
    assert pins(dev) == hooks
