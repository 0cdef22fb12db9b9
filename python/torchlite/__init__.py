"""torchlite: PyTorch's torch.nn in C++20, under PyTorch's Python names.

`import torchlite as torch` runs PyTorch programs that use what torchlite has (tensors, autograd,
torch.nn's layers, losses and init, torch.optim, torch.utils.data, torch.save/load), printing
what PyTorch 1.13 prints.
"""
from . import _C
from ._C import (Generator, Tensor, addmm, arange, cat, default_generator, dtype, empty,
                 empty_like, eye, from_numpy, full, full_like, get_num_threads, initial_seed,
                 is_grad_enabled, load, manual_seed, matmul, mm, ones, ones_like, rand, rand_like,
                 randint, randn, randn_like, randperm, save, set_num_threads, set_printoptions,
                 stack, tensor, where, zeros, zeros_like)
from ._C import (bfloat16, bool, double, float, float16, float32, float64, half, int, int8, int16,
                 int32, int64, long, short, uint8)

__version__ = "0.1.0"


class Size(tuple):
    """A tensor's shape: a tuple that prints as `torch.Size([2, 3])`."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


_C._set_size_class(Size)


class set_grad_enabled:
    """Turns graph recording on or off, as a call, a context manager or a decorator."""

    def __init__(self, mode):
        self.prev = _C.is_grad_enabled()
        self.mode = mode
        _C._set_grad_enabled(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)
        return False


class no_grad:
    """`with torch.no_grad():` (or `@torch.no_grad()`): operations record no graph."""

    _mode = False

    def __enter__(self):
        self.prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._mode)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class enable_grad(no_grad):
    """`with torch.enable_grad():` records the graph again inside a no_grad block."""

    _mode = True


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def get_default_dtype():
    return float32


def _method(name):
    """torch.<name>(input, ...) as input.<name>(...)."""
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = name
    fn.__qualname__ = name
    return fn


for _name in ("abs", "neg", "exp", "log", "sqrt", "relu", "sigmoid", "tanh", "sign", "sum",
              "mean", "max", "min", "argmax", "clamp", "pow", "maximum", "minimum", "t",
              "transpose", "permute", "flatten", "unflatten", "reshape", "squeeze", "unsqueeze",
              "select", "narrow", "eq", "ne", "lt", "le", "gt", "ge", "equal", "allclose",
              "softmax", "log_softmax", "index_select", "add", "sub", "mul", "div", "clone",
              "detach"):
    globals()[_name] = _method(_name)
del _name

from . import autograd, models, nn, optim, utils  # noqa: E402  (they need the names above)
