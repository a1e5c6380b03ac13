"""quant=int8_static_vww_mixed names real nodes of the VWW export: its first ten Convs."""

from __future__ import annotations

from pathlib import Path

import onnx
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from harness.config import BenchConfig, register_configs
from harness.core.cache import ArtifactCache
from harness.export.formats import fp32_artifact
from harness.models.source import load_model
from harness.quantise.config import Recipe
from harness.run.hydra_app import CONFIG_DIR


def _cfg() -> BenchConfig:
    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return OmegaConf.to_object(compose("config", overrides=[
            "model=vww", "quant=int8_static_vww_mixed", "target=cpu"]))


def test_excluded_nodes_are_the_first_convs_of_the_vww_export(tmp_path: Path) -> None:
    cfg = _cfg()
    quant = cfg.quant
    assert quant.recipe is Recipe.int8_static and quant.per_channel
    model = load_model(cfg.model, tmp_path)
    fp32 = fp32_artifact(model, ("onnx",), cfg.model, ArtifactCache(tmp_path / "cache"))
    convs = [n.name for n in onnx.load(str(fp32.path)).graph.node if n.op_type == "Conv"]
    assert len(convs) == 27  # stem + 13 depthwise-separable blocks
    # An exporter that renames nodes would silently turn the preset into plain int8_static.
    assert quant.nodes_to_exclude == convs[:10]
