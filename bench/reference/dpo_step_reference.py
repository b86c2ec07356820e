#!/usr/bin/env python3
"""The reference side of the DPO step benchmark (see BENCHMARKS.md): one DPO optimizer step as TRL's DPOTrainer
computes it, in plain PyTorch + Hugging Face transformers.

Policy in float32 under torch.autocast(bfloat16), SDPA attention; a frozen reference copy (eval, no grad) run under
torch.no_grad() + autocast; one concatenated forward of chosen + rejected (2 * pairs sequences, right-padded, as TRL's
concatenated_forward); full logits from the model, log-softmax / gather over the completion tokens (TRL's
selective_log_softmax), summed per sequence; sigmoid DPO loss (beta 0.1); clip_grad_norm_(1.0); fused AdamW (lr 1e-6).
Same token layout as the dpo4j side: prompt seq/2 tokens, completion seq/2 tokens ending with EOS, so every
sequence is exactly seq tokens. Random init (transformers' own, initializer_range 0.02).

Prints one JSON line: tokens/s = 2 * pairs * seq * steps / seconds of the timed steps, with
torch.cuda.max_memory_allocated / max_memory_reserved (for information), and the median time of each phase (CUDA
events, no extra synchronization). Exit status 3 on out-of-memory (the JSON line then has "oom": true).

  dpo_step_reference.py --shape qwen2.5-0.5b --seq 1024 [--pairs 4] [--warmup 2] [--steps 5]
                        [--gradient-checkpointing] [--attn sdpa|eager] [--device cuda|cpu]
"""
import argparse
import copy
import json
import sys
import time

import torch
import torch.nn.functional as F
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM


def make_model(shape, attn):
    if shape == "qwen2.5-0.5b":
        cfg = Qwen2Config(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                          head_dim=64, intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True,
                          rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=32768,
                          use_sliding_window=False, attn_implementation=attn)
        return Qwen2ForCausalLM(cfg)
    if shape == "llama-1b":
        cfg = LlamaConfig(hidden_size=2048, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
                          head_dim=64, intermediate_size=8192, vocab_size=128256, tie_word_embeddings=True,
                          rms_norm_eps=1e-5, rope_theta=500000.0, max_position_embeddings=131072,
                          rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                                        "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
                          attn_implementation=attn)
        return LlamaForCausalLM(cfg)
    if shape == "tiny":
        cfg = LlamaConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                          head_dim=16, intermediate_size=256, vocab_size=259, tie_word_embeddings=True,
                          rms_norm_eps=1e-6, rope_theta=10000.0, max_position_embeddings=8192,
                          attn_implementation=attn)
        return LlamaForCausalLM(cfg)
    raise SystemExit(f"unknown --shape {shape}")


def selective_log_softmax(logits, index):
    """TRL's selective_log_softmax: log_softmax(logits).gather(index), row by row to save memory."""
    if logits.dtype in (torch.float32, torch.float64):
        selected = torch.gather(logits, dim=-1, index=index.unsqueeze(-1)).squeeze(-1)
        logsumexp = torch.stack([torch.logsumexp(row, dim=-1) for row in logits])
        return selected - logsumexp
    out = []
    for row_logits, row_labels in zip(logits, index):
        row_logps = F.log_softmax(row_logits, dim=-1)
        out.append(row_logps.gather(dim=-1, index=row_labels.unsqueeze(-1)).squeeze(-1))
    return torch.stack(out)


def batch(pairs, seq, vocab, eos, generator, device, prompt_tokens=None):
    """Chosen sequences first, then rejected, right-padded (here all exactly seq tokens); loss mask on completions.
    The prompt has prompt_tokens tokens (default seq // 2)."""
    half = seq // 2 if prompt_tokens is None else prompt_tokens
    ids = torch.zeros(2 * pairs, seq, dtype=torch.long)
    mask = torch.zeros(2 * pairs, seq, dtype=torch.long)
    completion = torch.zeros(2 * pairs, seq, dtype=torch.bool)
    for p in range(pairs):
        prompt = torch.randint(1, vocab - 1, (half,), generator=generator)
        for s in (p, pairs + p):
            body = torch.randint(1, vocab - 1, (seq - half - 1,), generator=generator)
            row = torch.cat([prompt, body, torch.tensor([eos])])
            ids[s, :len(row)] = row
            mask[s, :len(row)] = 1
            completion[s, half:len(row)] = True
    return ids.to(device), mask.to(device), completion.to(device)


