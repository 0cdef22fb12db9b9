#!/usr/bin/python3
"""Trains tiny character language models with real PyTorch 1.13, exactly as
`torchlite train --model char-lstm|char-gpt` does (twins in bench/char_lm_torch.py), and writes
what tests/cli/test_char_lm.cpp compares. Run with /usr/bin/python3 (the default python3 has no
torch):

    /usr/bin/python3 tools/gen_char_lm_fixtures.py tests/fixtures/char_lm

text.txt: the training text (the start of the fortunes package's `tao`, plus a few non-ASCII
characters).
<model>.pt: torch.save({'model': state_dict, 'vocab': [tokens], 'config': {...}}) after STEPS
steps from seed 0 (what `torchlite train --save` writes).
char_lm.json: for each model, its command-line options, the first 25 step losses, and the 100
characters greedy generation continues PROMPT with (plus the smallest top-2 logit gap seen, so
that a reader can judge how far float rounding is from flipping a choice).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import char_lm_torch as lm  # noqa: E402

SOURCE = "/usr/share/games/fortunes/tao"
PROMPT = "The "
STEPS = 300  # enough for clear choices in greedy generation; the test follows the first 25
CHECKED_STEPS = 25
CONFIGS = {
    "char-lstm": {"context": 16, "d_model": 16, "hidden": 32, "layers": 2, "heads": 1},
    "char-gpt": {"context": 16, "d_model": 32, "hidden": 64, "layers": 2, "heads": 4},
}
BATCH, LR = 8, 0.01


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(SOURCE, encoding="utf-8") as f:
        text = f.read()[:3000] + "Naïve café — 道.\n"
    with open(os.path.join(out, "text.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    tokens = lm.build_vocab(text)
    ids = lm.encode(tokens, text)
    result = {"prompt": PROMPT, "batch_size": BATCH, "lr": LR, "vocab": tokens}
    for name, sizes in CONFIGS.items():
        config = {"model": name, "vocab_size": len(tokens), **sizes}
        torch.manual_seed(0)
        model = lm.make_model(config)
        losses = lm.train(model, ids, config["context"], BATCH, LR, STEPS)
        torch.save({"model": model.state_dict(), "vocab": tokens, "config": config},
                   os.path.join(out, name + ".pt"))
        new_ids, gap = lm.generate_greedy(model, config, lm.encode(tokens, PROMPT), 100)
        result[name] = {
            "config": config,
            "losses": losses[:CHECKED_STEPS],
            "final_loss": losses[-1],
            "generated": "".join(tokens[i] for i in new_ids),
            "min_top2_gap": gap,
        }
        print(name, losses[0], losses[CHECKED_STEPS - 1], losses[-1], "gap", gap)
        print(repr(result[name]["generated"]))
    with open(os.path.join(out, "char_lm.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
