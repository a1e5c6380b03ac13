"""Greedy placement of point labels that do not collide (pure geometry, display pixels).

Each label, in the order given, takes the first candidate position around its point (right,
left, above, below and the diagonals, then the same farther out) whose box stays inside the
axes and overlaps no label placed before it and no point marker. A label with no free position
is left out, and the caller says so beside the plot.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y up
DIRECTIONS = ((1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1), (0, -1))
REACH = (1.0, 2.5, 4.5)


def overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    """Return True when boxes a and b, each grown by `pad` px, intersect."""
    return (a[0] - pad < b[2] and b[0] - pad < a[2] and a[1] - pad < b[3]
            and b[1] - pad < a[3])


def candidate(x: float, y: float, w: float, h: float, dx: int, dy: int, gap: float) -> Box:
    """Return the box of a w x h label beside point (x, y) in direction (dx, dy) at `gap` px."""
    x0 = x + gap if dx > 0 else (x - gap - w if dx < 0 else x - w / 2)
    y0 = y + gap if dy > 0 else (y - gap - h if dy < 0 else y - h / 2)
    return x0, y0, x0 + w, y0 + h


def inside(box: Box, bounds: Box) -> bool:
    """Return True when `box` lies within `bounds`."""
    return (box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2]
            and box[3] <= bounds[3])


def place(points: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]],
          bounds: Box, gap: float = 4.0, marker: float = 4.0, pad: float = 1.5
          ) -> list[Box | None]:
    """Return per label the box it takes (pixels), or None where no candidate is free."""
    markers = [(x - marker, y - marker, x + marker, y + marker) for x, y in points]
    placed: list[Box] = []
    out: list[Box | None] = []
    for (x, y), (w, h) in zip(points, sizes, strict=True):
        chosen = None
        for reach in REACH:
            for dx, dy in DIRECTIONS:
                box = candidate(x, y, w, h, dx, dy, gap * reach + marker)
                if inside(box, bounds) and not any(overlap(box, b, pad)
                                                   for b in placed + markers):
                    chosen = box
                    break
            if chosen:
                break
        if chosen:
            placed.append(chosen)
        out.append(chosen)
    return out
