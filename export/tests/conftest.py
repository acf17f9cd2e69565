from pathlib import Path

import pytest

from torchstream_export import fixtures


@pytest.fixture(scope="session")
def model_folders(tmp_path_factory):
    """save_pretrained folders of seeded, random-initialised models (built once per session)."""
    root = tmp_path_factory.mktemp("models")
    cache = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = fixtures.make_model_folder(name, root / name)
        return cache[name]

    return get
