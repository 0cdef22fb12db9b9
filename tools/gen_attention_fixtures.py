#!/usr/bin/python3
"""Draws the attention, Transformer, clip_grad and scheduler test cases from real PyTorch 1.13.

usage: /usr/bin/python3 tools/gen_attention_fixtures.py tests/fixtures

Writes nn/attention.json and optim/schedulers_clip.json. Inputs, masks and upstream gradients are
not stored: they follow value(shape, salt) and the mask patterns below, which the C++ tests
compute the same way.

init: modules built right after manual_seed(seed): repr, state-dict keys in order, float32 bits
  of every entry and the next randint draw (checks the number of draws).
mha / encoder / decoder / transformer: forward and backward of seeded modules over masks,
  layouts, kdim/vdim, bias_kv, zero_attn, need_weights, train (dropout from manual_seed(seed + 100)
  right before the forward) and eval: outputs, weights and the gradients of
  sum(out * value(out.shape, 91)) (+ sum(weights * value(w.shape, 92))) for inputs and parameters.
sdpa: torch 1.13 has no public scaled_dot_product_attention (2.0 added it); the cases are PyTorch
  2.0's documented math written out in 1.13.
errors: bad calls with PyTorch's message (str of the exception).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn


def hex32(t):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0]
                   for v in t.detach().reshape(-1).tolist())


def value(shape, salt, dtype=torch.float32):
    """((i * 7919 + salt * 104729) mod 2003) / 1001 - 1 for the row-major index i."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.int64)
    v = ((i * 7919 + salt * 104729) % 2003).to(torch.float64) / 1001.0 - 1.0
    return v.reshape(shape).to(dtype)


