"""torchlite.nn.init: the in-place initialisers, drawing PyTorch 1.13's values."""
from .._C import _nn_init as _I

_calculate_fan_in_and_fan_out = _I._calculate_fan_in_and_fan_out
calculate_gain = _I.calculate_gain
constant_ = _I.constant_
dirac_ = _I.dirac_
eye_ = _I.eye_
kaiming_normal_ = _I.kaiming_normal_
kaiming_uniform_ = _I.kaiming_uniform_
normal_ = _I.normal_
ones_ = _I.ones_
orthogonal_ = _I.orthogonal_
trunc_normal_ = _I.trunc_normal_
uniform_ = _I.uniform_
xavier_normal_ = _I.xavier_normal_
xavier_uniform_ = _I.xavier_uniform_
zeros_ = _I.zeros_
