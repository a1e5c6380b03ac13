"""The committed speech clip and the VAD chunks built from it: deterministic, labelled both ways."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
_spec = importlib.util.spec_from_file_location("corpus_speechdata", HERE / "speechdata.py")
speechdata = importlib.util.module_from_spec(_spec)
sys.modules["corpus_speechdata"] = speechdata
_spec.loader.exec_module(speechdata)


def test_clip_is_committed_small_and_16k() -> None:
    assert speechdata.SPEECH_CLIP.stat().st_size < 1_000_000
    with np.load(speechdata.SPEECH_CLIP, allow_pickle=False) as f:
        assert int(f["rate_hz"]) == 16000 and f["pcm_int16"].dtype == np.int16
        assert 20 < len(f["pcm_int16"]) / 16000 < 30  # 24 s of audio


def test_vad_rows_are_context_plus_chunk_with_both_labels() -> None:
    x, y = speechdata.vad_set()
    x2, y2 = speechdata.vad_set()
    assert x.shape == (len(y), 576) and x.dtype == np.float32 and (x == x2).all()
    assert (y == y2).all() and set(y.tolist()) == {0, 1} and 0.4 < y.mean() < 0.7
    assert (x[0, :64] == 0).all() and (x[1:, :64] == x[:-1, -64:]).all()
    quiet, loud = np.abs(x[y == 0]).mean(), np.abs(x[y == 1]).mean()
    assert loud > 5 * quiet  # speech chunks carry the energy
