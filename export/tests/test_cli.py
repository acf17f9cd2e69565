import subprocess
import sys
from pathlib import Path

EXPORT_DIR = Path(__file__).resolve().parents[1]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "torchstream_export", *args], cwd=EXPORT_DIR,
                          capture_output=True, text=True)


def test_cli_exports_and_prints_the_verification(model_folders, tmp_path):
    result = _run(str(model_folders("distilbert-seq-cls")), "--task", "sequence-classification",
                  "--out", str(tmp_path / "b"), "--batch", "2", "--seq-len", "16", "--probe", "1x8", "-q")
    assert result.returncode == 0, result.stderr
    assert "max abs diff vs eager" in result.stdout
    assert "probe 1x8:" in result.stdout
    assert (tmp_path / "b" / "bundle.json").exists()


def test_cli_fails_clearly(model_folders, tmp_path):
    result = _run(str(model_folders("bert-embedding")), "--task", "token-classification", "--out", str(tmp_path / "b"))
    assert result.returncode == 2
    assert "no trained weights" in result.stderr
    assert "Traceback" not in result.stderr
