#!/usr/bin/env python3
"""transformers + peft side of dpo4j's LoRA parity check (issue #12; see bench/README.md). Runs after
make_reference.py, on the base checkpoints it saved.

  lora_reference.py make WORK_DIR [--device cuda|cpu] [--seed 0]
      For each base WORK_DIR/<name>/ (qwen2, llama, mistral) it builds a PEFT LoRA adapter (r 8, lora_alpha 16,
      q/k/v/o/gate/up/down_proj, lora_dropout 0; lora_A as peft initializes it, seeded; lora_B drawn N(0, 0.02) so the
      adapter changes the outputs), saves it with save_pretrained into WORK_DIR/<name>_lora/ (adapter_config.json's
      base_model_name_or_path = the base folder's absolute path), writes a word-level tokenizer (token "i" is id i,
      EOS "999", PAD "0", no BOS) into both folders so dpo4j's trainer can read the pairs as text, draws 4 preference
      pairs whose completions end with EOS, and computes in float32 with eager attention:
        * completion log-probs through the PeftModel (adapter on), and with the adapter disabled (the base alone);
        * the DPO sigmoid loss (beta 0.1) with TRL's rule for training that continues from an existing adapter: the
          reference is the base plus that adapter as loaded (a frozen copy), so the loss starts at ln 2;
        * the global and per-tensor gradient norms of the adapter weights, one torch.optim.AdamW step (lr 1e-3,
          betas (0.9, 0.999), eps 1e-8, weight decay 0.01 on every lora_A / lora_B, as dpo4j decays every weight whose
          name has no "norm" and does not end in ".bias") after clip_grad_norm_(1.0), on the adapter only;
        * the log-probs and loss after the step; the stepped adapter (PEFT's saved names) as safetensors.
      Writes WORK_DIR/<name>_lora/, <name>_lora_hf.json (inputs and results), <name>_lora_step1.safetensors.

  lora_reference.py load-check WORK_DIR [--device cuda|cpu]
      For each WORK_DIR/<name>_lora_java.json (LoraParityCheck's output) loads the adapter dpo4j saved after its
      training step with PeftModel.from_pretrained(base, folder) and scores the same pairs in float32 eager:
      WORK_DIR/<name>_lora_peft_loads.json (the log-probs, or the error).
"""
import argparse
import json
import os
import sys

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import (BETA, BETAS, EPS, LR, MAX_GRAD_NORM, PAD_ID, PAIRS, WEIGHT_DECAY, batch,  # noqa: E402
                            completion_logps, dpo_loss, eager, halves)

MODELS = ("qwen2", "llama", "mistral")
RANK = 8
ALPHA = 16
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
B_STD = 0.02


def load_base(folder, device):
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager")
    return eager(model).float().to(device)


def write_tokenizer(folder, vocab):
    """A word-level tokenizer.json whose token "i" is id i (whitespace-separated ids as text), EOS vocab-1, PAD 0."""
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": None, "decoder": None,
        "model": {"type": "WordLevel", "vocab": {str(i): i for i in range(vocab)}, "unk_token": "0"},
    }
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump(tokenizer, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"eos_token": str(vocab - 1), "pad_token": str(PAD_ID), "add_bos_token": False,
                   "add_eos_token": False, "model_max_length": 4096}, f, indent=1)


def draw_pairs(generator, vocab):
    """Prompt ids and completion ids in [1, vocab-2]; every completion ends with EOS (vocab-1), as dpo4j's encoder
    would otherwise append it."""
    eos = vocab - 1

    def ids(n):
        return torch.randint(1, eos, (n,), generator=generator).tolist()

    def length():
        return int(torch.randint(5, 61, (1,), generator=generator))

    return [{"prompt": ids(length()), "chosen": ids(length() - 1) + [eos], "rejected": ids(length() - 1) + [eos]}
            for _ in range(PAIRS)]


def saved_name(name):
    """A trainable parameter's name as save_pretrained writes it: the adapter name ("default") dropped."""
    return name.replace(".default", "")


