"""Encoded-image payloads: an image model's input tensor as JPEG/PNG bytes, and back.

The image convention is the harness's own (image-folder data sets load it): a float tensor
(N, C, H, W), C = 1 (grey) or 3 (RGB), values in [0, 1]. Encoding maps each sample to 8-bit
pixels (x * 255, rounded, clipped to 0..255: values outside [0, 1] are clipped, and the share
clipped is reported) and compresses it with Pillow, else OpenCV; decoding is the server's
preprocessing: decode, convert to grey/RGB, resize to the model's H x W when the image differs,
scale to [0, 1], HWC -> CHW. Both ends pick whichever codec is installed (Pillow comes with
matplotlib, a core dependency)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from harness.core.errors import BackendUnavailable, UnsupportedError

ENCODINGS = ("raw", "jpeg", "png")
FIX = "pip install pillow (or opencv-python-headless)."


@dataclass(frozen=True)
class EncodedBatch:
    """One request's images: an (N, 1) object array of bytes, its size and the clipped share."""

    images: np.ndarray
    image_bytes: int
    clipped_share: float


def codec() -> str:
    """Return 'pillow' or 'opencv', whichever imports here; BackendUnavailable if neither."""
    try:
        import PIL.Image  # noqa: F401
        return "pillow"
    except ImportError:
        pass
    try:
        import cv2  # noqa: F401
        return "opencv"
    except ImportError as exc:
        raise BackendUnavailable("Encoded-image payloads need Pillow or OpenCV; neither is "
                                 "installed.", FIX) from exc


def check_image_input(shape: tuple[int, ...], dtype: str, name: str) -> None:
    """Raise UnsupportedError unless the input is an (N, 1|3, H, W) float image tensor."""
    if len(shape) != 4 or shape[1] not in (1, 3) or not np.dtype(dtype).kind == "f":
        raise UnsupportedError(
            f"An encoded-image payload needs one image input (N, 1|3, H, W) float; the model's "
            f"input '{name}' is {list(shape)} {dtype}.",
            "Use target.options.payload=raw for this model (it sends the tensor as it is).")


def _pixels(sample: np.ndarray) -> np.ndarray:
    """Return one (C, H, W) [0, 1] sample as (H, W) or (H, W, 3) uint8 pixels."""
    pixels = np.clip(np.rint(sample.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)
    return pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0)


def encode_one(pixels: np.ndarray, fmt: str, quality: int, with_codec: str) -> bytes:
    """Return uint8 pixels (H, W) or (H, W, 3) RGB encoded as JPEG or PNG bytes."""
    if with_codec == "pillow":
        from PIL import Image

        buf = io.BytesIO()
        image = Image.fromarray(pixels)
        if fmt == "jpeg":
            image.save(buf, format="JPEG", quality=quality)
        else:
            image.save(buf, format="PNG")
        return buf.getvalue()
    import cv2

    bgr = pixels if pixels.ndim == 2 else pixels[:, :, ::-1]
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if fmt == "jpeg" else []
    ok, data = cv2.imencode(".jpg" if fmt == "jpeg" else ".png", bgr, params)
    if not ok:
        raise UnsupportedError(f"OpenCV could not encode a {pixels.shape} image as {fmt}.",
                               "Use target.options.payload=raw.")
    return data.tobytes()


def encode_batch(tensor: np.ndarray, fmt: str, quality: int, with_codec: str) -> EncodedBatch:
    """Return the batch (N, C, H, W) as N encoded images, their total bytes and clipped share."""
    clipped = float(np.mean((tensor < 0.0) | (tensor > 1.0))) if tensor.size else 0.0
    blobs = [encode_one(_pixels(sample), fmt, quality, with_codec) for sample in tensor]
    images = np.empty((len(blobs), 1), dtype=object)
    for i, blob in enumerate(blobs):
        images[i, 0] = blob
    return EncodedBatch(images, sum(len(b) for b in blobs), clipped)


def decode_one(blob: bytes, chw: tuple[int, int, int], with_codec: str) -> np.ndarray:
    """Return encoded image bytes as a (C, H, W) float32 tensor in [0, 1] (resized to H x W)."""
    channels, height, width = chw
    if with_codec == "pillow":
        from PIL import Image

        with Image.open(io.BytesIO(blob)) as img:
            img = img.convert("L" if channels == 1 else "RGB")
            if img.size != (width, height):
                img = img.resize((width, height), Image.BILINEAR)
            pixels = np.asarray(img)
    else:
        import cv2

        flag = cv2.IMREAD_GRAYSCALE if channels == 1 else cv2.IMREAD_COLOR
        pixels = cv2.imdecode(np.frombuffer(blob, np.uint8), flag)
        if pixels is None:
            raise UnsupportedError("OpenCV could not decode the image bytes.",
                                   "Send JPEG or PNG bytes.")
        pixels = pixels if channels == 1 else pixels[:, :, ::-1]
        if pixels.shape[:2] != (height, width):
            pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_LINEAR)
    out = pixels.astype(np.float32) / 255.0
    return out[None] if out.ndim == 2 else out.transpose(2, 0, 1)


def decode_batch(images: np.ndarray, chw: tuple[int, int, int], dtype: str,
                 with_codec: str) -> np.ndarray:
    """Return an (N, 1) array of encoded images as the model's (N, C, H, W) input tensor."""
    blobs = [bytes(b) for b in np.asarray(images, dtype=object).reshape(len(images), -1)[:, 0]]
    return np.stack([decode_one(b, chw, with_codec) for b in blobs]).astype(np.dtype(dtype))
