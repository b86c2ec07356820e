#!/usr/bin/env python3
"""The reference side of the LoRA DPO step benchmark (issue #12): one DPO optimizer step as TRL's DPOTrainer computes
it with a PEFT LoRA adapter, in plain PyTorch + Hugging Face transformers + peft.

The base is built directly in bfloat16 on the GPU (random init, transformers' own, initializer_range 0.02), as
`from_pretrained(..., torch_dtype=torch.bfloat16)` would hold it; `get_peft_model` adds LoRA adapters (float32, peft's
autocast_adapter_dtype) with lora_dropout 0 (TRL's DPOTrainer disables dropout by default); gradient checkpointing
(non-reentrant, with enable_input_require_grads), SDPA attention, bfloat16 autocast. The reference log-probs are the
same model under `model.disable_adapter()` and `torch.no_grad()` (TRL's null_ref_context); the policy runs one
concatenated forward of chosen + rejected (2 * pairs right-padded rows), full logits, TRL's selective log-softmax,
summed per sequence; sigmoid DPO loss (beta 0.1); clip_grad_norm_(1.0) and fused AdamW (lr 1e-6) on the adapters.
Same token layout and token count as dpo_step_reference.py (whose helpers it uses): prompt seq/2 tokens (or
--prompt-tokens), completion up to seq tokens ending with EOS.

Several (seq, pairs) configurations may run in one process (--configs 2048x1,2048x4,...): before each the caching
allocator is emptied and the peak statistics are reset, and each gets a fresh optimizer. One JSON line per
configuration: tokens/s = 2 * pairs * seq * steps / seconds of the timed steps, torch.cuda.max_memory_allocated and
max_memory_reserved, and device_used_gib: the largest (total - free) of cudaMemGetInfo read after each step, the
figure dpo4j's StepBenchmark reports as djl_peak_used_gib (it includes the CUDA context and the allocator's reserve).
Exit status 3 if any configuration ran out of memory (its line then has "oom": true).

  dpo_lora_reference.py --shape mistral-7b --seq 2048 --pairs 1 [--configs 2048x1,4096x4] [--warmup 2] [--steps 5]
                        [--rank 16] [--alpha 32] [--targets all-linear|q_proj,v_proj] [--layers N]
                        [--prompt-tokens N] [--no-gradient-checkpointing] [--attn sdpa|eager] [--device cuda|cpu]
"""
import argparse
import gc
import json
import os
import sys
import time

import peft
import torch
import torch.nn.functional as F
import transformers
from peft import LoraConfig, get_peft_model
from transformers import MistralConfig, MistralForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dpo_step_reference import batch, sequence_logps  # noqa: E402  same token layout and log-prob code


def make_config(shape, attn, layers):
    """Mistral-7B-v0.2 shape (rope_theta 1e6, no sliding window, untied head), or a tiny one for smoke tests."""
    if shape == "mistral-7b":
        cfg = dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                   head_dim=128, intermediate_size=14336, vocab_size=32000, rms_norm_eps=1e-5)
    elif shape == "tiny":
        cfg = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                   intermediate_size=256, vocab_size=259, rms_norm_eps=1e-6)
    else:
        raise SystemExit(f"unknown --shape {shape} (mistral-7b, tiny)")
    if layers:
        cfg["num_hidden_layers"] = layers
    return MistralConfig(**cfg, tie_word_embeddings=False, rope_theta=1000000.0, max_position_embeddings=32768,
                         sliding_window=None, attn_implementation=attn)


