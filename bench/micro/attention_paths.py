"""Forward and backward of the two attention paths for rows that share a prompt, bfloat16 on one GPU:
views + scaled_dot_product_attention (cuDNN on an H200) against packed sequences through flash attention's varlen
kernel, as dpo4j's TorchScript kernels run them, for the Qwen2.5-0.5B and Llama-1B heads, 4 pairs, prompt and completions
seq/2 each. The measurement behind TorchScriptKernels.PACKED_MAX_KEYS.

    python3 bench/micro/attention_paths.py
"""
import torch, time, torch.nn.functional as F
torch.manual_seed(0)
dev = "cuda"
def timeit(fn, iters=20):
    for _ in range(3): fn()
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(iters): fn()
    torch.cuda.synchronize(); return (time.perf_counter() - t) / iters * 1e3
for name, heads, kv, dim in [("qwen", 14, 2, 64), ("llama", 32, 8, 64)]:
    for seq in [512, 1024, 2048, 4096, 8192]:
        rows, P, C, R = 4, seq // 2, seq // 2, seq // 2
        L = P + C + R
        q = torch.randn(rows, heads, L, dim, device=dev, dtype=torch.bfloat16, requires_grad=True)
        k = torch.randn(rows, kv, L, dim, device=dev, dtype=torch.bfloat16, requires_grad=True)
        v = torch.randn(rows, kv, L, dim, device=dev, dtype=torch.bfloat16, requires_grad=True)
        base = torch.arange(rows, device=dev).view(rows, 1) * L
        a = torch.arange(P + C, device=dev).view(1, -1) + base
        b = torch.cat([torch.arange(P, device=dev), torch.arange(P + C, L, device=dev)]).view(1, -1) + base
        view_tokens = torch.stack([a, b], 1).reshape(2 * rows, P + C)
        sources = torch.empty(rows, L, dtype=torch.long, device=dev)
        vl = P + C
        for r in range(rows):
            sources[r, :P + C] = torch.arange(P + C, device=dev) + 2 * r * vl
            sources[r, P + C:] = torch.arange(P, P + R, device=dev) + (2 * r + 1) * vl
        def gather(x, idx):
            h = x.size(1); t = x.transpose(1, 2).reshape(-1, h, dim)
            return t.index_select(0, idx.reshape(-1)).reshape(idx.size(0), idx.size(1), h, dim).transpose(1, 2)
        def views():
            out = F.scaled_dot_product_attention(gather(q, view_tokens), gather(k, view_tokens), gather(v, view_tokens), is_causal=True, enable_gqa=True)
            o = gather(out, sources)
            o.sum().backward()
        keys = []
        qs, ks = [0], [0]
        for r in range(rows):
            keys += [r * L + t for t in range(P + C)] + [r * L + t for t in range(P)] + [r * L + t for t in range(P + C, L)]
            qs += [r * L + P + C, r * L + L]; ks += [len(keys) - P - R, len(keys)]
        keys = torch.tensor(keys, device=dev)
        cq = torch.tensor(qs, device=dev, dtype=torch.int32); ck = torch.tensor(ks, device=dev, dtype=torch.int32)
        def packed():
            qq = q.transpose(1, 2).reshape(-1, heads, dim)
            kk = k.transpose(1, 2).reshape(-1, kv, dim).index_select(0, keys)
            vv = v.transpose(1, 2).reshape(-1, kv, dim).index_select(0, keys)
            out = torch.ops.aten._flash_attention_forward(qq, kk, vv, cq, ck, P + C, P + C, 0.0, True, False)[0]
            out.reshape(rows, L, heads, dim).transpose(1, 2).sum().backward()
        print(f"{name} seq {seq}: views+sdpa {timeit(views):.2f} ms, packed varlen {timeit(packed):.2f} ms", flush=True)
