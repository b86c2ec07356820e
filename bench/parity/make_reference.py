#!/usr/bin/env python3
"""Hugging Face transformers side of the dpo4j parity check (see bench/README.md).

For a Qwen2-style, a Llama-style (Llama-3 rope scaling) and a Mistral-style (sliding window of 16) config it creates a random-initialized model, saves it
with save_pretrained (float32 safetensors), draws a batch of preference pairs as token ids, and computes in float32
with eager attention:
  * per-sequence summed completion log-probs (token t predicted by the logits at t-1, prompt excluded, right
    padding), and the same in float16 as a yardstick;
  * the DPO sigmoid loss (beta 0.1) against a reference that is the same starting checkpoint (so it is ln 2);
  * the global and per-tensor gradient norms, one torch.optim.AdamW step after clip_grad_norm_(1.0), with weight
    decay 0.01 on matrices only (biases and norm weights in a no-decay group, as transformers' Trainer does);
  * the log-probs and the loss after the step, and the post-step weights (safetensors).

Writes, per model, into OUT_DIR:
  <name>/               the starting checkpoint as transformers saved it (config.json, model.safetensors)
  <name>_legacy/        the same weights with rope_theta / rope_scaling also written as top-level config keys,
                        the transformers 4.x layout that checkpoints on the Hub still use
  <name>_reference.json inputs (token ids, hyper-parameters) and the transformers results
  <name>_step1.safetensors  the weights after the step

usage: make_reference.py OUT_DIR [--device cuda|cpu] [--seed 0]
"""
import argparse
import copy
import json
import math
import os
import shutil
import sys

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import save_file
from transformers import (LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config,
                          Qwen2ForCausalLM)

BETA = 0.1
LR = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.01
MAX_GRAD_NORM = 1.0
PAD_ID = 0
PAIRS = 4
SHAPES = dict(vocab_size=1000, hidden_size=256, intermediate_size=512, num_hidden_layers=4,
              num_attention_heads=8, num_key_value_heads=2, rms_norm_eps=1e-6, max_position_embeddings=512)
LLAMA3_SCALING = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 64}


def configs():
    qwen2 = Qwen2Config(**SHAPES, tie_word_embeddings=True, rope_theta=1000000.0, use_sliding_window=False)
    llama = LlamaConfig(**SHAPES, tie_word_embeddings=False, rope_theta=500000.0, rope_scaling=dict(LLAMA3_SCALING),
                        attention_bias=False, mlp_bias=False)
    # Mistral v0.1 style: every layer attends over a sliding window, here 16 tokens so the 10-120 token pairs cross it
    mistral = MistralConfig(**SHAPES, tie_word_embeddings=False, rope_theta=10000.0, sliding_window=16)
    return [("qwen2", Qwen2ForCausalLM, qwen2), ("llama", LlamaForCausalLM, llama),
            ("mistral", MistralForCausalLM, mistral)]


