"""torchlite.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR (C++)."""
from .._C._lr_scheduler import (CosineAnnealingLR, ExponentialLR, LRScheduler, MultiStepLR,
                                StepLR)

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "MultiStepLR", "StepLR"]