def make(name, out, device, seed):
    folder = os.path.abspath(os.path.join(out, name))
    adapter_dir = folder + "_lora"
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 12)
    base = load_base(folder, device)
    vocab = base.config.vocab_size
    config = LoraConfig(r=RANK, lora_alpha=ALPHA, target_modules=list(TARGETS), lora_dropout=0.0, bias="none",
                        task_type="CAUSAL_LM", base_model_name_or_path=folder)
    model = get_peft_model(base, config)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.copy_(B_STD * torch.randn(p.shape, generator=generator, dtype=torch.float32))
    model.save_pretrained(adapter_dir, save_embedding_layers=False)
    config_path = os.path.join(adapter_dir, "adapter_config.json")
    with open(config_path) as f:
        adapter_config = json.load(f)
    adapter_config["base_model_name_or_path"] = folder
    with open(config_path, "w") as f:
        json.dump(adapter_config, f, indent=2, sort_keys=True)
    write_tokenizer(folder, vocab)
    write_tokenizer(adapter_dir, vocab)

    pairs = draw_pairs(generator, vocab)
    ids, attention, scored = batch(pairs, device)
    model.train()  # every dropout is 0
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n, _ in trainable), [n for n, _ in trainable][:5]
    with torch.no_grad():
        with model.disable_adapter():
            base_logps = completion_logps(model, ids, attention, scored)
        reference = completion_logps(model, ids, attention, scored)  # TRL: the adapter as loaded, frozen
    policy = completion_logps(model, ids, attention, scored)
    loss = dpo_loss(policy, reference, PAIRS)
    loss.backward()
    grad_norms = {saved_name(n): float(p.grad.norm()) for n, p in trainable}
    params = [p for _, p in trainable]
    grad_norm = float(torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM))
    optimizer = torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
    optimizer.step()
    optimizer.zero_grad()
    with torch.no_grad():
        after = completion_logps(model, ids, attention, scored)
        loss_after = dpo_loss(after, reference, PAIRS)
    stepped = {k: v.detach().float().cpu().contiguous() for k, v in get_peft_model_state_dict(model).items()}
    assert set(stepped) == set(grad_norms), sorted(set(stepped) ^ set(grad_norms))[:5]
    save_file(stepped, os.path.join(out, name + "_lora_step1.safetensors"))

    result = {
        "inputs": {"pairs": pairs, "pad_id": PAD_ID, "eos_id": vocab - 1, "beta": BETA, "lr": LR,
                   "betas": list(BETAS), "eps": EPS, "weight_decay": WEIGHT_DECAY, "max_grad_norm": MAX_GRAD_NORM,
                   "lora_r": RANK, "lora_alpha": ALPHA, "lora_target_modules": TARGETS, "base_dir": folder,
                   "adapter_dir": adapter_dir},
        "hf": {
            "torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
            "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
            "logps": halves(reference, PAIRS), "logps_base": halves(base_logps, PAIRS),
            "loss_before": loss.item(), "grad_norm": grad_norm, "grad_norms": grad_norms,
            "logps_after": halves(after, PAIRS), "loss_after": float(loss_after),
            "adapter_parameters": sum(p.numel() for p in params), "adapter_tensors": len(params),
        },
    }
    with open(os.path.join(out, name + "_lora_hf.json"), "w") as f:
        json.dump(result, f, indent=1)
    lengths = [(len(p["prompt"]), len(p["chosen"]), len(p["rejected"])) for p in pairs]
    print(f"{name}_lora: {len(params)} adapter tensors, {result['hf']['adapter_parameters']} parameters, loss "
          f"{loss.item():.7f} -> {loss_after.item():.7f}, grad norm {grad_norm:.6g}, adapter changes log-probs by up "
          f"to {float((reference - base_logps).abs().max()):.3g}, lengths {lengths}")


def load_check(work, name, device):
    java = json.load(open(os.path.join(work, name + "_lora_java.json")))
    hf = json.load(open(os.path.join(work, name + "_lora_hf.json")))
    inputs = hf["inputs"]
    out = {"adapter_dir": java.get("adapter_out"), "peft": peft.__version__}
    try:
        base = load_base(inputs["base_dir"], device)
        model = PeftModel.from_pretrained(base, java["adapter_out"])
        model.eval()
        loaded = {saved_name(n) for n, _ in model.named_parameters() if "lora_" in n}
        out["adapter_tensors"] = len(loaded)
        ids, attention, scored = batch(inputs["pairs"], device)
        with torch.no_grad():
            out["logps"] = halves(completion_logps(model, ids, attention, scored), len(inputs["pairs"]))
    except Exception as e:  # reported as a failed row by compare.py
        out["error"] = f"{type(e).__name__}: {e}"[:2000]
    with open(os.path.join(work, name + "_lora_peft_loads.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"{name}: PeftModel.from_pretrained({out['adapter_dir']}): {out.get('error') or 'loaded, scored'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("make", "load-check"))
    parser.add_argument("work")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False  # plain IEEE float32, as dpo4j computes
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)
    print(f"lora_reference {args.mode}: torch {torch.__version__}, transformers {transformers.__version__}, "
          f"peft {peft.__version__}, device {device}")
    for name in MODELS:
        if args.mode == "make":
            if os.path.isdir(os.path.join(args.work, name)):
                make(name, args.work, device, args.seed)
        elif os.path.isfile(os.path.join(args.work, name + "_lora_java.json")):
            load_check(args.work, name, device)


if __name__ == "__main__":
    sys.exit(main())
