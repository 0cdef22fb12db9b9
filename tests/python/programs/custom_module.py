# Subclassing nn.Module as PyTorch users do (d2l 5.1-5.2): layers and Parameters assigned as
# attributes, forward in Python, nesting both ways with C++ modules, state_dict,
# named_parameters, apply, and parameters() feeding an optimizer.
import torch
from torch import nn
from torch.nn import functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))
        self.register_buffer("calls", torch.zeros(1))
        self.scale = 2

    def forward(self, X):
        self.calls += 1
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)

    def extra_repr(self):
        return f"in={self.weight.shape[0]}, out={self.weight.shape[1]}"


torch.manual_seed(0)
X = torch.rand(2, 20)
net = MLP()
print(net)
print(net(X))
print(FixedHiddenMLP()(X))
chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
print(chimera)
print(chimera(X))
print([(name, p.shape) for name, p in chimera.named_parameters()])
print(chimera.state_dict().keys())

dense = MyLinear(5, 3)
print(dense)
print(dense.weight)
print(dense(torch.rand(2, 5)))
print(dense.state_dict())
print(dense.calls, dense.scale)
print(list(dense.named_buffers()))
net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
print(net(torch.rand(2, 64)))


def init_constant(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


def init_xavier(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)


block = NestMLP()
block.apply(init_xavier)
print(block.net[0].weight.data[0])
block.net.apply(init_constant)
print(block.net[2].weight.data[0, :4], block.net[2].bias.data[:4])
print([type(m).__name__ for m in block.modules()])

model = MLP()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
data, target = torch.randn(32, 20), torch.randint(0, 10, (32,))
loss_fn = nn.CrossEntropyLoss()
for step in range(5):
    opt.zero_grad()
    loss = loss_fn(model(data), target)
    loss.backward()
    opt.step()
    print(f"step {step}, loss {loss.item():.4f}")
model.eval()
print(model.training, model.hidden.training)
with torch.no_grad():
    print(model(data[:2]).argmax(dim=1))
print(model.load_state_dict(model.state_dict()))
del model.out
print(model)
