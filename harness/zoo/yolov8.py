"""Object detection: YOLOv8n (Ultralytics' nano scale) on 640×640 RGB, 80 COCO classes.

Written here from Ultralytics' published yolov8.yaml at scale n (depth 0.33, width 0.25): a
CSP backbone of C2f blocks and SPPF, a PAN neck, and the anchor-free decoupled head with DFL box
decoding at strides 8/16/32. The output is what Ultralytics' ONNX export gives, (N, 84, 8400):
per anchor point the box (cx, cy, w, h in pixels) and 80 class scores; non-maximum suppression
is left to the application, as there. ultralytics itself needs torchvision, which does not
import beside this torch, so it is not used."""

from __future__ import annotations

import torch
from torch import nn

from harness.zoo.seeded_model import SeededModel

INPUT_SHAPE = (3, 640, 640)
NUM_CLASSES = 80
SEED = 8640
REG_MAX = 16  # DFL bins per box side
STRIDES = (8, 16, 32)
#: Ultralytics' model summary of yolov8n.pt: 3,157,200 parameters (docs table: 3.2M).
PUBLISHED_PARAMS = 3_157_200


class Conv(nn.Module):
    """Conv2d ("same" padding, no bias) → BatchNorm2d → SiLU."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int = 1, stride: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(out_ch, eps=0.001, momentum=0.03)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return silu(bn(conv(x)))."""
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    """Two 3×3 Convs, with the input added back when `shortcut`."""

    def __init__(self, channels: int, shortcut: bool) -> None:
        super().__init__()
        self.cv1 = Conv(channels, channels, 3)
        self.cv2 = Conv(channels, channels, 3)
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return cv2(cv1(x)) (+ x)."""
        out = self.cv2(self.cv1(x))
        return x + out if self.shortcut else out


class C2f(nn.Module):
    """CSP block: 1×1 Conv split in two halves, n Bottlenecks chained on one, all concatenated."""

    def __init__(self, in_ch: int, out_ch: int, n: int, shortcut: bool) -> None:
        super().__init__()
        self.hidden = out_ch // 2
        self.cv1 = Conv(in_ch, 2 * self.hidden)
        self.cv2 = Conv((2 + n) * self.hidden, out_ch)
        self.m = nn.ModuleList(Bottleneck(self.hidden, shortcut) for _ in range(n))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return cv2(concat(both halves of cv1(x), each bottleneck's output))."""
        parts = list(self.cv1(x).chunk(2, 1))
        for block in self.m:
            parts.append(block(parts[-1]))
        return self.cv2(torch.cat(parts, 1))


class SPPF(nn.Module):
    """Spatial pyramid pooling (fast): three chained 5×5 max-pools, concatenated."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.cv1 = Conv(in_ch, in_ch // 2)
        self.cv2 = Conv(in_ch // 2 * 4, out_ch)
        self.pool = nn.MaxPool2d(5, 1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return cv2(concat(y, pool(y), pool²(y), pool³(y))) with y = cv1(x)."""
        parts = [self.cv1(x)]
        for _ in range(3):
            parts.append(self.pool(parts[-1]))
        return self.cv2(torch.cat(parts, 1))


def _branch(in_ch: int, mid: int, out: int) -> nn.Sequential:
    return nn.Sequential(Conv(in_ch, mid, 3), Conv(mid, mid, 3), nn.Conv2d(mid, out, 1))


