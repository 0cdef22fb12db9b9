"""torchlite.autograd: what torch.autograd has that torchlite's first-order engine can answer."""


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=False, is_grads_batched=False):
    """torch.autograd.grad: not available. torchlite's C++ engine accumulates into the leaves'
    .grad (Tensor.backward) and records no graph of the backward pass."""
    raise RuntimeError("torchlite.autograd.grad is not supported: torchlite's autograd engine "
                       "accumulates gradients into the leaves' .grad only (use backward()), and "
                       "computes first-order gradients only (no create_graph=True)")
