"""int8 bundles: dynamic quantization of the Linear layers (int8 weights, activations quantized per batch at
run time), and the drift it causes, measured against the fp32 eager model on real texts. A quantized bundle
is refused when its drift exceeds the export's --max-drift: quantization is verified, not assumed."""

from __future__ import annotations

import copy
import fnmatch
import logging

import torch

from . import ExportError
from .options import ExportOptions

log = logging.getLogger("torchstream.export")

SCHEMES = ("per-channel", "per-tensor")


def quantize(module: torch.nn.Module, scheme: str, keep_fp32: list[str] | None = None) -> tuple[torch.nn.Module, dict]:
    """A copy of module with its Linear layers in int8, but those whose names match a keep_fp32 pattern
    (fnmatch, such as '*.output.dense'); and what was done, for bundle.json."""
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

    if scheme not in SCHEMES:
        raise ExportError(f"--quantize-scheme must be one of {', '.join(SCHEMES)}, got {scheme}")
    qconfig = per_channel_dynamic_qconfig if scheme == "per-channel" else default_dynamic_qconfig
    keep = list(keep_fp32 or [])
    linears = [name for name, m in module.named_modules() if isinstance(m, torch.nn.Linear)]
    kept = [name for name in linears if any(fnmatch.fnmatchcase(name, p) for p in keep)]
    for pattern in keep:
        if not any(fnmatch.fnmatchcase(name, pattern) for name in linears):
            raise ExportError(f"--keep-fp32 '{pattern}' matches no Linear layer; they are named like {linears[:3]}")
    spec = {name: qconfig for name in linears if name not in kept}
    if not spec:
        raise ExportError("--keep-fp32 keeps every Linear layer in fp32: nothing would be quantized")
    quantized = quantize_dynamic(copy.deepcopy(module).eval(), qconfig_spec=spec, dtype=torch.qint8)
    log.info("quantized %d of %d Linear layers to int8 (%s), engine %s", len(spec), len(linears), scheme,
             torch.backends.quantized.engine)
    return quantized.eval(), {
        "dtype": "qint8",
        "method": "dynamic",
        "scheme": scheme,
        "layers": len(spec),
        "kept_fp32": kept,
        "engine": torch.backends.quantized.engine,
    }


def _outputs(module, inputs):
    with torch.no_grad():
        out = module(*inputs)
    return out if isinstance(out, torch.Tensor) else out[0]


def drift(options: ExportOptions, fp32: torch.nn.Module, int8: torch.nn.Module, tokenizer, input_names: list[str],
          texts: list, pooling: dict | None = None, scores: str = "softmax") -> dict:
    """How far the int8 model's results move from fp32's on texts, in the terms of the task's results:
    cosine of pooled embeddings; label agreement and probability difference for classifiers; per-token label
    agreement for taggers. 'drift' is the one number compared with --max-drift: 1 - the lowest cosine, or
    1 - the label agreement."""
    cosines, agree, total, max_prob = [], 0, 0, 0.0
    for start in range(0, len(texts), 8):
        rows = texts[start : start + 8]
        if rows and isinstance(rows[0], (tuple, list)):
            enc = tokenizer([r[0] for r in rows], [r[1] for r in rows], padding=True, truncation=True,
                            max_length=options.seq_len, return_tensors="pt")
        else:
            enc = tokenizer(rows, padding=True, truncation=True, max_length=options.seq_len, return_tensors="pt")
        inputs = [enc[n] if n in enc else torch.zeros_like(enc["input_ids"]) for n in input_names]
        a, b = _outputs(fp32, inputs), _outputs(int8, inputs)
        mask = enc["attention_mask"]
        if options.task == "embedding":
            va, vb = _pool(a, mask, pooling), _pool(b, mask, pooling)
            cosines += torch.nn.functional.cosine_similarity(va, vb, dim=-1).tolist()
        elif options.task == "sequence-classification":
            pa, pb = (torch.sigmoid(a), torch.sigmoid(b)) if scores == "sigmoid" else (a.softmax(-1), b.softmax(-1))
            agree += int((pa.argmax(-1) == pb.argmax(-1)).sum())
            total += pa.shape[0]
            max_prob = max(max_prob, float((pa - pb).abs().max()))
        else:
            real = mask.bool()
            pa, pb = a.softmax(-1), b.softmax(-1)
            agree += int((pa.argmax(-1) == pb.argmax(-1))[real].sum())
            total += int(real.sum())
            max_prob = max(max_prob, float((pa - pb).abs()[real].max()))
    if options.task == "embedding":
        result = {"texts": len(texts), "cosine_mean": sum(cosines) / len(cosines), "cosine_min": min(cosines),
                  "drift": 1 - min(cosines)}
    else:
        result = {"texts": len(texts), "label_agreement": agree / total, "max_probability_diff": max_prob,
                  "drift": 1 - agree / total}
        if options.task == "token-classification":
            result["tokens"] = total
    result["max_drift"] = options.max_drift
    log.info("int8 drift from fp32 on %d texts: %s", len(texts), result)
    if not result["drift"] <= options.max_drift:
        raise ExportError(
            f"the int8 model drifts {result['drift']:.4f} from fp32 on {len(texts)} texts ({_describe(result)}), "
            f"beyond --max-drift {options.max_drift:g}; no bundle was written. Try --quantize-scheme per-channel, "
            "keep sensitive layers in fp32 with --keep-fp32, or accept more drift")
    return result


def _describe(result: dict) -> str:
    if "cosine_min" in result:
        return f"cosine mean {result['cosine_mean']:.4f}, min {result['cosine_min']:.4f}"
    return f"label agreement {result['label_agreement']:.4f}, max probability diff {result['max_probability_diff']:.3f}"


def _pool(hidden: torch.Tensor, mask: torch.Tensor, pooling: dict | None) -> torch.Tensor:
    mode = (pooling or {}).get("mode", "mean")
    if mode == "cls":
        vector = hidden[:, 0]
    else:
        m = mask.unsqueeze(-1).to(hidden.dtype)
        vector = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    if (pooling or {}).get("normalize"):
        vector = torch.nn.functional.normalize(vector, dim=-1)
    return vector
