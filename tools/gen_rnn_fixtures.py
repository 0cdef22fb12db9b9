#!/usr/bin/python3
"""Draws the Embedding/EmbeddingBag and RNN/LSTM/GRU test cases from real PyTorch 1.13.

usage: /usr/bin/python3 tools/gen_rnn_fixtures.py tests/fixtures/nn

writes rnn.json (init, cells, dropout, utils, errors), rnn_grid.json (recurrent) and
embedding.json (embedding) there.

Inputs, states, parameters and upstream gradients are not stored: they follow value(shape, salt)
below, which tests/nn/test_rnn.cpp and test_embedding.cpp compute the same way.

init: modules built right after manual_seed(seed): repr, parameter names, shapes and bits, and
  the next randint draw (checks the number of draws).
recurrent: RNN (tanh, relu), LSTM (proj_size 0 and 2) and GRU over layers {1, 2} x directions x
  batch_first x packed (sorted / unsorted lengths) x given / zero initial state, in float64
  (parameters set to 0.5 * value(shape, 100 + k) in registration order): output, h_n (c_n),
  and the gradients of input, h0 (c0) and every parameter of sum(output * u1) + sum(h_n * u2)
  (+ sum(c_n * u3)); a few cases again in float32, and unbatched input.
cells: RNNCell / LSTMCell / GRUCell the same way.
dropout: a 2-layer LSTM in train mode with dropout 0.5 after manual_seed(seed).
utils: pad_sequence, pack_padded_sequence (sorted / not), pad_packed_sequence.
embedding: forward and weight gradients with padding_idx, scale_grad_by_freq, max_norm;
  EmbeddingBag sum/mean/max with offsets, include_last_offset, per_sample_weights, padding_idx.
errors: bad calls with PyTorch's message.
"""
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import rnn as rnn_utils

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def hex32(t):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0]
                   for v in t.detach().reshape(-1).tolist())