def bool_mask(shape, salt):
    """True where (i * 5 + salt) % 7 < 2, never in the last dim's first column."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.int64)
    m = ((i * 5 + salt) % 7 < 2).reshape(shape)
    m[..., 0] = False
    return m


def make_mask(kind, shape, salt):
    if kind is None:
        return None
    if kind == "bool":
        return bool_mask(shape, salt)
    return value(shape, salt) * 2.0


def flat(t):
    """float32: hex bits (compact; compared within a tolerance); float64: a list of numbers."""
    if t.dtype == torch.float32:
        return hex32(t)
    return t.detach().reshape(-1).tolist()


def grads_of(module, tensors):
    out = {}
    for name, t in tensors.items():
        out[name] = flat(t.grad) if t.grad is not None else None
    for name, p in module.named_parameters():
        out["param:" + name] = flat(p.grad) if p.grad is not None else None
    return out


def init_case(name, build, seed):
    torch.manual_seed(seed)
    m = build()
    sd = m.state_dict()
    return {"name": name, "seed": seed, "repr": repr(m), "keys": list(sd.keys()),
            "bits": {k: hex32(v) for k, v in sd.items()},
            "next": torch.randint(0, 2 ** 31 - 1, (1,)).item()}


INIT_BUILDS = {
    "mha(16,4)": lambda: nn.MultiheadAttention(16, 4),
    "mha(16,4,bias=False)": lambda: nn.MultiheadAttention(16, 4, bias=False),
    "mha(16,4,add_bias_kv=True)": lambda: nn.MultiheadAttention(16, 4, add_bias_kv=True),
    "mha(16,2,kdim=8,vdim=12)": lambda: nn.MultiheadAttention(16, 2, kdim=8, vdim=12),
    "mha(8,2,add_bias_kv=True,kdim=6,bias=False)":
        lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=6, bias=False),
    "encoder_layer(16,4,ff=24)": lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=24),
    "encoder(layer(8,2,ff=12),3,norm)": lambda: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, dim_feedforward=12), 3, nn.LayerNorm(8)),
    "decoder_layer(8,2,ff=12,gelu,norm_first)": lambda: nn.TransformerDecoderLayer(
        8, 2, dim_feedforward=12, activation="gelu", norm_first=True),
    "decoder(layer(8,2,ff=12),2)": lambda: nn.TransformerDecoder(
        nn.TransformerDecoderLayer(8, 2, dim_feedforward=12), 2),
    "transformer(8,2,2,1,ff=12)": lambda: nn.Transformer(8, 2, 2, 1, 12),
}


def mha_case(c):
    """One MultiheadAttention forward/backward."""
    E, H = c["E"], c["H"]
    kw = dict(dropout=c.get("dropout", 0.0), bias=c.get("bias", True),
              add_bias_kv=c.get("add_bias_kv", False), add_zero_attn=c.get("add_zero_attn", False),
              kdim=c.get("kdim"), vdim=c.get("vdim"), batch_first=c.get("batch_first", False))
    torch.manual_seed(c["seed"])
    m = nn.MultiheadAttention(E, H, **kw)
    if not c.get("train", False):
        m.eval()
    L, S, N = c["L"], c["S"], c.get("N")
    kd, vd = kw["kdim"] or E, kw["vdim"] or E

    def shape(n, d):
        if N is None:
            return (n, d)
        return (N, n, d) if kw["batch_first"] else (n, N, d)
    q = value(shape(L, E), 1).requires_grad_()
    tensors = {"query": q}
    if c["qkv"] == "self":
        k = v = q
    elif c["qkv"] == "kv":
        k = v = value(shape(S, kd), 2).requires_grad_()
        tensors["key"] = k
    else:
        k = value(shape(S, kd), 2).requires_grad_()
        v = value(shape(S, vd), 3).requires_grad_()
        tensors["key"], tensors["value"] = k, v
    B = 1 if N is None else N
    am = None
    if c.get("attn_mask"):
        kind, nd = c["attn_mask"]
        am = make_mask(kind, (L, S) if nd == 2 else (B * H, L, S), 4)
    kpm = None
    if c.get("kpm"):
        kpm = make_mask(c["kpm"], (S,) if N is None else (N, S), 5)
    need, avg = c.get("need_weights", True), c.get("average", True)
    torch.manual_seed(c["seed"] + 100)
    out, w = m(q, k, v, key_padding_mask=kpm, need_weights=need, attn_mask=am,
               average_attn_weights=avg)
    loss = (out * value(out.shape, 91)).sum()
    if w is not None:
        loss = loss + (w * value(w.shape, 92)).sum()
    loss.backward()
    r = dict(c)
    r.update({"out_shape": list(out.shape), "out": flat(out),
              "weights_shape": list(w.shape) if w is not None else None,
              "weights": flat(w) if w is not None else None, "grads": grads_of(m, tensors)})
    return r


MHA_CASES = []
for i, extra in enumerate([
        dict(qkv="self"),
        dict(qkv="self", attn_mask=("bool", 2)),
        dict(qkv="self", attn_mask=("float", 2), kpm="bool"),
        dict(qkv="self", attn_mask=("bool", 3), kpm="bool"),
        dict(qkv="self", attn_mask=("float", 3)),
        dict(qkv="self", kpm="float"),
        dict(qkv="kv", L=3, S=5, attn_mask=("bool", 2)),
        dict(qkv="distinct", L=3, S=5),
        dict(qkv="distinct", L=3, S=5, kdim=6, vdim=10, kpm="bool"),
        dict(qkv="self", add_bias_kv=True, attn_mask=("bool", 2), kpm="bool"),
        dict(qkv="distinct", L=3, S=5, add_zero_attn=True, attn_mask=("float", 2), kpm="bool"),
        dict(qkv="distinct", L=3, S=5, add_bias_kv=True, add_zero_attn=True, kpm="bool"),
        dict(qkv="self", need_weights=False),
        dict(qkv="self", average=False, attn_mask=("bool", 2)),
        dict(qkv="self", batch_first=True, kpm="bool"),
        dict(qkv="distinct", L=3, S=5, batch_first=True, average=False),
        dict(qkv="self", N=None, attn_mask=("bool", 2), kpm="bool"),
        dict(qkv="distinct", N=None, L=3, S=5, attn_mask=("float", 3)),
        dict(qkv="self", bias=False),
        dict(qkv="self", train=True, dropout=0.3),
        dict(qkv="distinct", L=3, S=5, train=True, dropout=0.5, batch_first=True, kpm="bool"),
        dict(qkv="self", train=False, dropout=0.3),
]):
    c = dict(seed=i, E=8, H=2, L=4, S=4, N=2)
    c.update(extra)
    if c["qkv"] == "self":
        c["S"] = c["L"]
    MHA_CASES.append(c)


def layer_case(c):
    """A TransformerEncoderLayer / TransformerDecoderLayer / encoder / Transformer pass."""
    kind = c["kind"]
    E, H, ff = 8, 2, 12
    kw = dict(dim_feedforward=ff, dropout=c.get("dropout", 0.0), activation=c.get("act", "relu"),
              batch_first=c.get("batch_first", False), norm_first=c.get("norm_first", False))
    torch.manual_seed(c["seed"])
    if kind == "encoder_layer":
        m = nn.TransformerEncoderLayer(E, H, **kw)
    elif kind == "decoder_layer":
        m = nn.TransformerDecoderLayer(E, H, **kw)
    elif kind == "encoder":
        m = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, **kw), 2, nn.LayerNorm(E))
    else:
        m = nn.Transformer(E, H, 2, 1, **kw)
    if not c.get("train", False):
        m.eval()
    S, T, N = 5, 4, c.get("N", 2)

    def shape(n):
        if N is None:
            return (n, E)
        return (N, n, E) if kw["batch_first"] else (n, N, E)
    src = value(shape(S), 1).requires_grad_()
    tensors = {"src": src}
    B = 1 if N is None else N
    smask = make_mask(c.get("src_mask"), (S, S), 4)
    if c.get("causal"):
        smask = nn.Transformer.generate_square_subsequent_mask(S)
    skpm = make_mask(c.get("kpm"), (S,) if N is None else (N, S), 5)
    torch.manual_seed(c["seed"] + 100)
    if kind == "encoder_layer":
        out = m(src, src_mask=smask, src_key_padding_mask=skpm)
    elif kind == "encoder":
        out = m(src, mask=smask, src_key_padding_mask=skpm)
    else:
        tgt = value(shape(T), 2).requires_grad_()
        tensors["tgt"] = tgt
        tmask = nn.Transformer.generate_square_subsequent_mask(T)
        mmask = make_mask(c.get("memory_mask"), (T, S), 6)
        if kind == "decoder_layer":
            out = m(tgt, src, tgt_mask=tmask, memory_mask=mmask, memory_key_padding_mask=skpm)
        else:
            out = m(src, tgt, tgt_mask=tmask, memory_mask=mmask, src_key_padding_mask=skpm,
                    memory_key_padding_mask=skpm)
    (out * value(out.shape, 91)).sum().backward()
    r = dict(c)
    r.update({"out_shape": list(out.shape), "out": flat(out), "grads": grads_of(m, tensors)})
    if not c.get("train", False) and kind == "encoder_layer":
        # 1.13's eval fast path (no grad, batch first): the same math.
        with torch.no_grad():
            r["out_nograd"] = flat(m(src.detach(), src_mask=smask, src_key_padding_mask=skpm))
    return r


LAYER_CASES = []
for i, extra in enumerate([
        dict(kind="encoder_layer"),
        dict(kind="encoder_layer", norm_first=True, act="gelu", src_mask="bool"),
        dict(kind="encoder_layer", batch_first=True, kpm="bool"),
        dict(kind="encoder_layer", batch_first=True, norm_first=True, causal=True),
        dict(kind="encoder_layer", N=None, src_mask="float"),
        dict(kind="encoder_layer", train=True, dropout=0.2, batch_first=True, causal=True),
        dict(kind="encoder_layer", train=True, dropout=0.3, norm_first=True, act="gelu"),
        dict(kind="encoder", causal=True),
        dict(kind="encoder", batch_first=True, norm_first=True, kpm="bool"),
        dict(kind="decoder_layer"),
        dict(kind="decoder_layer", norm_first=True, act="gelu", memory_mask="bool", kpm="bool"),
        dict(kind="decoder_layer", batch_first=True, train=True, dropout=0.2),
        dict(kind="transformer", memory_mask="float"),
        dict(kind="transformer", batch_first=True, norm_first=True, kpm="bool"),
]):
    c = dict(seed=40 + i)
    c.update(extra)
    LAYER_CASES.append(c)


def sdpa_ref(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False):
    """PyTorch 2.0's documented math for F.scaled_dot_product_attention."""
    L, S = q.size(-2), k.size(-2)
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril(diagonal=0)
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        attn_mask = torch.zeros(attn_mask.shape, dtype=q.dtype).masked_fill(
            attn_mask.logical_not(), float("-inf"))
    w = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if attn_mask is not None:
        w = w + attn_mask
    w = torch.softmax(w, dim=-1)
    if dropout_p > 0.0:
        w = torch.dropout(w, dropout_p, True)
    return w @ v


