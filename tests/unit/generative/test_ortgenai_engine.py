"""engine=onnxruntime_genai on a tiny llama (2 layers, hidden 64, random weights): the session
contract (exact token counts, on_token per step, close), the build cache, and the fp32 build's
logits against transformers on the same weights (a faithful conversion agrees fully)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.core.errors import ConfigError, MeasurementError, ModelError
from harness.generative.config import GenModelConfig
from harness.generative.engine import ENGINES, create_engine
from harness.generative.ortgenai_build import build_dir, build_model

pytest.importorskip("onnxruntime_genai", reason="onnxruntime-genai is not installed (extra "
                    "'genai-ort')")
pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")
pytestmark = pytest.mark.slow  # the module's fixture runs the model builder once (~15 s)

# initializer_range 0.3: logits far from flat, so attention and MLP errors would show.
TINY = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, head_dim=16, vocab_size=512, max_position_embeddings=256,
            tie_word_embeddings=True, initializer_range=0.3, rms_norm_eps=1e-5)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> GenModelConfig:
    return GenModelConfig(name="tiny_llama", config=TINY,
                          cache_dir=str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def session(model: GenModelConfig):
    s = create_engine("onnxruntime_genai").load(model)  # fp32, built once for the module
    yield s
    s.close()


def test_generates_exactly_max_new_tokens_with_one_on_token_per_step(session) -> None:
    calls: list[int] = []
    out = session.generate(list(range(3, 15)), 7, calls.append)
    assert len(out) == 7 and calls == [1] * 7
    assert all(0 <= t < session.vocab_size for t in out)
    calls.clear()
    batch = session.generate_batch([[5, 6, 7, 8], [9, 10, 11, 12], [1, 2, 3, 4]], 5,
                                   calls.append)
    assert [len(x) for x in batch] == [5, 5, 5] and calls == [3] * 5
    assert batch[0] == session.generate([5, 6, 7, 8], 5, lambda n: None)


def test_fp32_build_matches_transformers_on_the_same_random_weights(model, session) -> None:
    from harness.generative.quality import token_quality

    reference = create_engine("transformers").load(model)
    try:
        ids = [int(x) for x in np.random.default_rng(0).integers(3, 512, size=24)]
        ref, got = reference.logits(ids), session.logits(ids)
        assert got.shape == (24, 512) and got.dtype == np.float32
        assert np.abs(ref - got).max() < 1e-3 * np.abs(ref).max()
        q = token_quality(reference, session, [ids, ids[::-1]])
        assert q["agreement"] == 1.0 and q["kl_mean_nats"] < 1e-6, q
        assert session.generate(ids, 6, lambda n: None) == reference.generate(
            ids, 6, lambda n: None)  # greedy decoding takes the same path
    finally:
        reference.close()


def test_a_second_load_reuses_the_cached_build(model, session) -> None:
    first = session.describe()
    again = create_engine("onnxruntime_genai").load(model)
    try:
        d = again.describe()
    finally:
        again.close()
    built = Path(d["built_model_dir"])
    assert built.parent == Path(model.cache_dir) / "generative" / "ortgenai"
    assert built.name.endswith("-fp32") and (built / "genai_config.json").is_file()
    assert d["build_cache_hit"] is True and d["build_s"] == 0.0
    assert first["first_build_s"] > 0 and d["first_build_s"] == first["first_build_s"]
    assert d["engine"] == "onnxruntime-genai" and d["execution_provider"] == "cpu"
    assert d["weights"] == "random (seeded)" and d["weight_format"] == "fp32"
    attention = 2 * 64 * 64 + 2 * 64 * 32  # q, o; k, v (2 key-value heads of 16)
    layer = attention + 3 * 64 * 128 + 2 * 64  # + gate/up/down + two norms
    assert d["parameter_count"] == 512 * 64 + 2 * layer + 64  # tied embedding, final norm
    assert d["model_file_bytes"] > 4 * d["parameter_count"] * 0.9


def test_tokenize_uses_the_folder_tokenizer(session) -> None:
    from harness.generative.hf_model import load_tokenizer

    text = "for x in range(10):\n    print(x)"
    ids = session.tokenize(text)
    assert ids and all(isinstance(i, int) and 0 <= i < session.vocab_size for i in ids)
    assert load_tokenizer(str(session.folder)).decode(ids) == text


def test_a_closed_session_refuses_to_generate(model) -> None:
    s = create_engine("onnxruntime_genai").load(model)
    s.close()
    with pytest.raises(MeasurementError, match="closed"):
        s.generate([1, 2, 3], 2, lambda n: None)


def test_unknown_weight_format_is_a_config_error_naming_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="int3") as exc:
        ENGINES.get("onnxruntime_genai")({"weight_format": "int3"})
    assert all(f in str(exc.value) for f in ("fp32", "int8", "int4"))
    with pytest.raises(ConfigError, match="execution_provider=npu"):
        ENGINES.get("onnxruntime_genai")({"execution_provider": "npu"})
    with pytest.raises(ConfigError, match="Valid options"):
        ENGINES.get("onnxruntime_genai")({"precision": "int4"})


def test_a_format_the_cpu_build_lacks_is_refused_before_building(model) -> None:
    engine = create_engine("onnxruntime_genai", {"weight_format": "fp16"})
    with pytest.raises(ConfigError, match="fp32, int8, int4"):
        engine.load(model, "cpu")


def test_build_folders_are_named_for_source_format_provider_and_options(tmp_path) -> None:
    src = tmp_path / "my-model"
    assert build_dir("C", src, "int4", "cpu", {}) == Path("C/generative/ortgenai/my-model-int4")
    assert build_dir("C", src, "fp16", "cuda", {}).name == "my-model-fp16-cuda"
    named = build_dir("C", src, "int4", "cpu", {"block_size": 128}).name
    assert named.startswith("my-model-int4-") and named != build_dir(
        "C", src, "int4", "cpu", {"block_size": 64}).name


def test_a_folder_the_builder_cannot_convert_is_a_model_error(session, tmp_path) -> None:
    import json
    import shutil

    folder = tmp_path / "gpt2ish"
    shutil.copytree(session.folder, folder)
    config = json.loads((folder / "config.json").read_text())
    config.update(architectures=["GPT2LMHeadModel"], model_type="gpt2")
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="could not convert") as exc:
        build_model(folder, tmp_path / "cache", "fp32", "cpu", {}, "test")
    assert "architecture" in str(exc.value)
    assert not list((tmp_path / "cache" / "generative" / "ortgenai").iterdir())  # no debris