def sequence_logps(model, ids, mask, completion):
    """TRL's concatenated_forward: full logits, shift, selective log-softmax, sum over completion tokens."""
    logits = model(input_ids=ids, attention_mask=mask, use_cache=False).logits
    logits = logits[:, :-1]
    labels = ids[:, 1:].clone()
    loss_mask = completion[:, 1:]
    labels[~loss_mask] = 0
    per_token = selective_log_softmax(logits, labels)
    per_token = per_token.masked_fill(~loss_mask, 0)
    return per_token.sum(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="tiny")
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--gradient-checkpointing", action="store_true")
    ap.add_argument("--attn", default="sdpa")
    ap.add_argument("--prompt-tokens", type=int, default=None)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    result = {"impl": "reference", "shape": a.shape, "seq": a.seq, "pairs": a.pairs, "precision": "bf16-autocast",
              "attn": a.attn, "gradient_checkpointing": a.gradient_checkpointing, "device": str(dev),
              "torch": torch.__version__, "transformers": transformers.__version__,
              "prompt_tokens": a.seq // 2 if a.prompt_tokens is None else a.prompt_tokens}
    if cuda:
        result["gpu"] = torch.cuda.get_device_name(dev)
    torch.manual_seed(0)
    t0 = time.time()
    with dev:
        policy = make_model(a.shape, a.attn)
    policy.to(dev).train()
    reference = copy.deepcopy(policy).eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    if a.gradient_checkpointing:
        policy.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    optimizer = torch.optim.AdamW(policy.parameters(), lr=1e-6, fused=cuda)
    result["parameters"] = sum(p.numel() for p in policy.parameters())
    result["build_seconds"] = time.time() - t0
    vocab = policy.config.vocab_size
    eos = vocab - 1
    gen = torch.Generator().manual_seed(1234)
    total = a.warmup + a.steps
    batches = [batch(a.pairs, a.seq, vocab, eos, gen, dev, a.prompt_tokens) for _ in range(total)]
    autocast = torch.autocast(dev.type, dtype=torch.bfloat16)
    phases = {k: [] for k in ("ref_forward", "policy_forward", "backward", "optimizer")}
    stamps = []
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    try:
        for step in range(total):
            ids, mask, completion = batches[step]
            if step == a.warmup and cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            ev = [torch.cuda.Event(enable_timing=True) for _ in range(5)] if cuda else None
            if cuda:
                ev[0].record()
            with torch.no_grad(), autocast:
                ref_logps = sequence_logps(reference, ids, mask, completion)
            if cuda:
                ev[1].record()
            with autocast:
                logps = sequence_logps(policy, ids, mask, completion)
            chosen, rejected = logps[:a.pairs], logps[a.pairs:]
            ref_chosen, ref_rejected = ref_logps[:a.pairs], ref_logps[a.pairs:]
            logits = a.beta * ((chosen - ref_chosen) - (rejected - ref_rejected))
            loss = -F.logsigmoid(logits).mean()
            if cuda:
                ev[2].record()
            loss.backward()
            if cuda:
                ev[3].record()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if cuda:
                ev[4].record()
                torch.cuda.synchronize()
                for k, (i, j) in zip(phases, ((0, 1), (1, 2), (2, 3), (3, 4))):
                    phases[k].append(ev[i].elapsed_time(ev[j]) / 1e3)
            stamps.append((start, time.perf_counter()))
            if step == total - 1:
                result["loss_last_step"] = loss.item()
    except torch.OutOfMemoryError as e:
        result["oom"] = True
        result["error"] = str(e).splitlines()[0][:300]
        if cuda:
            result["max_memory_allocated_gib"] = torch.cuda.max_memory_allocated(dev) / 2**30
            result["max_memory_reserved_gib"] = torch.cuda.max_memory_reserved(dev) / 2**30
        print(json.dumps(result), flush=True)
        sys.exit(3)
    seconds = stamps[-1][1] - stamps[a.warmup][0]
    result.update(warmup=a.warmup, timed_steps=a.steps, seconds=seconds,
                  tokens_per_s=2 * a.pairs * a.seq * a.steps / seconds,
                  step_seconds=[round(e - s, 4) for s, e in stamps])
    if cuda:
        result["max_memory_allocated_gib"] = torch.cuda.max_memory_allocated(dev) / 2**30
        result["max_memory_reserved_gib"] = torch.cuda.max_memory_reserved(dev) / 2**30
        result["phases_median_s"] = {k: sorted(v[a.warmup:])[len(v[a.warmup:]) // 2] for k, v in phases.items()}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