def sdpa_case(c):
    dt = torch.float64 if c.get("dtype") == "float64" else torch.float32
    q = value(c["q"], 1, dt).requires_grad_()
    k = value(c["k"], 2, dt).requires_grad_()
    v = value(c["v"], 3, dt).requires_grad_()
    mask = None
    if c.get("mask"):
        kind, shp = c["mask"]
        mask = bool_mask(shp, 4).logical_not() if kind == "bool" else value(shp, 4, dt) * 2.0
    torch.manual_seed(c.get("seed", 0))
    out = sdpa_ref(q, k, v, mask, c.get("dropout_p", 0.0), c.get("is_causal", False))
    (out * value(out.shape, 91, dt)).sum().backward()
    r = dict(c)
    r.update({"out": flat(out), "gq": flat(q.grad), "gk": flat(k.grad), "gv": flat(v.grad)})
    return r


SDPA_CASES = [
    dict(q=[2, 3, 4, 8], k=[2, 3, 5, 8], v=[2, 3, 5, 6]),
    dict(q=[2, 3, 4, 8], k=[2, 3, 5, 8], v=[2, 3, 5, 6], mask=("bool", [4, 5])),
    dict(q=[2, 3, 4, 8], k=[2, 3, 5, 8], v=[2, 3, 5, 6], mask=("float", [2, 1, 4, 5])),
    dict(q=[3, 6, 4], k=[3, 6, 4], v=[3, 6, 4], is_causal=True),
    dict(q=[4, 8], k=[5, 8], v=[5, 3], is_causal=True),
    dict(q=[2, 4, 8], k=[2, 5, 8], v=[2, 5, 6], dropout_p=0.4, seed=7),
    dict(q=[2, 4, 8], k=[2, 5, 8], v=[2, 5, 6], mask=("bool", [2, 4, 5]), dtype="float64"),
]


