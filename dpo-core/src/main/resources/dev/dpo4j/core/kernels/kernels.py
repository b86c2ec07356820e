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
    return 1
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
  # RMSNorm as transformers' LlamaRMSNorm: statistics in float32, the normalized value cast back to the
  # input's type, then scaled by the weight. eps is a 0-d CPU tensor (a number on every device).
  def rms_norm(self: __torch__.Kernels,
    x: Tensor,
    weight: Tensor,
    eps: Tensor) -> Tensor:
    wide = torch.to(x, 6)
    variance = torch.mean(torch.pow(wide, 2), [-1], True)
    normalized = torch.mul(wide, torch.rsqrt(torch.add(variance, eps)))
    return torch.mul(weight, torch.to(normalized, ops.prim.dtype(x)))
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
    device = ops.prim.device(params[0])
    steps = annotate(List[Tensor], [])
    for _1 in range(torch.len(params)):
      _2 = torch.append(steps, torch.full([], step, dtype=6, layout=None, device=device))
    scale = torch.full([], grad_scale, dtype=6, layout=None, device=device)
    _3 = annotate(List[Tensor], [])
    torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, _3, steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False, grad_scale=scale, found_inf=None)
    return torch.len(params)
