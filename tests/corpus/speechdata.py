"""Labelled speech / non-speech chunks for the corpus's Silero VAD models.

    python tests/corpus/speechdata.py --synthesise   # once, needs espeak-ng: writes SPEECH_CLIP
    python tests/corpus/speechdata.py [--dest models/corpus]   # (fetch.py does this) the data sets
    python tests/corpus/speechdata.py --state   # score every chunk with zero vs carried state

The clip (committed, since CI has no espeak-ng) is eight aphorisms of the Zen of Python spoken
by espeak-ng (voices en-us, en-gb, en; seeded speeds), each after 0.4-1.2 s of silence, at
16 kHz, with the clean signal's per-chunk RMS beside it. Labels are per 512-sample chunk (32 ms):
1 where the clean speech's RMS exceeds 0.01 (-40 dBFS), else 0. Rows are what silero-vad's
OnnxWrapper feeds: the chunk after the previous chunk's last 64 samples (576 samples), with
seeded white noise (sigma 0.003) added to the whole clip.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SPEECH_CLIP = HERE / "data" / "zen_speech_16k.npz"
SEED = 20261202
RATE_HZ = 16000
CHUNK, CONTEXT = 512, 64
SPEECH_RMS = 0.01
NOISE_SIGMA = 0.003


def _espeak(text: str, voice: str, words_per_min: int) -> np.ndarray:
    """Return espeak-ng's speech for `text` as float32 samples at 16 kHz."""
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_min), "--stdout", text],
                         capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    t = np.arange(int(len(pcm) * RATE_HZ / rate)) * rate / RATE_HZ
    return np.interp(t, np.arange(len(pcm)), pcm).astype(np.float32)


def synthesise(path: Path = SPEECH_CLIP) -> Path:
    """Write the clip: silences and spoken aphorisms as int16 at 16 kHz (needs espeak-ng)."""
    sys.path.insert(0, str(HERE))
    import textdata

    rng = np.random.default_rng(SEED)
    parts = []
    for i, line in enumerate(textdata.zen_lines()[:8]):
        parts.append(np.zeros(int(rng.uniform(0.4, 1.2) * RATE_HZ), np.float32))
        parts.append(_espeak(line, ("en-us", "en-gb", "en")[i % 3], int(rng.integers(130, 190))))
    clip = np.concatenate([*parts, np.zeros(RATE_HZ // 2, np.float32)])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, pcm_int16=np.round(clip * 32767).astype(np.int16),
                        rate_hz=np.int64(RATE_HZ))
    return path


def vad_set(path: Path = SPEECH_CLIP) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows (N, 576) float32, labels (N,) int64: 1 = speech) from the committed clip."""
    with np.load(path, allow_pickle=False) as f:
        clean = f["pcm_int16"].astype(np.float32) / 32767
    n = len(clean) // CHUNK
    rms = np.sqrt((clean[: n * CHUNK].reshape(n, CHUNK) ** 2).mean(axis=1))
    noisy = clean + np.random.default_rng(SEED).normal(0, NOISE_SIGMA, len(clean))
    chunks = noisy[: n * CHUNK].reshape(n, CHUNK).astype(np.float32)
    context = np.concatenate([np.zeros((1, CONTEXT), np.float32), chunks[:-1, -CONTEXT:]])
    return np.concatenate([context, chunks], axis=1), (rms > SPEECH_RMS).astype(np.int64)


def score_state(model_path: Path) -> dict[str, dict]:
    """Return binary metrics of a Silero VAD file over all chunks, run on onnxruntime directly:
    each chunk from a zero state (as the harness runs rows) and with the state carried from
    chunk to chunk (as silero-vad's OnnxWrapper does)."""
    import onnxruntime as ort

    sys.path.insert(0, str(HERE.parents[1]))
    from harness.accuracy.tasks import binary_metrics

    x, y = vad_set()
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    rate = np.array(RATE_HZ, dtype=np.int64)
    zero, carried = [], []
    state = np.zeros((2, 1, 128), np.float32)
    for row in x:
        feed = {"input": row[None], "sr": rate}
        zero.append(session.run(None, {**feed, "state": np.zeros_like(state)})[0][0])
        out, state = session.run(None, {**feed, "state": state})
        carried.append(out[0])
    return {"zero state": binary_metrics(np.array(zero), y),
            "state carried": binary_metrics(np.array(carried), y)}


#: Model name -> builder of its (inputs, labels), given the corpus folder.
BUILDERS = {"silero_vad_v5": lambda dest: vad_set(), "silero_vad_op18": lambda dest: vad_set()}


def main(argv: list[str] | None = None) -> int:
    """Synthesise the clip (--synthesise) or build the VAD data sets from it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthesise", action="store_true", help="write the clip with espeak-ng")
    ap.add_argument("--dest", default="models/corpus")
    ap.add_argument("--state", action="store_true", help="zero vs carried state, all chunks")
    ns = ap.parse_args(argv)
    if ns.state:
        for name in BUILDERS:
            for how, m in score_state(Path(ns.dest) / f"{name}.onnx").items():
                print(f"{name:<16} {how:<14} {m['value']:.3f} (balanced "
                      f"{m['balanced_accuracy']:.3f}, precision {m['precision']:.3f}, recall "
                      f"{m['recall']:.3f}) over {len(vad_set()[1])} chunks")
        return 0
    if ns.synthesise:
        print(f"wrote {synthesise()}")
        return 0
    sys.path.insert(0, str(HERE))
    import textdata

    for name, builder in BUILDERS.items():
        print(f"ok      {name:<22} {textdata.save(name, Path(ns.dest), *builder(Path(ns.dest)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