def error(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return {"name": name, "message": str(e)}
    raise SystemExit("no error for " + name)


def mha_call(q_shape, k_shape=None, v_shape=None, **kw):
    m = nn.MultiheadAttention(16, 4)
    q = torch.zeros(q_shape)
    k = torch.zeros(k_shape) if k_shape else q
    v = torch.zeros(v_shape) if v_shape else k
    return lambda: m(q, k, v, **kw)


ERRORS = [
    error("mha_divisible", lambda: nn.MultiheadAttention(10, 3)),
    error("attn_mask_2d_shape", mha_call((5, 2, 16), attn_mask=torch.zeros(3, 4, dtype=torch.bool))),
    error("attn_mask_3d_shape", mha_call((5, 2, 16), attn_mask=torch.zeros(2, 5, 5))),
    error("attn_mask_dtype", mha_call((5, 2, 16), attn_mask=torch.zeros(5, 5, dtype=torch.int64))),
    error("kpm_dtype", mha_call((5, 2, 16), key_padding_mask=torch.zeros(2, 5, dtype=torch.int64))),
    error("kpm_shape", mha_call((5, 2, 16), key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))),
    error("kpm_rank", mha_call((5, 2, 16), key_padding_mask=torch.zeros(5, dtype=torch.bool))),
    error("feature_size", mha_call((5, 2, 12))),
    error("query_rank", mha_call((5, 2, 2, 16))),
    error("key_rank", mha_call((5, 2, 16), (5, 16), (5, 16))),
    error("key_value_shape", mha_call((5, 2, 16), (5, 2, 16), (6, 2, 16))),
    error("unbatched_3d_mask", mha_call((5, 16), attn_mask=torch.zeros(2, 5, 5))),
    error("activation", lambda: nn.TransformerEncoderLayer(16, 4, activation="tanh")),
    error("transformer_batch", lambda: nn.Transformer(16, 4, 1, 1, 32)(
        torch.zeros(5, 2, 16), torch.zeros(4, 3, 16))),
    error("transformer_features", lambda: nn.Transformer(16, 4, 1, 1, 32)(
        torch.zeros(5, 2, 16), torch.zeros(4, 2, 12))),
]


