"""The served image model: encoded image bytes in, decoded and preprocessed on the server.

Bound beside the tensor model by `harness serve --image-input` as `<name><image_model_suffix>`:
its one input has the image model's input name and takes one BYTES element (JPEG or PNG) per
sample; the server decodes, converts, resizes and scales each (harness.backends.image_payload)
and runs the same artifact, so a client's measured latency includes the decode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from harness.backends.base import Session
from harness.backends.image_payload import check_image_input, codec, decode_batch, encode_batch
from harness.core.artifact import Artifact


def image_spec(artifact: Artifact) -> tuple[str, tuple[int, int, int], str]:
    """Return the image input's name, (C, H, W) and dtype; UnsupportedError if not an image."""
    from harness.core.errors import UnsupportedError

    if len(artifact.inputs) != 1:
        raise UnsupportedError(
            f"--image-input serves one-input image models; this one takes "
            f"{[s.name for s in artifact.inputs]}.", "Serve it without --image-input.")
    spec = artifact.inputs[0]
    check_image_input(tuple(spec.shape), spec.dtype, spec.name)
    c, h, w = (int(d) for d in spec.shape[1:])
    return spec.name, (c, h, w), spec.dtype


def image_infer_func(session: Session, names: list[str], artifact: Artifact) -> Callable:
    """Return PyTriton's batched infer function: decode every image, then run the session."""
    from pytriton.decorators import batch

    input_name, chw, dtype = image_spec(artifact)
    with_codec = codec()

    @batch
    def infer(**inputs: np.ndarray) -> dict[str, np.ndarray]:
        tensor = decode_batch(inputs[input_name], chw, dtype, with_codec)
        return dict(zip(names, session.run({input_name: tensor}), strict=True))

    return infer


def check_round_trip(session: Session, sample: dict[str, np.ndarray], artifact: Artifact) -> None:
    """Encode the sample as a JPEG, decode it as the server will, and run it once (fails at
    start-up, with the reason, rather than on the first request)."""
    input_name, chw, dtype = image_spec(artifact)
    with_codec = codec()
    images = encode_batch(sample[input_name], "jpeg", 90, with_codec).images
    session.run({input_name: decode_batch(images, chw, dtype, with_codec)})


def image_tensor(tensor_cls: Any, artifact: Artifact) -> Any:
    """Return the PyTriton input Tensor of the image model: one BYTES element per sample."""
    return tensor_cls(name=image_spec(artifact)[0], dtype=np.bytes_, shape=(1,))
