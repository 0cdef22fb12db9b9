"""The torchvision side of tests/cli/test_predict.cpp (run with /usr/bin/python3, torch 1.13 and
torchvision 0.14): `write DIR IMAGE...` saves a randomly initialised resnet18's state dict to
DIR/resnet18.pth (its fc scaled so that the softmax is peaked and the top 5 well apart), the
top-5 classes and probabilities torchvision's ImageNet pipeline gives for each image to
DIR/expected.json, and checkpoints of resnet34 and of resnet18(num_classes=10) for inspect.
"""
import json
import sys

import torch
import torchvision
from PIL import Image
from torchvision import transforms


def main():
    out, images = sys.argv[2], sys.argv[3:]
    torch.manual_seed(3)
    model = torchvision.models.resnet18()
    with torch.no_grad():
        model.fc.weight.mul_(40)
        model.fc.bias.mul_(40)
    model.eval()
    torch.save(model.state_dict(), f"{out}/resnet18.pth")
    preprocess = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    expected = {}
    for path in images:
        with open(path, "rb") as f:
            x = preprocess(Image.open(f).convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            p = torch.softmax(model(x), 1)[0]
        top = torch.topk(p, 5)
        expected[path] = [[int(i), float(v)] for v, i in zip(top.values, top.indices)]
    with open(f"{out}/expected.json", "w") as f:
        json.dump(expected, f)
    torch.save(torchvision.models.resnet34().state_dict(), f"{out}/resnet34.pth")
    torch.save(torchvision.models.resnet18(num_classes=10).state_dict(), f"{out}/resnet18_10.pth")


if __name__ == "__main__":
    assert sys.argv[1] == "write"
    main()
