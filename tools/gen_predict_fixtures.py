#!/usr/bin/python3
"""Writes tests/fixtures/predict/: images made with PIL 9.4 (every mode torchvision's loader
converts, odd sizes in both orientations, images that upscale, broken files) and what
torchvision 0.14 makes of them (Image.open(f).convert("RGB"), Resize(256), CenterCrop(224),
ToTensor, Normalize), plus PIL's bilinear resize of small random arrays to many sizes.

Run with /usr/bin/python3 (torch 1.13, torchvision 0.14, Pillow 9.4) from the repository root.
"""
import json
import os
import struct
import zlib

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "predict")
IMAGES = os.path.join(OUT, "images")


def fnv1a(data: bytes) -> str:
    """64-bit FNV-1a, which the C++ test recomputes."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def pattern(h, w, seed, noise=6):
    """A smooth picture with a little noise (realistic for JPEG; PNGs take less to stay small)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = []
    for c in range(3):
        fx, fy, ph = rng.uniform(0.01, 0.08), rng.uniform(0.01, 0.08), rng.uniform(0, 6)
        v = 127 + 100 * np.sin(fx * x + ph) * np.cos(fy * y)
        v += 3 * noise * np.sin((x + y) * 0.3 * (c + 1))
        chans.append(v)
    img = np.stack(chans, -1) + rng.integers(-noise, noise + 1, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path, arr, color_type, depth, palette=None):
    """A PNG written by hand, for the layouts PIL cannot write (16-bit colour, 2- and 4-bit):
    arr is [h, w, channels] (or [h, w]) of samples below 2**depth."""
    arr = arr.reshape(arr.shape[0], arr.shape[1], -1)
    h, w, _ = arr.shape
    lines = []
    for y in range(h):
        row = arr[y].reshape(-1)
        if depth == 16:
            data = row.astype(">u2").tobytes()
        elif depth == 8:
            data = row.astype(np.uint8).tobytes()
        else:
            per = 8 // depth
            padded = np.zeros(-(-len(row) // per) * per, np.uint8)
            padded[: len(row)] = row
            packed = np.zeros(len(padded) // per, np.uint8)
            for i in range(per):
                packed |= (padded[i::per] << (8 - depth * (i + 1))).astype(np.uint8)
            data = packed.tobytes()
        lines.append(b"\x00" + data)
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0))
    if palette is not None:
        out += png_chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    out += png_chunk(b"IDAT", zlib.compress(b"".join(lines), 9)) + png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def make_images():
    os.makedirs(IMAGES, exist_ok=True)
    files = {}

    def save(name, img, **kw):
        img.save(os.path.join(IMAGES, name), **kw)
        files[name] = True

    rgb = Image.fromarray(pattern(241, 320, 1))
    save("rgb_landscape.jpg", rgb, quality=90)
    save("rgb_portrait.png", Image.fromarray(pattern(263, 197, 2, 1)), optimize=True)
    save("progressive.jpg", Image.fromarray(pattern(250, 250, 3)), quality=85, progressive=True)
    save("gray.jpg", Image.fromarray(pattern(300, 260, 4)).convert("L"), quality=90)
    save("gray.png", Image.fromarray(pattern(257, 230, 5, 1)).convert("L"), optimize=True)
    rgba = np.dstack([pattern(256, 300, 6, 1), np.linspace(0, 255, 300, dtype=np.uint8)[None, :]
                      .repeat(256, 0)])
    save("rgba.png", Image.fromarray(rgba, "RGBA"))
    la = Image.fromarray(pattern(280, 256, 7, 1)).convert("LA")
    save("la.png", la)
    pal = Image.fromarray(pattern(256, 271, 8, 1)).quantize(64)
    save("palette.png", pal, transparency=0)
    save("bw.png", Image.fromarray(pattern(70, 90, 9)).convert("1"))
    g16 = (np.arange(120 * 100, dtype=np.uint32).reshape(120, 100) % 700).astype(np.uint16)
    save("gray16.png", Image.fromarray(g16))
    rng = np.random.default_rng(10)

    def noise16(h, w, c, seed):
        return (pattern(h, w, seed).astype(np.uint16)[..., :c] * 257 +
                rng.integers(0, 256, (h, w, c)).astype(np.uint16))

    hand = {
        "rgb16.png": (noise16(48, 64, 3, 10), 2, 16, None),
        "rgba16.png": (np.dstack([noise16(40, 30, 3, 15), noise16(40, 30, 1, 16)]), 6, 16, None),
        "la16.png": (np.dstack([noise16(33, 45, 1, 17), noise16(33, 45, 1, 18)]), 4, 16, None),
        "gray2.png": (pattern(37, 29, 19)[..., 0] // 64, 0, 2, None),
        "palette4.png": (pattern(31, 43, 20)[..., 1] // 16, 3, 4,
                         rng.integers(0, 256, (16, 3))),
    }
    for name, (arr, color_type, depth, palette) in hand.items():
        write_png(os.path.join(IMAGES, name), arr, color_type, depth, palette)
        files[name] = True
    save("cmyk.jpg", Image.fromarray(pattern(250, 240, 11)).convert("CMYK"), quality=90)
    save("small.png", Image.fromarray(pattern(30, 40, 12)))
    save("small_tall.jpg", Image.fromarray(pattern(50, 21, 13)), quality=95)
    save("exact256.png", Image.fromarray(pattern(300, 256, 14, 1)))
    return sorted(files)


def make_broken():
    with open(os.path.join(IMAGES, "rgb_landscape.jpg"), "rb") as f:
        jpg = f.read()
    with open(os.path.join(IMAGES, "rgb_portrait.png"), "rb") as f:
        png = f.read()
    broken = {
        "truncated.jpg": jpg[: len(jpg) * 6 // 10],
        "truncated.png": png[: len(png) * 6 // 10],
        "not_image.jpg": b"this is not an image\n",
        "empty.png": b"",
    }
    for name, data in broken.items():
        with open(os.path.join(IMAGES, name), "wb") as f:
            f.write(data)
        try:
            Image.open(os.path.join(IMAGES, name)).convert("RGB")
            raise SystemExit(f"PIL reads {name}")
        except (OSError, SyntaxError):
            pass
    return sorted(broken)


def rows(arr, ys):
    return {str(y): arr[y].reshape(-1)[:48].tolist() for y in ys}


def stage(arr):
    ys = [0, arr.shape[0] // 2, arr.shape[0] - 1]
    return {"shape": list(arr.shape), "fnv": fnv1a(arr.tobytes()), "rows": rows(arr, ys)}


def expected(names):
    resize, crop = transforms.Resize(256), transforms.CenterCrop(224)
    to_tensor = transforms.ToTensor()
    norm = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    out = {}
    for name in names:
        with open(os.path.join(IMAGES, name), "rb") as f:
            img = Image.open(f).convert("RGB")
        r = resize(img)
        c = crop(r)
        t = norm(to_tensor(c))
        bits = t.contiguous().numpy().view(np.uint32)
        out[name] = {
            "decoded": stage(np.asarray(img)),
            "resized": stage(np.asarray(r)),
            "cropped": stage(np.asarray(c)),
            "normalized": {"fnv": fnv1a(t.contiguous().numpy().tobytes()),
                           "row100": [f"{b:08x}" for b in bits[:, 100, :40].reshape(-1)]},
        }
    return out


def resize_cases():
    rng = np.random.default_rng(0)
    cases = []
    for (h, w, c), sizes in [
        ((17, 23, 3), [(5, 7), (17, 11), (29, 23), (40, 9), (1, 1), (16, 22)]),
        ((64, 48, 3), [(21, 13), (256, 192), (63, 47)]),
        ((9, 300, 1), [(9, 37), (3, 256)]),
    ]:
        a = rng.integers(0, 256, (h, w, c), dtype=np.uint8)
        img = Image.fromarray(a[..., 0] if c == 1 else a)
        outs = []
        for oh, ow in sizes:
            r = np.asarray(img.resize((ow, oh), Image.BILINEAR))
            outs.append({"size": [oh, ow], "hex": r.tobytes().hex()})
        cases.append({"shape": [h, w, c], "hex": a.tobytes().hex(), "outputs": outs})
    return cases


def main():
    names = make_images()
    broken = make_broken()
    data = {"images": expected(names), "broken": broken, "resize": resize_cases()}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