def make_base(config, dev):
    """The base model created in bfloat16 on the device (no float32 copy anywhere): what
    from_pretrained(torch_dtype=torch.bfloat16) does, with transformers' random init instead of a checkpoint."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with dev:
            model = MistralForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    return model.to(dev)


def parse_configs(a):
    if not a.configs:
        return [(a.seq, a.pairs)]
    out = []
    for item in a.configs.split(","):
        seq, pairs = item.strip().lower().split("x")
        out.append((int(seq), int(pairs)))
    return out


def used_gib(dev):
    free, total = torch.cuda.mem_get_info(dev)
    return (total - free) / 2**30


def run_config(model, trainable, a, dev, seq, pairs, base_result):
    """Warmup plus timed steps of one (seq, pairs); returns the JSON row."""
    cuda = dev.type == "cuda"
    result = dict(base_result, seq=seq, pairs=pairs,
                  prompt_tokens=seq // 2 if a.prompt_tokens is None else a.prompt_tokens)
    vocab = model.config.vocab_size
    eos = vocab - 1
    gen = torch.Generator().manual_seed(1234)
    total = a.warmup + a.steps
    batches = [batch(pairs, seq, vocab, eos, gen, dev, a.prompt_tokens) for _ in range(total)]
    optimizer = torch.optim.AdamW(trainable, lr=1e-6, fused=cuda)
    autocast = torch.autocast(dev.type, dtype=torch.bfloat16)
    phases = {k: [] for k in ("ref_forward", "policy_forward", "backward", "optimizer")}
    stamps = []
    used = 0.0
    if cuda:
        gc.collect()
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        result["device_used_start_gib"] = used_gib(dev)
    try:
        for step in range(total):
            ids, mask, completion = batches[step]
            if step == a.warmup and cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            ev = [torch.cuda.Event(enable_timing=True) for _ in range(5)] if cuda else None
            if cuda:
                ev[0].record()
            with torch.no_grad(), autocast, model.disable_adapter():
                ref_logps = sequence_logps(model, ids, mask, completion)
            if cuda:
                ev[1].record()
            with autocast:
                logps = sequence_logps(model, ids, mask, completion)
            chosen, rejected = logps[:pairs], logps[pairs:]
            ref_chosen, ref_rejected = ref_logps[:pairs], ref_logps[pairs:]
            logits = a.beta * ((chosen - ref_chosen) - (rejected - ref_rejected))
            loss = -F.logsigmoid(logits).mean()
            if cuda:
                ev[2].record()
            loss.backward()
            if cuda:
                ev[3].record()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if cuda:
                ev[4].record()
                torch.cuda.synchronize()
                used = max(used, used_gib(dev))
                for k, (i, j) in zip(phases, ((0, 1), (1, 2), (2, 3), (3, 4))):
                    phases[k].append(ev[i].elapsed_time(ev[j]) / 1e3)
            stamps.append((start, time.perf_counter()))
            if step == total - 1:
                result["loss_last_step"] = loss.item()
    except torch.OutOfMemoryError as e:
        result["oom"] = True
        result["error"] = str(e).splitlines()[0][:300]
    finally:
        optimizer.zero_grad(set_to_none=True)
        del optimizer
    if cuda:
        result["max_memory_allocated_gib"] = torch.cuda.max_memory_allocated(dev) / 2**30
        result["max_memory_reserved_gib"] = torch.cuda.max_memory_reserved(dev) / 2**30
        result["device_used_gib"] = max(used, used_gib(dev))
    if result.get("oom"):
        return result
    seconds = stamps[-1][1] - stamps[a.warmup][0]
    result.update(warmup=a.warmup, timed_steps=a.steps, seconds=seconds,
                  tokens_per_s=2 * pairs * seq * a.steps / seconds,
                  step_seconds=[round(e - s, 4) for s, e in stamps])
    if cuda:
        result["phases_median_s"] = {k: sorted(v[a.warmup:])[len(v[a.warmup:]) // 2] for k, v in phases.items()}
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="mistral-7b")
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--configs", default=None, help="SEQxPAIRS,... run in this process, in this order")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=32)
    ap.add_argument("--targets", default="all-linear", help="all-linear, or module names separated by commas")
    ap.add_argument("--layers", type=int, default=None, help="fewer decoder layers, for a quick run")
    ap.add_argument("--no-gradient-checkpointing", dest="gradient_checkpointing", action="store_false")
    ap.add_argument("--attn", default="sdpa")
    ap.add_argument("--prompt-tokens", type=int, default=None)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    configs = parse_configs(a)
    targets = "all-linear" if a.targets == "all-linear" else [t.strip() for t in a.targets.split(",") if t.strip()]
    base_result = {"impl": "reference-peft", "shape": a.shape, "precision": "bf16-autocast", "attn": a.attn,
                   "gradient_checkpointing": a.gradient_checkpointing, "device": str(dev), "lora_r": a.rank,
                   "lora_alpha": a.alpha, "lora_targets": a.targets, "torch": torch.__version__,
                   "transformers": transformers.__version__, "peft": peft.__version__}
    if cuda:
        base_result["gpu"] = torch.cuda.get_device_name(dev)
    torch.manual_seed(0)
    t0 = time.time()
    config = make_config(a.shape, a.attn, a.layers)
    base = make_base(config, dev)
    base_result["layers"] = config.num_hidden_layers
    base_result["parameters"] = sum(p.numel() for p in base.parameters())
    base_result["base_dtype"] = str(next(base.parameters()).dtype)
    if a.gradient_checkpointing:
        base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        base.enable_input_require_grads()
    lora = LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=0.0, target_modules=targets, bias="none",
                      task_type="CAUSAL_LM")
    model = get_peft_model(base, lora)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    base_result["trainable_parameters"] = sum(p.numel() for p in trainable)
    base_result["adapter_dtype"] = str(trainable[0].dtype)
    if cuda:
        torch.cuda.synchronize()
    base_result["build_seconds"] = time.time() - t0
    print(f"dpo_lora_reference: {a.shape} ({config.num_hidden_layers} layers, {base_result['parameters']:,} base "
          f"parameters in {base_result['base_dtype']}), LoRA r {a.rank} on {a.targets}: "
          f"{base_result['trainable_parameters']:,} trainable in {base_result['adapter_dtype']}; built in "
          f"{base_result['build_seconds']:.1f}s", file=sys.stderr, flush=True)
    oom = False
    for seq, pairs in configs:
        row = run_config(model, trainable, a, dev, seq, pairs, base_result)
        oom = oom or bool(row.get("oom"))
        print(json.dumps(row), flush=True)
    sys.exit(3 if oom else 0)


if __name__ == "__main__":
    main()
