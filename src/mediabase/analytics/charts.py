"""Pictures of the rollups: a retention curve drawn by matplotlib, its object API on the Agg
canvas (no pyplot, no display, no global state: safe in the API's threads)."""

from __future__ import annotations

import io
from typing import Literal

from mediabase.analytics.models import RetentionCurve

DPI = 100
Format = Literal["png", "svg"]


def retention_chart(curve: RetentionCurve, *, width: int = 800, height: int = 450, fmt: Format = "png") -> bytes:
    """The curve as an image of exactly ``width`` × ``height`` pixels (PNG; an SVG of the same
    size at 100 dpi, in points): x the position in percent, y the share of viewers still watching."""
    # imported here: matplotlib takes a second to import, and only a chart needs it (not every
    # command of the CLI, not the API's start)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(curve.shares)))
    ys = [s * 100 for s in curve.shares]
    ax.plot(xs, ys, color="#1f77b4", linewidth=2)
    ax.fill_between(xs, ys, alpha=0.15, color="#1f77b4")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 105)
    ax.set_xlabel("position in the video (%)")
    ax.set_ylabel("viewers still watching (%)")
    title = curve.title if len(curve.title) <= 60 else curve.title[:59] + "…"
    ax.set_title(f"{title} — {curve.viewer_days} viewer-days, {curve.since} to {curve.until}", fontsize=9)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=DPI)
    return out.getvalue()
