"""Marker shapes for server-drawn SVG charts, so a series or a signal can be told
apart without colour (A11Y: not by colour alone). The run chart and the fidelity
small multiples draw the same shapes."""

from __future__ import annotations


def _r(value: float) -> float:
    return round(value, 1)


def marker_path(shape: str, x: float, y: float, size: float) -> str:
    """An SVG path for a marker centred on (x, y), about 2 x `size` across: square,
    triangle, triangle-down, diamond, plus, or else a circle."""
    s = size
    if shape == "square":
        s = size * 0.9
        return f"M{_r(x - s)},{_r(y - s)} h{_r(2 * s)} v{_r(2 * s)} h{_r(-2 * s)} Z"
    if shape in ("triangle", "triangle-down"):
        s = size * 1.2
        sign = 1 if shape == "triangle" else -1
        tip, base = _r(y - sign * s), _r(y + sign * s * 0.8)
        return f"M{_r(x)},{tip} L{_r(x + s)},{base} L{_r(x - s)},{base} Z"
    if shape == "diamond":
        s = size * 1.25
        top, right, bottom, left = _r(y - s), _r(x + s), _r(y + s), _r(x - s)
        return f"M{_r(x)},{top} L{right},{_r(y)} L{_r(x)},{bottom} L{left},{_r(y)} Z"
    if shape == "plus":
        a, b = size * 1.2, size * 0.45
        return (
            f"M{_r(x - b)},{_r(y - a)} h{_r(2 * b)} v{_r(a - b)} h{_r(a - b)} v{_r(2 * b)} "
            f"h{_r(b - a)} v{_r(a - b)} h{_r(-2 * b)} v{_r(b - a)} h{_r(b - a)} v{_r(-2 * b)} "
            f"h{_r(a - b)} Z"
        )
    return f"M{_r(x - s)},{_r(y)} a{s},{s} 0 1,0 {_r(2 * s)},0 a{s},{s} 0 1,0 {_r(-2 * s)},0 Z"
