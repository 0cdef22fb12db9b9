"""PyTorch twins of torchlite's character language models (include/torchlite/models/char_lm.h),
its text data (include/torchlite/data/text.h) and of `torchlite train|generate --model char-*`:
the same module tree and state-dict keys, the same draws in the same order, the same loop.
Used by tools/gen_char_lm_fixtures.py and bench/workloads_torch.py (W12-W14).
"""
import collections
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


def build_vocab(text):
    """d2l 0.17's Vocab over characters: '<unk>' at 0, then by descending count, ties by first
    appearance (Counter keeps insertion order and sorted() is stable)."""
    counts = collections.Counter(text)
    return ["<unk>"] + [c for c, _ in sorted(counts.items(), key=lambda kv: kv[1], reverse=True)]


def encode(tokens, text):
    index = {t: i for i, t in enumerate(tokens)}
    return [index.get(c, 0) for c in text]


class TextWindows(Dataset):
    """Non-overlapping windows: example i is (ids[i*c : i*c+c], ids[i*c+1 : i*c+c+1])."""

    def __init__(self, ids, context):
        self.ids = torch.tensor(ids, dtype=torch.int64)
        self.context = context

    def __len__(self):
        return (len(self.ids) - 1) // self.context

    def __getitem__(self, i):
        s = i * self.context
        return self.ids[s:s + self.context], self.ids[s + 1:s + self.context + 1]


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, d_model, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.lstm = nn.LSTM(d_model, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embedding(x), state)
        return self.head(out), state


class CharGPT(nn.Module):
    """Decoder-only Transformer: token + learned position embeddings, pre-norm encoder layers
    under a causal mask, a final LayerNorm and a linear head."""

    def __init__(self, vocab_size, context, d_model, heads, hidden, layers, dropout=0.0):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=hidden, dropout=dropout,
                                       batch_first=True, norm_first=True)
            for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, x):
        t = x.size(1)
        h = self.token_embedding(x) + self.position_embedding(torch.arange(t))
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        for layer in self.layers:
            h = layer(h, src_mask=mask)
        return self.head(self.norm(h))


def make_model(config):
    if config["model"] == "char-lstm":
        return CharLSTM(config["vocab_size"], config["d_model"], config["hidden"],
                        config["layers"])
    return CharGPT(config["vocab_size"], config["context"], config["d_model"], config["heads"],
                   config["hidden"], config["layers"])


def logits_of(model, x):
    out = model(x)
    return out[0] if isinstance(out, tuple) else out


def train(model, ids, context, batch_size, lr, steps, clip=1.0):
    """`torchlite train` on text: Adam, cross entropy over every position, clip_grad_norm_,
    shuffled windows from the default generator; returns the loss of each step."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(TextWindows(ids, context), batch_size=batch_size, shuffle=True)
    losses = []
    while len(losses) < steps:
        for x, y in loader:
            logits = logits_of(model, x)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


@torch.no_grad()
def generate_greedy(model, config, prompt_ids, n):
    """`torchlite generate --temperature 0`: the LSTM carries its state token by token, the GPT
    re-runs its last `context` tokens. Returns the new ids and the smallest top-2 logit gap."""
    model.eval()
    ids, gap = list(prompt_ids), math.inf
    state = None
    x = torch.tensor([ids])
    for _ in range(n):
        if config["model"] == "char-lstm":
            logits, state = model(x, state)
        else:
            logits = model(torch.tensor([ids[-config["context"]:]]))
        top = logits[0, -1].topk(2).values
        gap = min(gap, float(top[0] - top[1]))
        nxt = int(logits[0, -1].argmax())
        ids.append(nxt)
        x = torch.tensor([[nxt]])
    return ids[len(prompt_ids):], gap
