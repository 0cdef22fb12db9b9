#!/usr/bin/python3
"""torch.nn.utils.fusion.fuse_conv_bn_weights from real PyTorch 1.13, for tests/nn/test_fusion.cpp.

usage: /usr/bin/python3 tools/gen_fusion_fixtures.py tests/fixtures/nn

fusion.json: cases {"transpose", "eps", "conv_w" {"shape", "data"}, "conv_b", "rm", "rv", "bn_w",
"bn_b", "w", "b"} (flat float32 values as numbers; conv_b null when the convolution has no bias),
"w"/"b" being fuse_conv_bn_weights' results.
"""
import json
import os
import sys

import torch
from torch.nn.utils.fusion import fuse_conv_bn_weights


def t(x):
    return {"shape": list(x.shape), "data": x.reshape(-1).tolist()}


def case(seed, transpose, bias):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(3, 4, 3, 3, generator=g) if transpose else torch.randn(4, 3, 3, 3, generator=g)
    b = torch.randn(4, generator=g) if bias else None
    rm, rv = torch.randn(4, generator=g), torch.rand(4, generator=g) + 0.1
    bw, bb = torch.rand(4, generator=g) + 0.5, torch.randn(4, generator=g)
    fw, fb = fuse_conv_bn_weights(w, b, rm, rv, 1e-5, bw, bb, transpose)
    return {"transpose": transpose, "eps": 1e-5, "conv_w": t(w),
            "conv_b": t(b) if bias else None, "rm": t(rm), "rv": t(rv), "bn_w": t(bw),
            "bn_b": t(bb), "w": t(fw.detach()), "b": t(fb.detach())}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = [case(0, False, False), case(1, False, True), case(2, True, True)]
    with open(os.path.join(out, "fusion.json"), "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
