"""torchlite.optim: SGD, Adam and AdamW (C++), with PyTorch's param_groups view."""
from .._C._optim import SGD, Adam, AdamW, Optimizer
from . import lr_scheduler


class _ParamGroup(dict):
    """One of optimizer.param_groups: a dict whose 'lr' writes through to the optimizer."""

    def __init__(self, optimizer, index):
        super().__init__(params=optimizer._params(index), **optimizer._group_options(index))
        self._optimizer = optimizer
        self._index = index

    def __setitem__(self, key, value):
        if key != "lr":
            raise KeyError(f"torchlite's param_groups can change only 'lr', not {key!r}")
        self._optimizer._set_lr(self._index, value)
        super().__setitem__(key, value)


Optimizer.param_groups = property(
    lambda self: [_ParamGroup(self, g) for g in range(self._num_groups())])
Optimizer.state = property(
    lambda self: {p: self._state(p) for g in range(self._num_groups()) for p in self._params(g)
                  if self._state(p)})

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]
