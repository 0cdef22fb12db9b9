# The seed's second program: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)) initialised with
# net.apply(init_weights), one forward and backward, and its state_dict.
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
print(net)
loss = net(torch.randn(8, 1, 28, 28)).pow(2).mean()
print(loss)
loss.backward()
print(net.state_dict())
print(net[1].weight.grad.shape, net[1].bias.grad)
