"""Exports HuggingFace transformer models to torchstream model bundles (TorchScript + tokenizer)."""

__version__ = "0.1.0"

# The bundle contract shared with the Java runtime (io.torchstream.bundle.BundleManifest).
BUNDLE_FORMAT = "torchstream-bundle"
BUNDLE_FORMAT_VERSION = 1

TASKS = ("sequence-classification", "token-classification", "embedding")
