"""torchlite.nn: PyTorch's torch.nn for the layers torchlite has (C++ modules under their names)."""
from .. import _C
from . import functional, init
from .modules import Module, Parameter
from .._C import (BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Flatten, Identity, L1Loss, Linear,
                  LogSoftmax, MSELoss, ModuleDict, ModuleList, NLLLoss, ReLU, Sequential, Sigmoid,
                  Softmax, Tanh)

__all__ = ["Module", "Parameter", "functional", "init", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "Dropout", "Flatten", "Identity", "L1Loss", "Linear", "LogSoftmax", "MSELoss",
           "ModuleDict", "ModuleList", "NLLLoss", "ReLU", "Sequential", "Sigmoid", "Softmax",
           "Tanh"]
