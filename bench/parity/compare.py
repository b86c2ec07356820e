#!/usr/bin/env python3
"""Compares dpo4j's numbers (ParityCheck) with transformers' (make_reference.py) and prints a parity table.

usage: compare.py WORK_DIR [--markdown FILE] [--json FILE]

For every WORK_DIR/<model>_reference.json it looks for the dpo4j results WORK_DIR/<model>_java.json (the checkpoint
exactly as transformers saved it) and WORK_DIR/<model>_legacy_java.json (same weights, rope keys also at the top
level of config.json, as transformers 4.x wrote them), and their post-step weights <...>_step1/model.safetensors.
Exit status 1 if any check fails, 2 if results are missing.

Checks (relative difference = |dpo4j - hf| / |hf|, max over the batch or tensors):
  logps_before   float32 per-sequence completion log-probs of the starting model     rel < 1e-4
  loss_before    DPO sigmoid loss (beta 0.1), reference = starting model (ln 2)       rel < 1e-4
  grad_norm      global gradient norm before clipping                                 rel < 1e-4
  grad_norms     per-tensor gradient norms (worst tensor)                             rel < 1e-3
  weights_step1  every weight after one AdamW step: fraction of elements off by more than 1e-3*lr + 1e-4*|w|
                 <= 1e-3, and off by more than lr/2 <= 1e-5 (see the comment at WEIGHT_ABS_PER_LR)
  logps_after    log-probs after the step                                             rel < 1e-4
  margin_after   beta * DPO log-ratio margin after the step                           rel < 1e-4
  loss_after     DPO loss after the step; loss = softplus(-m) has relative condition number ~m at margin m, so
                 the tolerance is 1e-4 * max(1, m) relative, plus 1e-7 absolute (float32 log(1 + e) is 0 for
                 e < 6e-8, so a float32 loss below ~1e-7 is not resolvable)
  logps fp16     dpo4j's float16 log-probs (float16 compute, float32 accumulation) against transformers' float32
                 ones: rel < 2e-3, twice float16's machine epsilon (2^-10); transformers' own float16 run is shown
                 beside it as INFO, for scale
  logps bf16     dpo4j's bfloat16 log-probs (the TorchScript kernels) against transformers' float32 ones:
                 rel < 1.6e-2, twice bfloat16's machine epsilon (2^-7); transformers' own bfloat16 run as INFO

LoRA (issue #12), for every WORK_DIR/<model>_lora_hf.json (lora_reference.py make) with <model>_lora_java.json
(LoraParityCheck) and <model>_lora_peft_loads.json (lora_reference.py load-check), all float32:
  lora logps           log-probs of base + adapter, dpo4j's LoraAdapters over the base vs PeftModel    rel < 1e-4
  lora logps, adapter off   the base alone (PEFT's disable_adapter)                                    rel < 1e-4
  lora trainer loss    the trainer's step-1 loss, reference = base + adapter as loaded (ln 2)          rel < 1e-4
  lora trainer grad_norm    global gradient norm of the adapter weights before clipping               rel < 1e-4
  lora trainer logps   the trainer's step-1 mean chosen / rejected log-probs                           rel < 1e-4
  lora adapter_step1   the adapter dpo4j saved after one AdamW step vs PEFT's, under PEFT's names: the
                       weights_step1 rule above
  lora logps_after     dpo4j's log-probs with its saved adapter vs PEFT's after its step              rel < 1e-4
  lora margin_after / loss_after   as margin_after / loss_after above
  peft loads dpo4j adapter   PeftModel.from_pretrained(base, dpo4j's folder) log-probs vs dpo4j's       rel < 1e-4
"""
import argparse
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file

REL = 1e-4
FP16_REL = 2e-3
BF16_REL = 1.6e-2
GRAD_TENSOR_REL = 1e-3
# Adam's first step is lr * g / (|g| + eps), i.e. about lr * sign(g): where the true gradient is within float32
# noise of zero the sign can legitimately differ between implementations (an error of up to 2 lr in that element).
# More generally the update lr * g / (|g| + eps) amplifies a gradient's relative error where |g| is tiny, so a few
# elements whose gradient is float32 noise differ by a fraction of lr. An element matches if
# |w_dpo4j - w_hf| <= 1e-3 * lr + 1e-4 * |w_hf|; the check passes if at most 1e-3 of all elements do not match and
# at most 1e-5 are grossly off (> lr / 2, the size of a wrong step rather than noise). Systematic errors in small
# tensors (norm weights, biases) that such a fraction could hide are caught by the per-tensor gradient norms.
WEIGHT_ABS_PER_LR = 1e-3
WEIGHT_REL = 1e-4
FP16_REL = 2e-3
WEIGHT_FRACTION = 1e-3
GROSS_FRACTION = 1e-5