# ---- clip_grad and schedulers ----

def clip_case(c):
    params = [torch.zeros(s, requires_grad=True) for s in c["shapes"]]
    for i, p in enumerate(params):
        p.grad = value(p.shape, 10 + i) * c.get("scale", 1.0)
    if c["kind"] == "norm":
        total = torch.nn.utils.clip_grad_norm_(params, c["max_norm"], c["norm_type"])
        extra = {"total": total.item()}
    else:
        torch.nn.utils.clip_grad_value_(params, c["clip_value"])
        extra = {}
    r = dict(c)
    r.update(extra)
    r["grads"] = [flat(p.grad) for p in params]
    return r


CLIP_CASES = [
    dict(kind="norm", shapes=[[3, 4], [5]], max_norm=1.0, norm_type=2.0),
    dict(kind="norm", shapes=[[3, 4], [5]], max_norm=100.0, norm_type=2.0),
    dict(kind="norm", shapes=[[3, 4], [5], [2, 2]], max_norm=0.5, norm_type=1.0),
    dict(kind="norm", shapes=[[3, 4], [5]], max_norm=0.5, norm_type="inf"),
    dict(kind="norm", shapes=[[7]], max_norm=0.25, norm_type=3.5),
    dict(kind="value", shapes=[[3, 4], [5]], clip_value=0.3),
]
for c in CLIP_CASES:
    if c.get("norm_type") == "inf":
        c["norm_type_py"] = float("inf")


def sched_case(name, opt_kind, build, steps):
    p1 = torch.zeros(2, requires_grad=True)
    p2 = torch.zeros(2, requires_grad=True)
    if opt_kind == "sgd":
        opt = torch.optim.SGD([{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.03}],
                              momentum=0.9)
    else:
        opt = torch.optim.Adam([{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.03}])
    s = build(opt)
    lrs, moms = [s.get_last_lr()], []

    def mom():
        return [g["betas"][0] if opt_kind == "adam" else g["momentum"] for g in opt.param_groups]
    moms.append(mom())
    for _ in range(steps):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr())
        moms.append(mom())
    return {"name": name, "optimizer": opt_kind, "lrs": lrs, "momentum": moms}