def value(shape, salt, dtype):
    """((i * 7919 + salt * 104729) mod 2003) / 1001 - 1 for the row-major index i."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.int64)
    v = ((i * 7919 + salt * 104729) % 2003).to(torch.float64) / 1001.0 - 1.0
    return v.reshape(shape).to(DTYPES[dtype])


def flat(t, dtype):
    fmt = "%.8g" if dtype == "float32" else "%.11g"
    return [float(fmt % v) for v in t.detach().reshape(-1).tolist()]


def set_params(m, dtype):
    with torch.no_grad():
        for k, (_, p) in enumerate(m.named_parameters()):
            p.copy_(0.5 * value(list(p.shape), 100 + k, dtype))


def build(kind, args, kw):
    return getattr(nn, kind)(*args, **kw)


INIT_CONFIGS = [
    ("RNN", [3, 4], {}),
    ("RNN", [3, 4], {"num_layers": 2, "nonlinearity": "relu", "bias": False, "dropout": 0.25}),
    ("LSTM", [10, 20], {"num_layers": 2, "batch_first": True, "bidirectional": True}),
    ("LSTM", [3, 5], {"proj_size": 2, "bidirectional": True}),
    ("GRU", [4, 3], {"num_layers": 2, "bias": False}),
    ("GRU", [2, 6], {"bidirectional": True, "batch_first": True, "dropout": 0.5, "num_layers": 3}),
    ("RNNCell", [3, 4], {}),
    ("RNNCell", [3, 4], {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", [5, 3], {}),
    ("GRUCell", [2, 4], {"bias": False}),
    ("Embedding", [100, 16], {"padding_idx": 0}),
    ("Embedding", [10, 3], {"padding_idx": -2, "max_norm": 1.5, "norm_type": 1.0,
                            "scale_grad_by_freq": True}),
    ("Embedding", [7, 2], {}),
    ("EmbeddingBag", [10, 3], {"mode": "max", "padding_idx": -1}),
    ("EmbeddingBag", [6, 4], {"mode": "sum", "max_norm": 2.0, "include_last_offset": True}),
    ("EmbeddingBag", [5, 2], {}),
]


def init_cases():
    cases = []
    for kind, args, kw in INIT_CONFIGS:
        for seed in [0] if args[1] >= 16 else [0, 7, 2024]:
            torch.manual_seed(seed)
            m = build(kind, args, kw)
            probe = torch.randint(0, 2**31, (2,)).tolist()
            cases.append({"kind": kind, "args": args, "kwargs": kw, "seed": seed,
                          "repr": repr(m),
                          "names": [n for n, _ in m.named_parameters()],
                          "state_dict_keys": list(m.state_dict().keys()),
                          "shapes": [list(p.shape) for p in m.parameters()],
                          "bits": [hex32(p) for p in m.parameters()], "probe": probe})
    return cases


T, B, I, H = 3, 3, 2, 3


def recurrent_case(kind, kw, batch_first, packed, given, dtype, unbatched=False):
    kw = dict(kw)
    kw["batch_first"] = batch_first
    m = build(kind, [I, H], kw).to(DTYPES[dtype])
    set_params(m, dtype)
    lstm = kind == "LSTM"
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    P = kw.get("proj_size", 0) or H
    shape = [B, T, I] if batch_first else [T, B, I]
    if unbatched:
        shape = [T, I]
    x = value(shape, 1, dtype).requires_grad_(True)
    hshape = [L * D, B, P] if not unbatched else [L * D, P]
    cshape = [L * D, B, H] if not unbatched else [L * D, H]
    h0 = value(hshape, 2, dtype).requires_grad_(True)
    c0 = value(cshape, 3, dtype).requires_grad_(True)
    state = ((h0, c0) if lstm else h0) if given else None
    inp = x
    if packed:
        lengths = [3, 2, 1] if packed == "sorted" else [2, 3, 1]
        inp = rnn_utils.pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first,
                                             enforce_sorted=packed == "sorted")
    out, hid = m(inp, state)
    if packed:
        out = out.data
    h, c = hid if lstm else (hid, None)
    loss = (out * value(list(out.shape), 4, dtype)).sum() + (h * value(list(h.shape), 5, dtype)).sum()
    if lstm:
        loss = loss + (c * value(list(c.shape), 6, dtype)).sum()
    loss.backward()
    case = {"kind": kind, "kwargs": kw, "packed": packed or "", "given": given, "dtype": dtype,
            "unbatched": unbatched, "input_shape": shape,
            "output_shape": list(out.shape), "output": flat(out, dtype),
            "h_n_shape": list(h.shape), "h_n": flat(h, dtype),
            "input_grad": flat(x.grad, dtype),
            "param_grads": [flat(p.grad, dtype) for p in m.parameters()]}
    if lstm:
        case["c_n"] = flat(c, dtype)
    if given:
        case["h0_grad"] = flat(h0.grad, dtype)
        if lstm:
            case["c0_grad"] = flat(c0.grad, dtype)
    return case


def recurrent():
    cases = []
    configs = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}),
               ("LSTM", {"proj_size": 2}), ("GRU", {})]
    for kind, base in configs:
        for L in [1, 2]:
            for bidir in [False, True]:
                for bf in [False, True]:
                    for packed in ["", "sorted", "unsorted"] if not bf else ["", "unsorted"]:
                        for given in [False, True]:
                            kw = dict(base, num_layers=L, bidirectional=bidir)
                            cases.append(recurrent_case(kind, kw, bf, packed, given, "float64"))
    for kind, base in configs:
        kw = dict(base, num_layers=2, bidirectional=True)
        cases.append(recurrent_case(kind, kw, True, "unsorted", True, "float32"))
        cases.append(recurrent_case(kind, dict(base, num_layers=2), False, "", False, "float32"))
        cases.append(recurrent_case(kind, kw, False, "", True, "float64", unbatched=True))
    kw = {"num_layers": 2, "bias": False}
    cases.append(recurrent_case("LSTM", dict(kw, proj_size=1), False, "", True, "float64"))
    cases.append(recurrent_case("GRU", kw, False, "sorted", True, "float64"))
    return cases


def cells():
    cases = []
    for kind, kw in [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}),
                     ("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", {"bias": False})]:
        for dtype in ["float64", "float32"]:
            for given in [False, True]:
                for unbatched in [False, True]:
                    m = build(kind, [I, H], kw).to(DTYPES[dtype])
                    set_params(m, dtype)
                    x = value([I] if unbatched else [B, I], 1, dtype).requires_grad_(True)
                    hs = [H] if unbatched else [B, H]
                    h0 = value(hs, 2, dtype).requires_grad_(True)
                    c0 = value(hs, 3, dtype).requires_grad_(True)
                    lstm = kind == "LSTMCell"
                    state = ((h0, c0) if lstm else h0) if given else None
                    res = m(x, state)
                    h, c = res if lstm else (res, None)
                    loss = (h * value(hs, 5, dtype)).sum()
                    if lstm:
                        loss = loss + (c * value(hs, 6, dtype)).sum()
                    loss.backward()
                    case = {"kind": kind, "kwargs": kw, "dtype": dtype, "given": given,
                            "unbatched": unbatched, "h": flat(h, dtype),
                            "input_grad": flat(x.grad, dtype),
                            "param_grads": [flat(p.grad, dtype) for p in m.parameters()]}
                    if lstm:
                        case["c"] = flat(c, dtype)
                    if given:
                        case["h0_grad"] = flat(h0.grad, dtype)
                        if lstm:
                            case["c0_grad"] = flat(c0.grad, dtype)
                    cases.append(case)
    return cases


def dropout():
    cases = []
    for kind, kw in [("LSTM", {"num_layers": 2, "dropout": 0.5}),
                     ("GRU", {"num_layers": 3, "dropout": 0.25, "bidirectional": True})]:
        for seed in [0, 5]:
            m = build(kind, [I, H], kw)
            set_params(m, "float32")
            m.train()
            torch.manual_seed(seed)
            out, _ = m(value([T, B, I], 1, "float32"))
            probe = torch.randint(0, 2**31, (1,)).tolist()
            cases.append({"kind": kind, "kwargs": kw, "seed": seed, "output": flat(out, "float32"),
                          "probe": probe})
    return cases


def utils():
    seqs = [value([2, 2], 1, "float64"), value([3, 2], 2, "float64"), value([1, 2], 3, "float64")]
    cases = {"pad": [], "pack": []}
    for bf in [False, True]:
        for pv in [0.0, -1.5]:
            out = rnn_utils.pad_sequence(seqs, batch_first=bf, padding_value=pv)
            cases["pad"].append({"batch_first": bf, "padding_value": pv,
                                 "shape": list(out.shape), "values": flat(out, "float64")})
    for bf in [False, True]:
        for lengths, es in [([3, 2, 2, 1], True), ([2, 3, 1, 3], False), ([1, 1, 1, 1], True)]:
            x = value([4, 3, 2] if bf else [3, 4, 2], 7, "float64")
            p = rnn_utils.pack_padded_sequence(x, torch.tensor(lengths), batch_first=bf,
                                               enforce_sorted=es)
            padded, lens = rnn_utils.pad_packed_sequence(p, batch_first=bf, padding_value=9.0,
                                                         total_length=5)
            case = {"batch_first": bf, "lengths": lengths, "enforce_sorted": es,
                    "data": flat(p.data, "float64"), "batch_sizes": p.batch_sizes.tolist(),
                    "sorted_indices": None if p.sorted_indices is None else p.sorted_indices.tolist(),
                    "unsorted_indices": None if p.unsorted_indices is None
                    else p.unsorted_indices.tolist(),
                    "padded_shape": list(padded.shape), "padded": flat(padded, "float64"),
                    "padded_lengths": lens.tolist()}
            cases["pack"].append(case)
    return cases


def embedding():
    cases = []
    idx = [[1, 3, 0], [3, 3, 5]]
    for kw in [{}, {"padding_idx": 3}, {"padding_idx": -1, "scale_grad_by_freq": True},
               {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0, "padding_idx": 0}]:
        for dtype in ["float32", "float64"]:
            w = value([6, 4], 11, dtype).requires_grad_(True)
            out = F.embedding(torch.tensor(idx), w, **kw)
            (out * value(list(out.shape), 12, dtype)).sum().backward()
            cases.append({"fn": "embedding", "kwargs": kw, "dtype": dtype, "indices": idx,
                          "output": flat(out, dtype), "weight_after": flat(w, dtype),
                          "weight_grad": flat(w.grad, dtype)})
    bag_calls = [
        ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], {"mode": "sum"}),
        ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], {"mode": "mean"}),
        ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], {"mode": "max"}),
        ([1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 8], {"mode": "mean", "include_last_offset": True}),
        ([1, 2, 4, 5, 4, 3, 2, 9], [0, 4], {"mode": "sum", "per_sample_weights": True}),
        ([1, 2, 4, 5, 4, 3, 2, 4], [0, 3, 5], {"mode": "mean", "padding_idx": 4}),
        ([1, 2, 4, 5, 4, 3, 2, 4], [0, 3, 5], {"mode": "max", "padding_idx": -6}),
        ([1, 2, 4, 5, 4, 3, 2, 4], [0, 3, 5], {"mode": "sum", "scale_grad_by_freq": True,
                                               "max_norm": 1.0}),
        ([[1, 2, 4], [5, 4, 3]], None, {"mode": "mean"}),
        ([[1, 2, 4], [5, 4, 3]], None, {"mode": "sum", "per_sample_weights": True}),
    ]
    for indices, offsets, kw in bag_calls:
        for dtype in ["float32", "float64"]:
            kw2 = dict(kw)
            w = value([10, 3], 13, dtype).requires_grad_(True)
            psw = None
            if kw2.pop("per_sample_weights", False):
                n = torch.tensor(indices).shape
                psw = value(list(n), 14, dtype).requires_grad_(True)
            out = F.embedding_bag(torch.tensor(indices), w,
                                  None if offsets is None else torch.tensor(offsets),
                                  per_sample_weights=psw, **kw2)
            (out * value(list(out.shape), 15, dtype)).sum().backward()
            case = {"fn": "embedding_bag", "kwargs": kw, "dtype": dtype, "indices": indices,
                    "offsets": offsets, "output_shape": list(out.shape),
                    "output": flat(out, dtype), "weight_after": flat(w, dtype),
                    "weight_grad": flat(w.grad, dtype)}
            if psw is not None:
                case["psw_grad"] = flat(psw.grad, dtype)
            cases.append(case)
    return cases


def message(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 -- any error's text is what is recorded
        return str(e)
    raise AssertionError("no error")


def errors():
    lstm = nn.LSTM(10, 20, num_layers=2)
    gru = nn.GRU(10, 20, bidirectional=True, batch_first=True)
    rnn = nn.RNN(10, 20)
    emb = nn.Embedding(10, 3)
    x = torch.zeros(5, 3, 10)
    cases = {
        "lstm_input_size": lambda: lstm(torch.zeros(5, 3, 7)),
        "lstm_rank": lambda: lstm(torch.zeros(5, 3, 10, 1)),
        "lstm_rank_1d": lambda: lstm(torch.zeros(10)),
        "lstm_hidden": lambda: lstm(x, (torch.zeros(1, 3, 20), torch.zeros(2, 3, 20))),
        "lstm_cell_state": lambda: lstm(x, (torch.zeros(2, 3, 20), torch.zeros(2, 4, 20))),
        "lstm_hidden_rank": lambda: lstm(x, (torch.zeros(3, 20), torch.zeros(2, 3, 20))),
        "lstm_unbatched_hidden_rank": lambda: lstm(torch.zeros(5, 10), (torch.zeros(2, 1, 20),
                                                                        torch.zeros(2, 1, 20))),
        "gru_hidden": lambda: gru(x, torch.zeros(2, 3, 20)),
        "gru_hidden_rank": lambda: gru(x, torch.zeros(2, 20)),
        "rnn_hidden": lambda: rnn(x, torch.zeros(1, 3, 21)),
        "rnn_unbatched_hidden_rank": lambda: rnn(torch.zeros(5, 10), torch.zeros(1, 1, 20)),
        "rnn_packed_input_size": lambda: rnn(rnn_utils.pack_padded_sequence(
            torch.zeros(5, 2, 9), torch.tensor([5, 3]))),
        "rnn_nonlinearity": lambda: nn.RNN(10, 20, nonlinearity="sigmoid"),
        "lstm_proj_ge_hidden": lambda: nn.LSTM(10, 20, proj_size=20),
        "lstm_proj_negative": lambda: nn.LSTM(10, 20, proj_size=-1),
        "lstm_dropout": lambda: nn.LSTM(10, 20, dropout=1.5),
        "cell_input_size": lambda: nn.LSTMCell(3, 4)(torch.zeros(2, 5)),
        "cell_batch": lambda: nn.GRUCell(3, 4)(torch.zeros(2, 3), torch.zeros(3, 4)),
        "cell_hidden_size": lambda: nn.RNNCell(3, 4)(torch.zeros(2, 3), torch.zeros(2, 5)),
        "cell_rank": lambda: nn.GRUCell(3, 4)(torch.zeros(2, 3, 3)),
        "embedding_index": lambda: emb(torch.tensor([[1, 10]])),
        "embedding_negative_index": lambda: emb(torch.tensor([-1])),
        "embedding_dtype": lambda: emb(torch.tensor([1.0])),
        "embedding_padding_idx": lambda: nn.Embedding(10, 3, padding_idx=10),
        "embedding_functional_padding_idx": lambda: F.embedding(torch.tensor([1]), emb.weight,
                                                                padding_idx=-11),
        "embedding_from_pretrained_rank": lambda: nn.Embedding.from_pretrained(torch.zeros(3)),
        "bag_padding_idx": lambda: F.embedding_bag(torch.tensor([1, 2]), emb.weight,
                                                   torch.tensor([0]), padding_idx=10),
        "bag_2d_offsets": lambda: F.embedding_bag(torch.tensor([[1, 2]]), emb.weight,
                                                  torch.tensor([0])),
        "bag_no_offsets": lambda: F.embedding_bag(torch.tensor([1, 2]), emb.weight),
        "bag_psw_mode": lambda: F.embedding_bag(torch.tensor([1, 2]), emb.weight,
                                                torch.tensor([0]), mode="mean",
                                                per_sample_weights=torch.ones(2)),
        "bag_psw_shape": lambda: F.embedding_bag(torch.tensor([1, 2]), emb.weight,
                                                 torch.tensor([0]), mode="sum",
                                                 per_sample_weights=torch.ones(3)),
        "bag_max_freq": lambda: F.embedding_bag(torch.tensor([1, 2]), emb.weight,
                                                torch.tensor([0]), mode="max",
                                                scale_grad_by_freq=True),
        "bag_mode": lambda: F.embedding_bag(torch.tensor([1, 2]), emb.weight, torch.tensor([0]),
                                            mode="foo"),
        "bag_rank": lambda: F.embedding_bag(torch.tensor([[[1, 2]]]), emb.weight),
        "pack_unsorted": lambda: rnn_utils.pack_padded_sequence(torch.zeros(4, 3, 2),
                                                                torch.tensor([2, 3, 1])),
        "pack_zero_length": lambda: rnn_utils.pack_padded_sequence(
            torch.zeros(4, 3, 2), torch.tensor([2, 0, 1]), enforce_sorted=False),
        "pack_lengths_size": lambda: rnn_utils.pack_padded_sequence(torch.zeros(4, 3, 2),
                                                                    torch.tensor([2, 1])),
        "pad_packed_total_length": lambda: rnn_utils.pad_packed_sequence(
            rnn_utils.pack_padded_sequence(torch.zeros(4, 3, 2), torch.tensor([3, 2, 1])),
            total_length=2),
        "pad_sequence_empty": lambda: rnn_utils.pad_sequence([]),
    }
    out = {}
    for k, f in cases.items():
        try:
            out[k] = message(f)
        except AssertionError:
            raise AssertionError("no error from " + k)
    return out


def main():
    torch.set_default_dtype(torch.float32)
    files = {"rnn.json": {"init": init_cases(), "cells": cells(), "dropout": dropout(),
                          "utils": utils(), "errors": errors()},
             "rnn_grid.json": {"recurrent": recurrent()},
             "embedding.json": {"embedding": embedding()}}
    for name, content in files.items():
        with open(os.path.join(sys.argv[1], name), "w") as f:
            json.dump(content, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
