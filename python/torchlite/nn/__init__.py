"""torchlite.nn: PyTorch's torch.nn for the layers torchlite has (C++ modules under their names)."""
from .. import _C
from . import functional, init
from .modules import Module, Parameter
from .._C import (ELU, GELU, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d,
                  AvgPool2d, BatchNorm1d, BatchNorm2d, BCEWithLogitsLoss, Conv1d, Conv2d,
                  ConvTranspose2d, CrossEntropyLoss, Dropout, Dropout2d, Flatten, GroupNorm,
                  Hardswish, Hardtanh, Identity, L1Loss, LayerNorm, LeakyReLU, Linear, LogSoftmax,
                  MaxPool1d, MaxPool2d, MSELoss, ModuleDict, ModuleList, NLLLoss, ReLU, ReLU6,
                  Sequential, Sigmoid, SiLU, Softmax, Softplus, Tanh, Unflatten)

__all__ = ["Module", "Parameter", "functional", "init", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d", "AvgPool1d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d",
           "BCEWithLogitsLoss", "Conv1d", "Conv2d", "ConvTranspose2d", "CrossEntropyLoss",
           "Dropout", "Flatten", "GroupNorm", "Identity", "L1Loss", "LayerNorm", "Linear",
           "LogSoftmax", "MaxPool1d", "MaxPool2d", "MSELoss", "ModuleDict", "ModuleList",
           "NLLLoss", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "ELU", "GELU",
           "Dropout2d", "Hardswish", "Hardtanh", "LeakyReLU", "ReLU6", "SiLU", "Softplus",
           "Unflatten"]
