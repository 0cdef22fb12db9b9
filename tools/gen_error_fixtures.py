#!/usr/bin/python3
"""Records PyTorch's error messages for misuse, so torchlite's wording can be checked.

usage: /usr/bin/python3 tools/gen_error_fixtures.py tests/fixtures/errors/errors.json
The C++ test (tests/core/test_tensor_errors.cpp) runs the same misuse by case name and expects
torchlite::Error whose message contains PyTorch's first line.
"""
import json
import sys

import torch

CASES = {
    "broadcast_add": lambda: torch.ones(2, 3) + torch.ones(4),
    "broadcast_mul": lambda: torch.ones(2, 3) * torch.ones(2, 2),
    "mm_shapes": lambda: torch.ones(2, 3).mm(torch.ones(4, 5)),
    "view_invalid": lambda: torch.ones(2, 3).view(4, 2),
    "view_two_infer": lambda: torch.ones(2, 3).view(-1, -1),
    "view_noncontiguous": lambda: torch.ones(2, 3).t().view(6),
    "dim_out_of_range": lambda: torch.ones(2, 3).sum(2),
    "select_out_of_range": lambda: torch.ones(2, 3).select(1, 3),
    "index_out_of_range": lambda: torch.ones(2, 3)[2],
    "item_many": lambda: torch.ones(2).item(),
    "expand_bad": lambda: torch.ones(2, 3).expand(3, 3),
    "cat_sizes": lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]),
    "stack_sizes": lambda: torch.stack([torch.ones(2, 3), torch.ones(3, 2)]),
    "mean_int": lambda: torch.ones(2, dtype=torch.int64).mean(),
    "requires_grad_int": lambda: torch.ones(2, dtype=torch.int64).requires_grad_(),
    "backward_nonscalar": lambda: (torch.ones(2, requires_grad=True) * 2).backward(),
    "backward_no_grad": lambda: torch.ones(2).sum().backward(),
    "leaf_inplace": lambda: torch.ones(2, requires_grad=True).add_(1),
    "bool_sub": lambda: torch.ones(2, dtype=torch.bool) - torch.ones(2, dtype=torch.bool),
    "neg_bool": lambda: -torch.ones(2, dtype=torch.bool),
    "negative_size": lambda: torch.empty(2, -1),
    "permute_dup": lambda: torch.ones(2, 3).permute(0, 0),
    "t_3d": lambda: torch.ones(2, 3, 4).t(),
    "max_empty": lambda: torch.ones(0).max(),
    "flatten_args": lambda: torch.ones(2, 3, 4).flatten(2, 1),
    "index_select_range": lambda: torch.ones(2, 3).index_select(0, torch.tensor([5])),
    "int_neg_pow": lambda: torch.tensor([2]).pow(-1),
    "uniform_range": lambda: torch.empty(3).uniform_(1, 0),
    "normal_std": lambda: torch.empty(3).normal_(0, -1),
    "randint_range": lambda: torch.randint(5, 5, (2,)),
    "inplace_cast": lambda: torch.arange(4).add_(1.5),
    "inplace_cast_bool": lambda: torch.ones(4, dtype=torch.bool).add_(torch.ones(4, dtype=torch.int32)),
    "inplace_broadcast": lambda: torch.ones(4).add_(torch.ones(2, 4)),
    "inplace_partial_overlap": lambda: (lambda a: a.add_(a.t()))(torch.ones(2, 2)),
    "inplace_row_overlap": lambda: (lambda a: a.mul_(a[0]))(torch.ones(2, 2)),
    "inplace_internal_overlap": lambda: torch.zeros(3).expand(2, 3).relu_(),
}


def main():
    out = {}
    for name, fn in CASES.items():
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            out[name] = str(e).split("\n")[0]
        else:
            raise SystemExit(f"case {name} did not raise")
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