SCHED = [
    ("LambdaLR(0.95 ** epoch)", "sgd",
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 0.95 ** e), 8),
    ("LambdaLR([1 / (epoch + 1), 0.5 * epoch])", "sgd",
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.5 * e]), 6),
    ("LinearLR()", "sgd", lambda o: torch.optim.lr_scheduler.LinearLR(o), 8),
    ("LinearLR(start_factor=0.5, end_factor=0.1, total_iters=4)", "sgd",
     lambda o: torch.optim.lr_scheduler.LinearLR(o, 0.5, 0.1, 4), 7),
    ("OneCycleLR(max_lr=1.0, total_steps=10)", "sgd",
     lambda o: torch.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=10), 9),
    ("OneCycleLR(max_lr=[0.5, 0.2], epochs=3, steps_per_epoch=4, anneal_strategy='linear')", "sgd",
     lambda o: torch.optim.lr_scheduler.OneCycleLR(o, [0.5, 0.2], epochs=3, steps_per_epoch=4,
                                                   anneal_strategy="linear"), 11),
    ("OneCycleLR(max_lr=0.01, total_steps=12, three_phase=True, pct_start=0.25)", "adam",
     lambda o: torch.optim.lr_scheduler.OneCycleLR(o, 0.01, total_steps=12, three_phase=True,
                                                   pct_start=0.25), 11),
    ("OneCycleLR(max_lr=0.1, total_steps=7, cycle_momentum=False, div_factor=10.0, "
     "final_div_factor=100.0)", "adam",
     lambda o: torch.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=7, cycle_momentum=False,
                                                   div_factor=10.0, final_div_factor=100.0), 6),
]


def sgd():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)


OPTIM_ERRORS = [
    error("onecycle_no_steps", lambda: torch.optim.lr_scheduler.OneCycleLR(sgd(), 0.1)),
    error("onecycle_total_steps", lambda: torch.optim.lr_scheduler.OneCycleLR(
        sgd(), 0.1, total_steps=-1)),
    error("onecycle_anneal", lambda: torch.optim.lr_scheduler.OneCycleLR(
        sgd(), 0.1, total_steps=5, anneal_strategy="cosine")),
    error("linearlr_start", lambda: torch.optim.lr_scheduler.LinearLR(sgd(), start_factor=1.5)),
    error("linearlr_end", lambda: torch.optim.lr_scheduler.LinearLR(sgd(), end_factor=-0.5)),
]


def onecycle_overrun():
    o = sgd()
    s = torch.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=3)
    for _ in range(4):
        o.step()
        s.step()


def clip_nonfinite():
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.tensor([1.0, float("inf")])
    torch.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


OPTIM_ERRORS += [error("onecycle_overrun", onecycle_overrun),
                 error("clip_nonfinite", clip_nonfinite)]


def main():
    root = sys.argv[1]
    torch.set_num_threads(1)
    init = [init_case(n, b, s) for n, b in INIT_BUILDS.items() for s in (0, 3, 12345)]
    attn = {"init": init, "mha": [mha_case(c) for c in MHA_CASES],
            "layers": [layer_case(c) for c in LAYER_CASES],
            "sdpa": [sdpa_case(c) for c in SDPA_CASES],
            "square_mask": hex32(nn.Transformer.generate_square_subsequent_mask(4)),
            "errors": ERRORS}
    with open(os.path.join(root, "nn", "attention.json"), "w") as f:
        json.dump(attn, f, separators=(",", ":"))
    clip = []
    for c in CLIP_CASES:
        cc = dict(c)
        if "norm_type_py" in cc:
            cc["norm_type"] = cc.pop("norm_type_py")
        r = clip_case(cc)
        r["norm_type"] = c.get("norm_type")
        clip.append(r)
    optim = {"clip": clip, "schedulers": [sched_case(*s) for s in SCHED], "errors": OPTIM_ERRORS}
    with open(os.path.join(root, "optim", "schedulers_clip.json"), "w") as f:
        json.dump(optim, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
