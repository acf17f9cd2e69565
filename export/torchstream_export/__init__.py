"""Exports HuggingFace transformer models to torchstream model bundles (TorchScript + tokenizer)."""

__version__ = "0.1.0"

# The bundle contract shared with the Java runtime (io.torchstream.bundle.BundleManifest).
BUNDLE_FORMAT = "torchstream-bundle"
BUNDLE_FORMAT_VERSION = 1
MANIFEST_FILE = "bundle.json"
MODEL_FILE = "model.pt"
TOKENIZER_FILE = "tokenizer.json"

TASKS = ("sequence-classification", "token-classification", "embedding")


class ExportError(Exception):
    """An export that must not produce a bundle; the message says what to change."""