class Detect(nn.Module):
    """Anchor-free head: per level a box branch (4 × 16 DFL bins) and a class branch; decoded."""

    def __init__(self, channels: tuple[int, ...], num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        box_mid = max(16, channels[0] // 4, 4 * REG_MAX)
        cls_mid = max(channels[0], min(num_classes, 100))
        self.cv2 = nn.ModuleList(_branch(c, box_mid, 4 * REG_MAX) for c in channels)
        self.cv3 = nn.ModuleList(_branch(c, cls_mid, num_classes) for c in channels)
        # DFL: the expectation over the 16 bins, as a fixed 1×1 conv with weights 0..15
        self.dfl = nn.Conv2d(REG_MAX, 1, 1, bias=False).requires_grad_(False)
        self.num_classes = num_classes

    def reset_dfl(self) -> None:
        """Set the DFL conv to its fixed weights 0..15 (it is not learnt)."""
        with torch.no_grad():
            self.dfl.weight.copy_(torch.arange(REG_MAX, dtype=torch.float32).view(1, REG_MAX, 1, 1))

    def forward(self, feats: list[torch.Tensor]) -> torch.Tensor:
        """Return (N, 4 + classes, anchors): boxes (cx, cy, w, h, pixels) and class scores."""
        batch = feats[0].shape[0]
        boxes, scores, points, strides = [], [], [], []
        for i, x in enumerate(feats):
            h, w = x.shape[2], x.shape[3]
            boxes.append(self.cv2[i](x).view(batch, 4 * REG_MAX, h * w))
            scores.append(self.cv3[i](x).view(batch, self.num_classes, h * w))
            ys, xs = torch.meshgrid(torch.arange(h, dtype=x.dtype) + 0.5,
                                    torch.arange(w, dtype=x.dtype) + 0.5, indexing="ij")
            points.append(torch.stack((xs, ys)).view(2, h * w))
            strides.append(torch.full((1, h * w), float(STRIDES[i]), dtype=x.dtype))
        box = torch.cat(boxes, 2)
        anchors = box.shape[2]
        bins = box.view(batch, 4, REG_MAX, anchors).transpose(2, 1).softmax(1)
        dist = self.dfl(bins).view(batch, 4, anchors)
        left_top, right_bottom = dist.chunk(2, 1)
        point = torch.cat(points, 1).unsqueeze(0)
        top_left, bottom_right = point - left_top, point + right_bottom
        xywh = torch.cat(((top_left + bottom_right) / 2, bottom_right - top_left), 1)
        return torch.cat((xywh * torch.cat(strides, 1), torch.cat(scores, 2).sigmoid()), 1)


class YOLOv8(nn.Module):
    """YOLOv8 at scale n: backbone (P3-P5), PAN neck, Detect head."""

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        c = (16, 32, 64, 128, 256)  # 64..1024 × width 0.25
        self.stem = nn.Sequential(Conv(3, c[0], 3, 2), Conv(c[0], c[1], 3, 2),
                                  C2f(c[1], c[1], 1, True))
        self.p3 = nn.Sequential(Conv(c[1], c[2], 3, 2), C2f(c[2], c[2], 2, True))
        self.p4 = nn.Sequential(Conv(c[2], c[3], 3, 2), C2f(c[3], c[3], 2, True))
        self.p5 = nn.Sequential(Conv(c[3], c[4], 3, 2), C2f(c[4], c[4], 1, True), SPPF(c[4], c[4]))
        self.up = nn.Upsample(scale_factor=2.0, mode="nearest")
        self.top_down4 = C2f(c[4] + c[3], c[3], 1, False)
        self.top_down3 = C2f(c[3] + c[2], c[2], 1, False)
        self.down3 = Conv(c[2], c[2], 3, 2)
        self.bottom_up4 = C2f(c[2] + c[3], c[3], 1, False)
        self.down4 = Conv(c[3], c[3], 3, 2)
        self.bottom_up5 = C2f(c[3] + c[4], c[4], 1, False)
        self.detect = Detect((c[2], c[3], c[4]), num_classes)
        self.detect.reset_dfl()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return (N, 84, 8400) decoded boxes and class scores for images (N, 3, 640, 640)."""
        p3 = self.p3(self.stem(x))
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        n4 = self.top_down4(torch.cat((self.up(p5), p4), 1))
        n3 = self.top_down3(torch.cat((self.up(n4), p3), 1))
        o4 = self.bottom_up4(torch.cat((self.down3(n3), n4), 1))
        o5 = self.bottom_up5(torch.cat((self.down4(o4), p5), 1))
        return self.detect([n3, o4, o5])


MODEL = SeededModel("yolov8n", "YOLOv8n detector (Ultralytics nano), 640×640, 80 classes", YOLOv8,
                    seed=SEED, input_shape=INPUT_SHAPE, num_classes=None,
                    published_params=PUBLISHED_PARAMS, task="detection", calibration_batch=2,
                    params_folded=False)
#: The harness.zoo entry point.
entry = MODEL.entry
