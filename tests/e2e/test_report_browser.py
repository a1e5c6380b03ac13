"""The decision reports in a real browser (headless Chromium): the first screen (1280x800)
holds every model's verdict, nothing is wider than the window, and no two pieces of text
overlap (boxes read from the DOM, the inline SVG plots' labels included).

A script injected into a copy of the page measures the boxes and writes the result into
document.title, which `chromium --dump-dom` prints; no driver package is needed. Chromium is
installed from the Debian packages where it is missing (as root); the test skips, saying why,
when that fails.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.summary import write_html_report
from tests.unit.report.records_factory import make_record, write_records

pytestmark = pytest.mark.slow

MODELS = ("kws", "vww", "resnet8", "autoencoder", "digits")
TARGETS = ("cpu", "torch_cpu", "openvino_cpu", "executorch_xnnpack")
CHECK = """<script>(function () {
  const boxes = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const text = node.textContent.trim(), el = node.parentElement;
    if (!text || !el || el.closest('script,style')) continue;
    let rects;
    if (el.closest('svg')) { rects = [el.getBoundingClientRect()]; }
    else { const r = document.createRange(); r.selectNodeContents(node);
           rects = Array.from(r.getClientRects()); }
    for (const b of rects) if (b.width > 0.5 && b.height > 0.5)
      boxes.push({t: text.slice(0, 50), n: node, x0: b.left, y0: b.top, x1: b.right,
                  y1: b.bottom});
  }
  const hits = [];
  boxes.sort((a, b) => a.y0 - b.y0);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (b.y0 >= a.y1) break;
    if (a.n === b.n) continue;
    const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
    const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    if (w > 2 && h > 2 && hits.length < 20) hits.push([a.t, b.t, Math.round(w), Math.round(h)]);
  }
  const rows = Array.from(document.querySelectorAll('tr.model-verdict')).map(
    r => [r.getAttribute('data-model'), Math.round(r.getBoundingClientRect().bottom)]);
  document.title = 'EHCHECK' + JSON.stringify({height: window.innerHeight,
    width: window.innerWidth, scroll_width: document.documentElement.scrollWidth,
    texts: boxes.length, overlaps: hits, rows: rows,
    svg_texts: document.querySelectorAll('svg text').length});
})();</script>"""


def chromium() -> str:
    """Return the Chromium binary, installing the Debian package first where it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("Chromium is not installed and the test is not root, so it cannot run "
                    "apt-get install -y chromium; install it to run this test")
    for cmd in (["apt-get", "install", "-y", "chromium"], ["apt-get", "update"],
                ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if done.returncode == 0 and shutil.which("chromium"):
            return str(shutil.which("chromium"))
    pytest.skip(f"Chromium is missing and apt-get install -y chromium failed: "
                f"{done.stderr.strip()[-300:]}")


def measure(page: Path, tmp: Path) -> dict:
    """Return what the injected script measured in `page` at a 1280x800 window."""
    probe = tmp / f"probe-{page.name}"
    probe.write_text(page.read_text().replace("</body>", CHECK + "</body>"))
    done = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", "--window-size=1280,800", "--dump-dom",
                           probe.as_uri()], capture_output=True, text=True, timeout=120)
    title = re.search(r"<title>EHCHECK(.*?)</title>", done.stdout, re.S)
    assert title, f"Chromium gave no result (rc {done.returncode}): {done.stderr[-500:]}"
    return json.loads(html.unescape(title.group(1)))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A device sweep (5 models x fp32/int8 x 4 targets, estimated energy, int8 gated) and a
    datacenter folder (each model in fp32 on another host, measured energy)."""
    tmp = tmp_path_factory.mktemp("browser")
    gate = {"target": 0.99, "metric": "cosine", "ratio": 0.999, "passed": True}
    dev = [make_record(m, q, t, median_ms=0.1 * (i + 1) * (j + 1) * (0.6 if q != "fp32" else 1),
                       provenance="estimated", seed=10 * i + j,
                       gate=gate if q != "fp32" else None)
           for i, m in enumerate(MODELS) for q in ("fp32", "int8_static")
           for j, t in enumerate(TARGETS)]
    dc = [make_record(m, "fp32", "cuda", median_ms=0.05 * (i + 1), host="server", seed=i)
          for i, m in enumerate(MODELS)]
    return write_records(tmp / "dev", dev), write_records(tmp / "dc", dc)


def check(result: dict) -> None:
    """Assert every model's verdict is on the first screen, nothing overflows, nothing overlaps."""
    assert [m for m, _ in result["rows"]] == sorted(MODELS)
    assert all(bottom <= result["height"] for _, bottom in result["rows"]), result
    assert result["scroll_width"] <= result["width"], result
    assert result["svg_texts"] > 50  # the plots' text is in the DOM, so it was checked too
    assert result["overlaps"] == [], result["overlaps"]


def test_sweep_report_answers_on_the_first_screen(folders: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    page = write_html_report(folders[0])
    assert "no latency–energy plot is drawn" in page.read_text()
    check(measure(page, tmp_path))


def test_deploy_report_answers_on_the_first_screen(folders: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as done:
        main(["deploy", "--device", str(folders[0]), "--datacenter", str(folders[1]),
              "--out", str(tmp_path), "--html"])
    assert done.value.code == 0
    text = (tmp_path / "deployment.html").read_text()
    assert "crossovers" in text and "Every cost input and its source" in text
    assert "<script src" not in text and "http" not in text.split("<body>")[0]
    check(measure(tmp_path / "deployment.html", tmp_path))


def test_the_overlap_check_sees_overlapping_text(tmp_path: Path) -> None:
    page = tmp_path / "overlap.html"
    page.write_text("<html><body><p style='position:absolute;top:0'>first text</p>"
                    "<svg width='200' height='50'><text x='5' y='20'>svg label</text>"
                    "<text x='9' y='22'>svg label 2</text></svg></body></html>")
    found = measure(page, tmp_path)["overlaps"]
    assert any(a == "svg label" for a, _, _, _ in found), found