def flat(d):
    return np.array(d["chosen"] + d["rejected"], dtype=np.float64)


def rel(a, b):
    a, b = np.atleast_1d(np.asarray(a, np.float64)), np.atleast_1d(np.asarray(b, np.float64))
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-30)))


def margins(after, before, beta, pairs):
    return beta * ((after[:pairs] - after[pairs:]) - (before[:pairs] - before[pairs:]))


def weight_rows(row, quantity, mine, step1_hf, lr, strict=False):
    """The element-wise rule of WEIGHT_ABS_PER_LR over every tensor of step1_hf, one row; strict: a tensor only
    dpo4j wrote fails it too."""
    beyond = gross = total = 0
    worst_abs, worst_name, worst_frac = 0.0, "", (0.0, "")
    for name, want in step1_hf.items():
        got = mine.get(name)
        if got is None or got.shape != want.shape:
            row(quantity, float("nan"), "", False, f"{name} missing or misshaped; dpo4j has e.g. "
                f"{sorted(mine)[:3]}")
            return
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        bad = diff > WEIGHT_ABS_PER_LR * lr + WEIGHT_REL * np.abs(want)
        beyond += int(bad.sum())
        gross += int((diff > 0.5 * lr).sum())
        total += diff.size
        if diff.max() > worst_abs:
            worst_abs, worst_name = float(diff.max()), name
        if bad.mean() > worst_frac[0]:
            worst_frac = (float(bad.mean()), name)
    extra = sorted(set(mine) - set(step1_hf)) if strict else []
    fraction = beyond / max(total, 1)
    ok = fraction <= WEIGHT_FRACTION and gross <= GROSS_FRACTION * total and not extra
    row(quantity, fraction, f"frac {WEIGHT_FRACTION:g}, >lr/2 {GROSS_FRACTION:g}", ok,
        f"{beyond}/{total} elements beyond {WEIGHT_ABS_PER_LR:g}*lr+{WEIGHT_REL:g}*|w|, {gross} beyond lr/2; "
        f"max |dw| = {worst_abs / lr:.3g} lr ({worst_name})"
        + (f"; worst tensor {worst_frac[1]} {worst_frac[0]:.2g}" if beyond else "")
        + (f"; only in dpo4j's file: {extra[:3]}" if extra else ""))


def after_rows(row, java_after, hf_after, java_before, hf_before, java_loss, hf_loss, beta, pairs, prefix=""):
    """logps_after, margin_after and loss_after rows."""
    d = rel(flat(java_after), flat(hf_after))
    row(prefix + "logps_after (fp32)", d, f"rel {REL:g}", d < REL)
    m_hf = margins(flat(hf_after), flat(hf_before), beta, pairs)
    m_java = margins(flat(java_after), flat(java_before), beta, pairs)
    d = rel(m_java, m_hf)
    row(prefix + "margin_after (beta*h)", d, f"rel {REL:g}", d < REL, f"hf {np.round(m_hf, 3).tolist()}")
    cond = max(1.0, float(np.max(np.abs(m_hf))))
    ok = abs(java_loss - hf_loss) <= REL * cond * abs(hf_loss) + 1e-7
    row(prefix + "loss_after", rel(java_loss, hf_loss), f"rel {REL * cond:.2g} + abs 1e-7", ok,
        f"hf {hf_loss:.4g}, dpo4j {java_loss:.4g}")


