class Kernels(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  # dpo4j's TorchScript kernels, in TorchScript's serialized dialect (what torch.jit.save writes as
  # code/__torch__.py). libtorch compiles this text when it loads the archive that TorchScriptArchive writes.
  # Tensors only travel through DJL's public NDList route, so every method takes tensors, and its flags are
  # separate methods. Dtype codes: 5 float16, 6 float32, 15 bfloat16. Raise VERSION with every change.
  def forward(self: __torch__.Kernels,
    x: Tensor) -> Tensor:
    return x
  def version(self: __torch__.Kernels) -> int:
    return 8
  # Causal attention with grouped-query heads (keys and values are not copied per query head): flash
  # attention on GPUs that have it, for float16 and bfloat16.
  def attention_causal(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor) -> Tensor:
    _0 = torch.scaled_dot_product_attention(q, k, v, None, 0., True, scale=None, enable_gqa=True)
    return _0
  # Attention under an additive mask of shape (length, length) or (batch, 1, length, length). The
  # memory-efficient kernel takes masks but not grouped-query heads, so keys and values are repeated
  # per query head first, as transformers does.
  def attention_masked(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor) -> Tensor:
    group = torch.floordiv(torch.size(q, 1), torch.size(k, 1))
    keys = torch.repeat_interleave(k, group, 1)
    values = torch.repeat_interleave(v, group, 1)
    _0 = torch.scaled_dot_product_attention(q, keys, values, mask, 0., False, scale=None)
    return _0
  # Attention of rows that share a prompt ([prompt; chosen; rejected]) as causal attention over views: each
  # view is one completion with its prompt, [prompt; chosen] or [prompt; rejected], gathered from the rows by
  # view_tokens (views, view_length): flat token indices, padded with any real index at the end, where causal
  # attention never looks back at them. Flash attention runs on the views; token_sources (rows, length) then
  # picks each token's output back out of the flat views (padding tokens take any).
  def attention_views(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    view_tokens: Tensor,
    token_sources: Tensor) -> Tensor:
    qv = self.gather_views(q, view_tokens)
    kv = self.gather_views(k, view_tokens)
    vv = self.gather_views(v, view_tokens)
    out = torch.scaled_dot_product_attention(qv, kv, vv, None, 0., True, scale=None, enable_gqa=True)
    return self.scatter_views(out, token_sources)
  # The same with an additive mask over the views, (view_length, view_length): sliding windows.
  def attention_views_masked(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    view_tokens: Tensor,
    token_sources: Tensor,
    mask: Tensor) -> Tensor:
    qv = self.gather_views(q, view_tokens)
    kv = self.gather_views(k, view_tokens)
    vv = self.gather_views(v, view_tokens)
    out = self.attention_masked(qv, kv, vv, mask)
    return self.scatter_views(out, token_sources)
  # Rows that share a prompt as packed variable-length sequences (AttentionMask.Packed) through flash attention's
  # varlen kernel, which aligns the causal mask to the end of each sequence's keys: the queries are the flat row
  # tokens as they stand (no copy per view, no scatter back), each sequence's keys and values are gathered by
  # key_tokens, and the shape of longest carries the longest query and key sequence. CUDA, float16 and bfloat16.
  def attention_packed(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    key_tokens: Tensor,
    starts: Tensor,
    longest: Tensor) -> Tensor:
    return self.packed(q, k, v, key_tokens, starts, longest, -1)
  # The same under a sliding window of window positions (a 0-d CPU tensor).
  def attention_packed_windowed(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    key_tokens: Tensor,
    starts: Tensor,
    longest: Tensor,
    window: Tensor) -> Tensor:
    return self.packed(q, k, v, key_tokens, starts, longest, torch.sub(int(window), 1))
  # left: keys more than left positions back are not seen; -1 for none.
  def packed(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    key_tokens: Tensor,
    starts: Tensor,
    longest: Tensor,
    left: int) -> Tensor:
    rows = torch.size(q, 0)
    heads = torch.size(q, 1)
    length = torch.size(q, 2)
    dim = torch.size(q, 3)
    queries = torch.reshape(torch.transpose(q, 1, 2), [-1, heads, dim])
    keys = self.pack_keys(k, key_tokens)
    values = self.pack_keys(v, key_tokens)
    right = 0 if torch.ge(left, 0) else -1
    attended = torch._flash_attention_forward(queries, keys, values, torch.select(starts, 0, 0), torch.select(starts, 0, 1), torch.size(longest, 0), torch.size(longest, 1), 0., True, False, scale=None, window_size_left=left, window_size_right=right)
    out = torch.reshape(attended[0], [rows, length, heads, dim])
    return torch.transpose(out, 1, 2)
  # (rows, heads, length, dim) to (keys, heads, dim): the flat row tokens key_tokens names, in its order
  def pack_keys(self: __torch__.Kernels,
    x: Tensor,
    key_tokens: Tensor) -> Tensor:
    heads = torch.size(x, 1)
    dim = torch.size(x, 3)
    tokens = torch.reshape(torch.transpose(x, 1, 2), [-1, heads, dim])
    return torch.index_select(tokens, 0, key_tokens)
  # (rows, heads, length, dim) to (views, heads, view_length, dim)
  def gather_views(self: __torch__.Kernels,
    x: Tensor,
    view_tokens: Tensor) -> Tensor:
    heads = torch.size(x, 1)
    dim = torch.size(x, 3)
    tokens = torch.reshape(torch.transpose(x, 1, 2), [-1, heads, dim])
    picked = torch.index_select(tokens, 0, torch.reshape(view_tokens, [-1]))
    shaped = torch.reshape(picked, [torch.size(view_tokens, 0), torch.size(view_tokens, 1), heads, dim])
    return torch.transpose(shaped, 1, 2)
  # (views, heads, view_length, dim) back to (rows, heads, length, dim)
  def scatter_views(self: __torch__.Kernels,
    out: Tensor,
    token_sources: Tensor) -> Tensor:
    heads = torch.size(out, 1)
    dim = torch.size(out, 3)
    flat = torch.reshape(torch.transpose(out, 1, 2), [-1, heads, dim])
    picked = torch.index_select(flat, 0, torch.reshape(token_sources, [-1]))
    shaped = torch.reshape(picked, [torch.size(token_sources, 0), torch.size(token_sources, 1), heads, dim])
    return torch.transpose(shaped, 1, 2)
  # Projected queries, keys and values (rows, length, count * head_dim) as heads (rows, count, length, head_dim),
  # queries and keys rotated by the rotary tables (rotate-half; tables (length, head_dim) or (rows, 1, length,
  # head_dim)): DjlKernels.rotaryHeads in one call.
  def rotary_heads(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    dim = torch.size(cos, -1)
    queries = torch.transpose(self.split_heads(q, dim), 1, 2)
    keys = torch.transpose(self.split_heads(k, dim), 1, 2)
    values = torch.transpose(self.split_heads(v, dim), 1, 2)
    return (self.rotate(queries, cos, sin), self.rotate(keys, cos, sin), values)
  # The same with queries and keys first normed per head (Qwen3's q_norm and k_norm); eps a 0-d CPU tensor.
  def rotary_heads_normed(self: __torch__.Kernels,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    cos: Tensor,
    sin: Tensor,
    q_weight: Tensor,
    k_weight: Tensor,
    eps: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    dim = torch.size(cos, -1)
    queries = torch.rms_norm(self.split_heads(q, dim), [dim], q_weight, float(eps))
    keys = torch.rms_norm(self.split_heads(k, dim), [dim], k_weight, float(eps))
    values = torch.transpose(self.split_heads(v, dim), 1, 2)
    rotated_queries = self.rotate(torch.transpose(queries, 1, 2), cos, sin)
    return (rotated_queries, self.rotate(torch.transpose(keys, 1, 2), cos, sin), values)
  # (rows, length, count * dim) to (rows, length, count, dim)
  def split_heads(self: __torch__.Kernels,
    x: Tensor,
    dim: int) -> Tensor:
    return torch.reshape(x, [torch.size(x, 0), torch.size(x, 1), -1, dim])
  # x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2; x1]
  def rotate(self: __torch__.Kernels,
    x: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    halves = torch.split(x, torch.floordiv(torch.size(x, -1), 2), -1)
    rotated = torch.cat([torch.neg(halves[1]), halves[0]], -1)
    return torch.add(torch.mul(x, cos), torch.mul(rotated, sin))
  # RMSNorm over the last axis in one fused op (statistics in float32, as transformers' LlamaRMSNorm keeps them).
  # eps is a 0-d CPU tensor: reading it is no device sync.
  def rms_norm(self: __torch__.Kernels,
    x: Tensor,
    weight: Tensor,
    eps: Tensor) -> Tensor:
    _0 = torch.rms_norm(x, [torch.size(x, -1)], weight, float(eps))
    return _0
  # The Llama MLP's gate, silu(gate) * up: silu saves only its input for backward.
  def swiglu(self: __torch__.Kernels,
    gate: Tensor,
    up: Tensor) -> Tensor:
    _0 = torch.mul(torch.silu(gate), up)
    return _0
  # Casts that keep the autograd graph (DJL's toType does not), always a copy.
  def to_float16(self: __torch__.Kernels,
    x: Tensor) -> Tensor:
    return torch.to(x, 5, False, True)
  def to_float32(self: __torch__.Kernels,
    x: Tensor) -> Tensor:
    return torch.to(x, 6, False, True)
  def to_bfloat16(self: __torch__.Kernels,
    x: Tensor) -> Tensor:
    return torch.to(x, 15, False, True)
  # targets[i] = sources[i], each converted to its target's type, in place (half-precision copies refreshed
  # from their float32 masters).
  def copy_into(self: __torch__.Kernels,
    targets: List[Tensor],
    sources: List[Tensor]) -> int:
    torch._foreach_copy_(targets, sources)
    return torch.len(targets)
  # sums[i] += addends[i] in place, then the addends zeroed (gradients into float32 accumulators).
  def drain_into(self: __torch__.Kernels,
    sums: List[Tensor],
    addends: List[Tensor]) -> int:
    torch._foreach_add_(sums, addends)
    torch._foreach_zero_(addends)
    return torch.len(sums)
  # One AdamW step over flat buffers in place, as torch.optim.AdamW(fused=True): every gradient is first
  # divided by grad_scale (unscaling and clipping in one factor).
  def adamw(self: __torch__.Kernels,
    params: List[Tensor],
    grads: List[Tensor],
    exp_avgs: List[Tensor],
    exp_avg_sqs: List[Tensor],
    lr: float,
    beta1: float,
    beta2: float,
    weight_decay: float,
    eps: float,
    step: float,
    grad_scale: float) -> int:
    scale = torch.full([], grad_scale, dtype=6, layout=None, device=ops.prim.device(params[0]))
    return self.fused_adamw(params, grads, exp_avgs, exp_avg_sqs, lr, beta1, beta2, weight_decay, eps, step, scale, None)
  # The same with the divisor of every gradient and the overflow flag as 0-d float32 tensors on the device, as
  # torch.amp's GradScaler hands them over: where found_inf is nonzero the kernel changes nothing.
  def adamw_checked(self: __torch__.Kernels,
    params: List[Tensor],
    grads: List[Tensor],
    exp_avgs: List[Tensor],
    exp_avg_sqs: List[Tensor],
    lr: float,
    beta1: float,
    beta2: float,
    weight_decay: float,
    eps: float,
    step: float,
    grad_scale: Tensor,
    found_inf: Tensor) -> int:
    return self.fused_adamw(params, grads, exp_avgs, exp_avg_sqs, lr, beta1, beta2, weight_decay, eps, step, grad_scale, found_inf)
  def fused_adamw(self: __torch__.Kernels,
    params: List[Tensor],
    grads: List[Tensor],
    exp_avgs: List[Tensor],
    exp_avg_sqs: List[Tensor],
    lr: float,
    beta1: float,
    beta2: float,
    weight_decay: float,
    eps: float,
    step: float,
    grad_scale: Tensor,
    found_inf: Optional[Tensor]) -> int:
    device = ops.prim.device(params[0])
    steps = annotate(List[Tensor], [])
    for _1 in range(torch.len(params)):
      _2 = torch.append(steps, torch.full([], step, dtype=6, layout=None, device=device))
    _3 = annotate(List[Tensor], [])
    torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, _3, steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False, grad_scale=grad_scale, found_inf=found_inf)
    return torch.len(params)
