"""torchlite.models: torchvision 0.14's resnet18/34/50, alexnet, vgg11_bn and mobilenet_v2 (C++),
built as torchvision builds them (`models.resnet18(num_classes=10)`), without pretrained weights.

The models' forward runs in Python over their children, so that a replaced head
(`model.fc = nn.Linear(512, 2)`, `model.classifier = ...`) takes part as in PyTorch; the blocks
inside (BasicBlock, Bottleneck, InvertedResidual) run their C++ forward, whose children cannot be
replaced.
"""
from . import _C
from ._C._models import (AlexNet, BasicBlock, Bottleneck, Conv2dNormActivation, InvertedResidual,
                         MobileNetV2, ResNet, VGG)
from ._C._nn_functional import adaptive_avg_pool2d as _adaptive_avg_pool2d

_M = _C._models

__all__ = ["AlexNet", "MobileNetV2", "ResNet", "VGG", "alexnet", "mobilenet_v2", "resnet18",
           "resnet34", "resnet50", "vgg11_bn"]


def _builder(name, build):
    def builder(*args, weights=None, progress=True, **kwargs):
        # torchvision 0.14 still takes the legacy `pretrained` (positional or keyword).
        pretrained = kwargs.pop("pretrained", args[0] if args else False)
        if weights is not None or pretrained:
            raise RuntimeError(f"torchlite.models.{name}: pretrained weights are not available "
                               "(torchlite downloads nothing); load a state_dict instead")
        return build(**kwargs)
    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = f"torchvision.models.{name}(*, weights=None, progress=True, **kwargs)"
    return builder


resnet18 = _builder("resnet18", _M.resnet18)
resnet34 = _builder("resnet34", _M.resnet34)
resnet50 = _builder("resnet50", _M.resnet50)
alexnet = _builder("alexnet", _M.alexnet)
vgg11_bn = _builder("vgg11_bn", _M.vgg11_bn)
mobilenet_v2 = _builder("mobilenet_v2", _M.mobilenet_v2)


def _resnet_forward(self, x):
    x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
    x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
    return self.fc(self.avgpool(x).flatten(1))


def _features_classifier_forward(self, x):
    return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _mobilenet_forward(self, x):
    return self.classifier(_adaptive_avg_pool2d(self.features(x), (1, 1)).flatten(1))


def _fixed_children_setattr(self, name, value):
    if isinstance(value, _C.Module) and self._get(name) is not None:
        raise RuntimeError(f"torchlite: {type(self).__name__}.{name} cannot be replaced (the "
                           "block's C++ forward holds its children)")
    _C.Module.__setattr__(self, name, value)


ResNet.forward = _resnet_forward
AlexNet.forward = VGG.forward = _features_classifier_forward
MobileNetV2.forward = _mobilenet_forward
for _block in (BasicBlock, Bottleneck, InvertedResidual):
    _block.__setattr__ = _fixed_children_setattr
del _block
