# The seed's first program: nn.Linear(2, 2), its state_dict, bias, bias.data, bias.grad and
# named_parameters.
import torch
from torch import nn

for seed in (0, 1, 42):
    torch.manual_seed(seed)
    net = nn.Linear(2, 2)
    print(net.state_dict())
    print(net.bias)
    print(net.bias.data)
    print(net.bias.grad)
    print(list(net.named_parameters()))
    for name, param in net.named_parameters():
        print(name, param.size())
    net(torch.randn(3, 2)).sum().backward()
    print(net.bias.grad)
    print(net.weight.grad)
