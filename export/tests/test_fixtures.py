"""The committed Java test fixtures must be what the fixture generator makes today."""

import json
from pathlib import Path

import pytest

from torchstream_export import fixtures

COMMITTED = Path(__file__).resolve().parents[2] / "src" / "test" / "resources" / "fixtures"
VOLATILE = {"versions", "verification", "files"}


def _close(a, b, path="$"):
    if isinstance(a, float) or isinstance(b, float):
        assert abs(a - b) <= 1e-5, f"{path}: {a} != {b}"
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path}: keys differ"
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("name", list(fixtures.FIXTURES))
def test_regenerated_fixture_agrees_with_the_committed_one(name, tmp_path):
    fixtures.build(name, tmp_path / "out", tmp_path / "work")
    new_bundle, old_bundle = tmp_path / "out" / "bundles" / name, COMMITTED / "bundles" / name
    assert (new_bundle / "tokenizer.json").read_bytes() == (old_bundle / "tokenizer.json").read_bytes()
    new_manifest = json.loads((new_bundle / "bundle.json").read_text())
    old_manifest = json.loads((old_bundle / "bundle.json").read_text())
    _close({k: v for k, v in new_manifest.items() if k not in VOLATILE},
           {k: v for k, v in old_manifest.items() if k not in VOLATILE})
    _close(json.loads((tmp_path / "out" / "reference" / f"{name}.json").read_text()),
           json.loads((COMMITTED / "reference" / f"{name}.json").read_text()))
