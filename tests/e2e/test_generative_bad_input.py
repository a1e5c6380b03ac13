"""Bad generative input through the real CLI: each a one-paragraph reason with the fix, in a
failed record, while the good runs of the same sweep keep their results."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import bench, records
from tests.e2e.gen_tiny import LENGTHS, TINY, TINY_SHAPE

pytest.importorskip("transformers", reason="transformers is not installed (extra 'hf')")

PLUGIN = '''
from harness.core.probe import Probe
from harness.generative.engine import GenerativeEngine


class MissingEngine(GenerativeEngine):
    """An engine whose runtime is not installed here."""

    name = "missing"
    extra = "missing_runtime"

    def probe(self):
        return Probe(False, "the missing_runtime package is not installed")

    def version(self):
        return ""

    def load(self, model, device="cpu"):
        raise AssertionError("never loaded: the probe failed")
'''


def _one_paragraph(reason: str) -> None:
    assert reason and "\n" not in reason.strip() and "Traceback" not in reason


def _by(recs: list[dict], key: str) -> dict:
    return {str(_dig(r["config"], key)): r for r in recs}


def _dig(config: dict, key: str) -> object:
    for part in key.split("."):
        config = config[part]
    return config


@pytest.fixture(scope="module")
def lengths_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """One sweep over input 8/40 x output 4/0 tokens on a 32-token context: one good run."""
    tmp = tmp_path_factory.mktemp("lengths")
    proc = bench(tmp, "-m", *TINY, "scenario=gen_single_stream",
                 "generative.model.config.max_position_embeddings=32",
                 "generative.prompts.requests=2", "generative.prompts.input_tokens=8,40",
                 "generative.prompts.output_tokens=4,0")
    assert proc.returncode == 0, proc.stderr[-3000:]  # a good run is there: not a failed sweep
    return tmp, records(tmp)


def test_a_prompt_longer_than_the_context(lengths_sweep: tuple[Path, list[dict]]) -> None:
    _, recs = lengths_sweep
    by = {(r["config"]["generative"]["prompts"]["input_tokens"],
           r["config"]["generative"]["prompts"]["output_tokens"]): r for r in recs}
    bad = by[(40, 4)]
    assert bad["status"] == "failed"
    _one_paragraph(bad["reason"])
    assert "longer than the model's context of 32 tokens" in bad["reason"]
    assert "Lower generative.prompts.input_tokens" in bad["reason"]
    assert by[(8, 4)]["status"] == "ok" and by[(8, 4)]["generative"]["traces"]  # kept


def test_an_output_length_of_zero(lengths_sweep: tuple[Path, list[dict]]) -> None:
    tmp, recs = lengths_sweep
    zero = [r for r in recs if r["config"]["generative"]["prompts"]["output_tokens"] == 0]
    assert len(zero) == 2 and {r["status"] for r in zero} == {"failed"}
    for record in zero:
        _one_paragraph(record["reason"])
        assert "output_tokens=0" in record["reason"] and "N >= 1" in record["reason"]
    summary = next((tmp / "results").rglob("summary.md")).read_text()
    assert summary.count(": failed: ") == 3 and "| ok |" in summary  # all four in the summary


def test_a_model_folder_without_a_tokenizer(tmp_path: Path) -> None:
    from transformers import AutoConfig, AutoModelForCausalLM

    folder = tmp_path / "no_tokenizer"
    shape = dict(o.split(".")[-1].split("=") for o in TINY_SHAPE)
    config = AutoConfig.for_model("llama", **{k: int(v) for k, v in shape.items()})
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    proc = bench(tmp_path, "model=llm_folder", f"model.path={folder}",
                 "scenario=gen_single_stream", "generative.prompts.requests=2",
                 "meter=estimated", "isolation=none")
    (record,) = records(tmp_path)
    assert proc.returncode == 1  # nothing succeeded: the sweep says so
    assert record["status"] == "failed"
    _one_paragraph(record["reason"])
    assert "has no tokenizer" in record["reason"] and "tokenizer.save_pretrained" in \
        record["reason"]


def test_an_unknown_or_missing_engine(tmp_path: Path) -> None:
    (tmp_path / "gen_missing.py").write_text(PLUGIN)  # importable from the run's folder
    proc = bench(tmp_path, "-m", *TINY, *LENGTHS, "scenario=gen_single_stream",
                 "generative.prompts.requests=2",
                 "generative.engine=transformers,transformer,gen_missing:MissingEngine,"
                 "not_a_module:Engine")
    assert proc.returncode == 0, proc.stderr[-3000:]
    by = _by(records(tmp_path), "generative.engine")
    assert by["transformers"]["status"] == "ok"  # the good run keeps its result
    typo = by["transformer"]["reason"]
    assert "Did you mean 'transformers'?" in typo
    missing = by["gen_missing:MissingEngine"]["reason"]
    assert "cannot run here: the missing_runtime package is not installed" in missing
    assert "pip install -e '.[missing_runtime]'" in missing
    absent = by["not_a_module:Engine"]["reason"]
    assert "cannot be imported here" in absent and "not_a_module" in absent
    for reason in (typo, missing, absent):
        _one_paragraph(reason)