def compare_lora(case, hf_file, java, loads):
    """The LoRA rows of one model: dpo4j's LoraParityCheck output against lora_reference.py's."""
    ref = json.load(open(hf_file))
    hf, inputs = ref["hf"], ref["inputs"]
    pairs, beta, lr = len(inputs["pairs"]), inputs["beta"], inputs["lr"]
    rows = []

    def row(quantity, value, tol, ok, note=""):
        rows.append({"case": case, "quantity": quantity, "value": value, "tolerance": tol,
                     "status": ok if isinstance(ok, str) else ("PASS" if ok else "FAIL"), "note": note})

    if java is None:
        row("lora (all)", float("nan"), "", False, "no LoraParityCheck output")
        return rows
    if "error" in java:
        row("lora (all)", float("nan"), "", False, java["error"][:300])
    if "logps" in java:
        d = rel(flat(java["logps"]), flat(hf["logps"]))
        row("lora logps (fp32, adapter on)", d, f"rel {REL:g}", d < REL,
            f"adapter moves log-probs by up to {np.max(np.abs(flat(hf['logps']) - flat(hf['logps_base']))):.3g}")
    if "logps_base" in java:
        d = rel(flat(java["logps_base"]), flat(hf["logps_base"]))
        row("lora logps, adapter off (fp32)", d, f"rel {REL:g}", d < REL)
    trainer = java.get("trainer")
    if trainer:
        d = rel(trainer["loss"], hf["loss_before"])
        row("lora trainer loss (step 1)", d, f"rel {REL:g}", d < REL, f"hf {hf['loss_before']:.7f}")
        d = rel(trainer["grad_norm"], hf["grad_norm"])
        row("lora trainer grad_norm", d, f"rel {REL:g}", d < REL, f"hf {hf['grad_norm']:.6g}")
        want = [np.mean(hf["logps"]["chosen"]), np.mean(hf["logps"]["rejected"])]
        d = rel([trainer["logps_chosen"], trainer["logps_rejected"]], want)
        row("lora trainer logps (step 1 means)", d, f"rel {REL:g}", d < REL)
    else:
        row("lora trainer", float("nan"), "", False, "no trainer metrics")
    adapter = os.path.join(java.get("adapter_out") or "", "adapter_model.safetensors")
    step1 = hf_file.replace("_lora_hf.json", "_lora_step1.safetensors")
    if os.path.isfile(adapter):
        try:
            weight_rows(row, "lora adapter_step1", load_file(adapter), load_file(step1), lr, strict=True)
        except Exception as e:  # e.g. a dtype numpy cannot hold
            row("lora adapter_step1", float("nan"), "", False, f"cannot read {adapter}: {e}")
    else:
        row("lora adapter_step1", float("nan"), "", False, f"{adapter} missing")
    if "logps_after" in java and "logps" in java:
        after_rows(row, java["logps_after"], hf["logps_after"], java["logps"], hf["logps"], java["loss_after"],
                   hf["loss_after"], beta, pairs, "lora ")
    if loads is None:
        row("peft loads dpo4j adapter", float("nan"), "", False, "no load-check output")
    elif "error" in loads or "logps" not in loads or "logps_after" not in java:
        row("peft loads dpo4j adapter", float("nan"), "", False, loads.get("error", "no logps")[:300])
    else:
        d = rel(flat(loads["logps"]), flat(java["logps_after"]))
        row("peft loads dpo4j adapter (logps)", d, f"rel {REL:g}", d < REL,
            f"{loads.get('adapter_tensors')} adapter tensors loaded (hf {hf.get('adapter_tensors')})")
    return rows


