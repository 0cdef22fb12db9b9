"""nn.Module's Python side: attribute assignment registers parameters, submodules and buffers in
assignment order (PyTorch's __setattr__), calling a module runs forward, and nn.Parameter."""
import collections

from .. import _C

Module = _C.Module
_Tensor = _C.Tensor


class _ParameterMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _Tensor) and obj._is_param


class Parameter(metaclass=_ParameterMeta):
    """nn.Parameter(data=None, requires_grad=True): a tensor that a module attribute registers as
    a parameter; it prints "Parameter containing:"."""

    def __new__(cls, data=None, requires_grad=True):
        return _C._make_parameter(data, requires_grad)


def _type_name(value):
    return value.type() if isinstance(value, _Tensor) else type(value).__name__


def _keep(module, child):
    """Holds the Python object of a child, so that a Python subclass inside a C++ container keeps
    its forward while the container lives."""
    module.__dict__.setdefault("_py_children", []).append(child)


def _module_setattr(self, name, value):
    descriptor = getattr(type(self), name, None)
    if descriptor is not None and hasattr(descriptor, "__set__"):
        object.__setattr__(self, name, value)  # a C++ layer's property (Linear.weight)
    elif isinstance(value, Module):
        self._register_child(name, value)
        object.__setattr__(self, name, value)
    elif isinstance(value, _Tensor) and value._is_param:
        self._register_parameter(name, value)
        object.__setattr__(self, name, value)
    elif name in self._parameter_names():
        raise TypeError(f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                        "(torch.nn.Parameter or None expected)")
    elif name in self._buffer_names() and isinstance(value, _Tensor):
        self._register_buffer(name, value, name in self.state_dict())
    elif self._get(name) is not None and isinstance(self._get(name), Module):
        raise TypeError(f"cannot assign '{_type_name(value)}' as child module '{name}' "
                        "(torch.nn.Module or None expected)")
    else:
        object.__setattr__(self, name, value)


def _module_getattr(self, name):
    if not name.startswith("__"):
        value = self._get(name)
        if value is not None:
            return value
    raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _module_delattr(self, name):
    if self._remove_child(name):
        self.__dict__.pop(name, None)
    else:
        object.__delattr__(self, name)


def _module_call(self, *args, **kwargs):
    return self.forward(*args, **kwargs)


def register_buffer(self, name, tensor, persistent=True):
    if not isinstance(name, str):
        raise TypeError(f"buffer name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError("buffer name can't contain \".\"")
    if name == "":
        raise KeyError("buffer name can't be empty string \"\"")
    if tensor is not None and not isinstance(tensor, _Tensor):
        raise TypeError(f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                        "(torch Tensor or None required)")
    self._register_buffer(name, tensor, persistent)


def register_parameter(self, name, param):
    if not isinstance(param, Parameter):
        raise TypeError(f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                        "(torch.nn.Parameter or None required)")
    self._register_parameter(name, param)
    object.__setattr__(self, name, param)


def add_module(self, name, module):
    if not isinstance(module, Module) and module is not None:
        raise TypeError(f"{type(module).__name__} is not a Module subclass")
    self._register_child(name, module)
    object.__setattr__(self, name, module)


class _IncompatibleKeys(collections.namedtuple("IncompatibleKeys",
                                               ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def load_state_dict(self, state_dict, strict=True):
    missing, unexpected = self._load_state_dict(state_dict, strict)
    return _IncompatibleKeys(missing, unexpected)


def to(self, *args, **kwargs):
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, _C.dtype):
            self._to_dtype(value)
    return self


for _name, _fn in [("__setattr__", _module_setattr), ("__getattr__", _module_getattr),
                   ("__delattr__", _module_delattr), ("__call__", _module_call),
                   ("register_buffer", register_buffer), ("register_parameter", register_parameter),
                   ("add_module", add_module), ("register_module", add_module),
                   ("load_state_dict", load_state_dict), ("to", to),
                   ("double", lambda self: self._to_dtype(_C.float64)),
                   ("float", lambda self: self._to_dtype(_C.float32)),
                   ("cpu", lambda self: self)]:
    setattr(Module, _name, _fn)


def _keeping(cls, method, children):
    """Wraps a container method so that the Python objects of the modules it takes are kept."""
    original = getattr(cls, method)

    def wrapper(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        for child in children(*args, **kwargs):
            _keep(self, child)
        return result
    wrapper.__name__ = method
    setattr(cls, method, wrapper)


def _values(modules=None):
    if modules is None:
        return []
    return list(modules.values()) if hasattr(modules, "values") else [m for _, m in modules] \
        if modules and isinstance(next(iter(modules)), tuple) else list(modules)


_keeping(_C.Sequential, "__init__",
         lambda *args: list(args[0].values()) if len(args) == 1 and
         isinstance(args[0], collections.OrderedDict) else list(args))
_keeping(_C.Sequential, "append", lambda module: [module])
_keeping(_C.ModuleList, "__init__", _values)
_keeping(_C.ModuleList, "append", lambda module: [module])
_keeping(_C.ModuleList, "extend", lambda modules: list(modules))
_keeping(_C.ModuleList, "insert", lambda index, module: [module])
_keeping(_C.ModuleDict, "__init__", _values)
_keeping(_C.ModuleDict, "__setitem__", lambda key, module: [module])
_keeping(_C.ModuleDict, "update", _values)
