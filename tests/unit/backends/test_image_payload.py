"""Encoded-image payloads: the client's encode and the server's decode, with the real codec."""

from __future__ import annotations

import numpy as np
import pytest

from harness.backends.image_payload import (
    check_image_input,
    codec,
    decode_batch,
    encode_batch,
)
from harness.backends.remote_config import RemoteOptions
from harness.core.errors import ConfigError, UnsupportedError

pytest.importorskip("PIL", reason="Pillow is not installed (matplotlib brings it)")


def _images(n: int = 2, c: int = 3, size: int = 32) -> np.ndarray:
    """Smooth images in [0, 1] (gradients), the kind a codec compresses."""
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    planes = [x, y, (x + y) / 2][:c]
    return np.stack([np.stack(planes) * (0.5 + 0.5 * i / max(n - 1, 1)) for i in range(n)]
                    ).astype(np.float32)


def test_png_round_trip_is_exact_to_8_bits() -> None:
    batch = _images()
    encoded = encode_batch(batch, "png", 90, codec())
    assert encoded.images.shape == (2, 1) and encoded.clipped_share == 0.0
    assert encoded.image_bytes == sum(len(b) for b in encoded.images[:, 0])
    back = decode_batch(encoded.images, (3, 32, 32), "float32", codec())
    assert back.shape == batch.shape and back.dtype == np.float32
    assert np.abs(back - batch).max() <= 0.5 / 255 + 1e-6  # 8-bit rounding only


def test_jpeg_is_smaller_than_the_tensor_and_close_to_it() -> None:
    batch = _images(1, 3, 96)
    encoded = encode_batch(batch, "jpeg", 90, codec())
    assert encoded.image_bytes < batch.nbytes / 10
    back = decode_batch(encoded.images, (3, 96, 96), "float32", codec())
    assert np.abs(back - batch).mean() < 0.02


def test_grey_images_and_resizing_on_decode() -> None:
    batch = _images(1, 1, 64)
    encoded = encode_batch(batch, "png", 90, codec())
    back = decode_batch(encoded.images, (1, 32, 32), "float32", codec())  # server resizes
    assert back.shape == (1, 1, 32, 32)


def test_values_outside_the_image_range_are_clipped_and_counted() -> None:
    batch = np.full((1, 3, 8, 8), 0.5, dtype=np.float32)
    batch[0, 0, :4] = 2.0  # half of one plane of three: 1/6 of the values
    encoded = encode_batch(batch, "png", 90, codec())
    assert encoded.clipped_share == pytest.approx(1 / 6)
    back = decode_batch(encoded.images, (3, 8, 8), "float32", codec())
    assert back.max() == pytest.approx(1.0)


@pytest.mark.parametrize("shape,dtype", [((1, 40), "float32"), ((1, 2, 8, 8), "float32"),
                                         ((1, 3, 8, 8), "int64")])
def test_a_model_that_takes_no_image_is_refused_with_the_fix(shape: tuple, dtype: str) -> None:
    with pytest.raises(UnsupportedError) as err:
        check_image_input(shape, dtype, "input")
    assert "payload=raw" in err.value.hint


def test_remote_options_name_the_image_model_and_check_the_payload() -> None:
    opts = RemoteOptions(url="grpc://localhost:8001", model_name="vww", payload="jpeg")
    assert opts.served_name == "vww_image"
    assert RemoteOptions(url="grpc://localhost:8001", model_name="vww").served_name == "vww"
    with pytest.raises(ConfigError, match="webp"):
        RemoteOptions(url="grpc://localhost:8001", model_name="vww", payload="webp")
    with pytest.raises(ConfigError, match="quality"):
        RemoteOptions(url="grpc://localhost:8001", model_name="vww", payload_quality=0)