def compare_case(case, ref, java, step1_hf):
    hf, inputs = ref["hf"], ref["inputs"]
    pairs, beta, lr = len(inputs["pairs"]), inputs["beta"], inputs["lr"]
    rows = []

    def row(quantity, value, tol, ok, note=""):
        rows.append({"case": case, "quantity": quantity, "value": value, "tolerance": tol,
                     "status": ok if isinstance(ok, str) else ("PASS" if ok else "FAIL"), "note": note})

    d = rel(flat(java["logps_before"]), flat(hf["logps_before"]))
    row("logps_before (fp32)", d, f"rel {REL:g}", d < REL)
    d = rel(java["loss_before"], hf["loss_before"])
    row("loss_before", d, f"rel {REL:g}", d < REL, f"hf {hf['loss_before']:.7f}")
    d = rel(java["grad_norm"], hf["grad_norm"])
    row("grad_norm", d, f"rel {REL:g}", d < REL, f"hf {hf['grad_norm']:.6g}")
    names = sorted(set(hf["grad_norms"]) & set(java["grad_norms"]))
    missing = sorted(set(hf["grad_norms"]) ^ set(java["grad_norms"]))
    worst = max(names, key=lambda n: rel(java["grad_norms"][n], hf["grad_norms"][n]))
    d = rel(java["grad_norms"][worst], hf["grad_norms"][worst])
    row("grad_norms (per tensor)", d, f"rel {GRAD_TENSOR_REL:g}", d < GRAD_TENSOR_REL and not missing,
        f"worst {worst}" + (f"; only in one side: {missing}" if missing else ""))

    weights = os.path.join(java["weights_after"], "model.safetensors")
    if os.path.isfile(weights):
        weight_rows(row, "weights_step1", load_file(weights), step1_hf, lr)
    else:
        row("weights_step1", float("nan"), "", False, f"{weights} missing")

    after_rows(row, java["logps_after"], hf["logps_after"], java["logps_before"], hf["logps_before"],
               java["loss_after"], hf["loss_after"], beta, pairs)

    d = rel(flat(hf["logps_fp16"]), flat(hf["logps_before"]))
    row("logps fp16 hf vs fp32 hf", d, "-", "INFO", "yardstick")
    if "logps_fp16" in java:
        d = rel(flat(java["logps_fp16"]), flat(hf["logps_before"]))
        row("logps fp16 dpo4j vs fp32 hf", d, f"rel {FP16_REL:g}", d < FP16_REL)
    if "logps_bf16" in hf:
        d = rel(flat(hf["logps_bf16"]), flat(hf["logps_before"]))
        row("logps bf16 hf vs fp32 hf", d, "-", "INFO", "yardstick")
    if "logps_bf16" in java:
        d = rel(flat(java["logps_bf16"]), flat(hf["logps_before"]))
        row("logps bf16 dpo4j vs fp32 hf", d, f"rel {BF16_REL:g}", d < BF16_REL)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work")
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows, missing = [], []
    models = sorted(f[:-len("_reference.json")] for f in os.listdir(args.work) if f.endswith("_reference.json"))
    header = None
    for model in models:
        ref = json.load(open(os.path.join(args.work, model + "_reference.json")))
        step1_hf = load_file(os.path.join(args.work, model + "_step1.safetensors"))
        for suffix, label in (("", "as saved by transformers"), ("_legacy", "legacy rope keys")):
            path = os.path.join(args.work, f"{model}{suffix}_java.json")
            if not os.path.isfile(path):
                missing.append(path)
                continue
            java = json.load(open(path))
            header = header or (f"transformers {ref['hf']['transformers']}, torch {ref['hf']['torch']} on "
                                f"{ref['hf']['device']}; dpo4j on {java['device']} ({java['engine']})")
            case = f"{model} ({label}; theta {java['rope_theta_used']:g}, scaling "\
                   f"{'llama3' if java['rope_scaling_used'] != 'null' else 'none'})"
            rows.extend(compare_case(case, ref, java, step1_hf))
    for model in sorted(f[:-len("_lora_hf.json")] for f in os.listdir(args.work) if f.endswith("_lora_hf.json")):
        hf_file = os.path.join(args.work, model + "_lora_hf.json")
        java_file = os.path.join(args.work, model + "_lora_java.json")
        loads_file = os.path.join(args.work, model + "_lora_peft_loads.json")
        java = json.load(open(java_file)) if os.path.isfile(java_file) else None
        loads = json.load(open(loads_file)) if os.path.isfile(loads_file) else None
        if java is None:
            missing.append(java_file)
        peft_version = json.load(open(hf_file))["hf"].get("peft")
        rows.extend(compare_lora(f"{model} LoRA r 8 (peft {peft_version})", hf_file, java, loads))
    lines = [f"Parity: {header}", "",
             "| model (config read by dpo4j) | quantity | max rel. diff | tolerance | result | note |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['quantity']} | {r['value']:.3g} | {r['tolerance']} | {r['status']} "
                     f"| {r['note']} |")
    failed = [r for r in rows if r["status"] == "FAIL"]
    lines += ["", f"{len(rows) - len(failed)} rows pass or inform, {len(failed)} fail"
              + (f"; missing results: {missing}" if missing else "")]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 2 if missing or not rows else (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main())
