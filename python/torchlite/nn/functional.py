"""torchlite.nn.functional: PyTorch's functional forms of the activations, losses and layers."""
from .._C import _nn_functional as _F

binary_cross_entropy_with_logits = _F.binary_cross_entropy_with_logits
cross_entropy = _F.cross_entropy
dropout = _F.dropout
l1_loss = _F.l1_loss
linear = _F.linear
log_softmax = _F.log_softmax
mse_loss = _F.mse_loss
nll_loss = _F.nll_loss
relu = _F.relu
sigmoid = _F.sigmoid
softmax = _F.softmax
tanh = _F.tanh