def randomize(model, generator):
    """Matrices N(0, 0.08) (larger than initializer_range so attention is far from uniform), norm weights
    1 + N(0, 0.1), biases N(0, 0.3): every weight kind matters to the result, so a bug in any would show."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=generator, dtype=torch.float32)
            if "norm" in name:
                p.copy_(1.0 + 0.1 * noise)
            elif name.endswith(".bias"):
                p.copy_(0.3 * noise)
            else:
                p.copy_(0.08 * noise)


def draw_pairs(generator, vocab):
    def ids(n):
        return torch.randint(1, vocab, (n,), generator=generator).tolist()

    def length():
        return int(torch.randint(5, 61, (1,), generator=generator))

    return [{"prompt": ids(length()), "chosen": ids(length()), "rejected": ids(length())} for _ in range(PAIRS)]


def batch(pairs, device):
    """Chosen sequences first, then rejected, right-padded; mask of scored completion targets."""
    seqs = [p["prompt"] + p["chosen"] for p in pairs] + [p["prompt"] + p["rejected"] for p in pairs]
    prompts = [len(p["prompt"]) for p in pairs] * 2
    length = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), length), PAD_ID, dtype=torch.long)
    attention = torch.zeros((len(seqs), length), dtype=torch.long)
    scored = torch.zeros((len(seqs), length), dtype=torch.bool)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        attention[i, :len(s)] = 1
        scored[i, prompts[i]:len(s)] = True
    return ids.to(device), attention.to(device), scored.to(device)


def completion_logps(model, ids, attention, scored):
    logits = model(input_ids=ids, attention_mask=attention).logits.float()
    token_logps = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    return (token_logps * scored[:, 1:]).sum(-1)


def dpo_loss(policy, reference, pairs):
    margin = (policy[:pairs] - policy[pairs:]) - (reference[:pairs] - reference[pairs:])
    return -F.logsigmoid(BETA * margin).mean()


def halves(values, pairs):
    values = [float(v) for v in values]
    return {"chosen": values[:pairs], "rejected": values[pairs:]}


def eager(model):
    try:
        model.set_attn_implementation("eager")
    except AttributeError:
        model.config._attn_implementation = "eager"
    return model


def legacy_config(folder, target, config):
    """Copies the checkpoint and adds rope_theta / rope_scaling as top-level keys (transformers 4.x layout)."""
    shutil.copytree(folder, target)
    path = os.path.join(target, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    rope = cfg.get("rope_parameters") or {}
    cfg.setdefault("rope_theta", rope.get("rope_theta", getattr(config, "rope_theta", 10000.0)))
    if rope.get("rope_type", "default") != "default" and "rope_scaling" not in cfg:
        cfg["rope_scaling"] = {k: v for k, v in rope.items() if k != "rope_theta"}
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)


def make(name, cls, config, out, device, seed):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = eager(cls(config)).float()
    randomize(model, generator)
    folder = os.path.join(out, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True)
    shutil.rmtree(folder + "_legacy", ignore_errors=True)
    legacy_config(folder, folder + "_legacy", config)
    pairs = draw_pairs(generator, config.vocab_size)
    model.to(device)
    ids, attention, scored = batch(pairs, device)

    # float16 yardstick on the starting weights
    half = eager(copy.deepcopy(model)).half().eval()
    with torch.no_grad():
        logps16 = completion_logps(half, ids, attention, scored)
    del half
    # and bfloat16, for the fast path's bf16 check
    brain = eager(copy.deepcopy(model)).bfloat16().eval()
    with torch.no_grad():
        logps_bf16 = completion_logps(brain, ids, attention, scored)
    del brain

    model.train()  # all dropouts are 0
    with torch.no_grad():
        reference = completion_logps(model, ids, attention, scored)
    policy = completion_logps(model, ids, attention, scored)
    loss = dpo_loss(policy, reference, PAIRS)
    loss.backward()
    grad_norms = {n: float(p.grad.norm()) for n, p in model.named_parameters()}
    grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM))
    decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or "norm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith(".bias") or "norm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=BETAS, eps=EPS)
    optimizer.step()
    optimizer.zero_grad()
    with torch.no_grad():
        after = completion_logps(model, ids, attention, scored)
        loss_after = dpo_loss(after, reference, PAIRS)
    save_file({n: p.detach().float().cpu().contiguous() for n, p in model.named_parameters()},
              os.path.join(out, name + "_step1.safetensors"))

    result = {
        "inputs": {"pairs": pairs, "pad_id": PAD_ID, "beta": BETA, "lr": LR, "betas": list(BETAS), "eps": EPS,
                   "weight_decay": WEIGHT_DECAY, "max_grad_norm": MAX_GRAD_NORM},
        "hf": {
            "torch": torch.__version__, "transformers": transformers.__version__,
            "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
            "attn_implementation": model.config._attn_implementation,
            "logps_before": halves(policy.detach(), PAIRS), "loss_before": loss.item(), "grad_norm": grad_norm,
            "clip_coef": min(1.0, MAX_GRAD_NORM / (grad_norm + 1e-6)), "grad_norms": grad_norms,
            "logps_after": halves(after, PAIRS), "loss_after": float(loss_after),
            "logps_fp16": halves(logps16, PAIRS),
            "logps_bf16": halves(logps_bf16, PAIRS),
            "parameters": sum(p.numel() for p in model.parameters()),
        },
    }
    with open(os.path.join(out, name + "_reference.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"{name}: {result['hf']['parameters']} parameters, loss {loss.item():.7f} -> {loss_after.item():.7f}, "
          f"grad norm {grad_norm:.6g}, lengths {[(len(p['prompt']), len(p['chosen']), len(p['rejected'])) for p in pairs]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # plain IEEE float32 matmuls, as dpo4j computes without TORCH_ALLOW_TF32_CUBLAS_OVERRIDE
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    os.makedirs(args.out, exist_ok=True)
    device = torch.device(args.device)
    print(f"make_reference: torch {torch.__version__}, transformers {transformers.__version__}, device {device}")
    for name, cls, config in configs():
        make(name, cls, config, args.out, device, args.seed)


if __name__ == "__main__":
    sys.exit(main())
