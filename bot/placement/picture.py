"""The skill matrix as a PNG, drawn with Pillow and Pillow's own font, so it looks the same anywhere.

One row per skill: the level as a coloured bar on the new → senior scale, and the track's progress
as a thin bar with a marker at the current week.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Protocol

from PIL import Image, ImageDraw, ImageFont

SCALE = ("new", "entry", "mid", "senior")
COLOURS = {"new": (158, 158, 158), "entry": (244, 162, 97), "mid": (42, 157, 143), "senior": (38, 70, 83)}
BACKGROUND, STRIPE, GRID = (255, 255, 255), (245, 246, 250), (214, 218, 226)
INK, MUTED, TRACK = (33, 37, 41), (120, 126, 134), (88, 101, 242)

WIDTH, MARGIN, TOP, ROW = 960, 24, 92, 40
NAME_X, BAR_X, BAR_W, TRACK_X, TRACK_W = MARGIN, 270, 420, 720, 170


class MatrixRow(Protocol):
    """What the picture needs of a row (bot.placement.matrix.Row)."""

    @property
    def title(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def step(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def track(self) -> str: ...


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # Pillow's bundled font: no system fonts involved


def render_matrix(rows: Sequence[MatrixRow], title: str = "Skill matrix") -> bytes:
    """The PNG bytes for these rows."""
    height = TOP + ROW * len(rows) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 18), title, fill=INK, font=_font(24))
    _header(draw)
    for index, row in enumerate(rows):
        top = TOP + index * ROW
        if index % 2 == 0:
            draw.rectangle((0, top, WIDTH, top + ROW - 1), fill=STRIPE)
        draw.text((NAME_X, top + ROW // 2), _fit(draw, row.title, BAR_X - NAME_X - 12), fill=INK, font=_font(16),
                  anchor="lm")
        _level_bar(draw, top, row.level)
        _track_bar(draw, top, row)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int) -> str:
    """The text, cut with an ellipsis until it fits the width."""
    font = _font(16)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _header(draw: ImageDraw.ImageDraw) -> None:
    small = _font(13)
    segment = BAR_W / len(SCALE)
    for i, name in enumerate(SCALE):
        centre = BAR_X + segment * (i + 0.5)
        draw.text((centre, TOP - 14), name, fill=COLOURS[name], font=small, anchor="mm")
    draw.text((TRACK_X, TOP - 14), "track progress", fill=MUTED, font=small, anchor="lm")
    draw.text((NAME_X, TOP - 14), "skill", fill=MUTED, font=small, anchor="lm")


def _level_bar(draw: ImageDraw.ImageDraw, top: int, level: str | None) -> None:
    y0, y1 = top + 10, top + ROW - 10
    draw.rounded_rectangle((BAR_X, y0, BAR_X + BAR_W, y1), radius=6, fill=BACKGROUND, outline=GRID)
    segment = BAR_W / len(SCALE)
    if level not in SCALE:
        draw.text((BAR_X + BAR_W / 2, (y0 + y1) / 2), "not assessed", fill=MUTED, font=_font(13), anchor="mm")
        return
    for i in range(1, len(SCALE)):
        x = BAR_X + round(segment * i)
        draw.line((x, y0 + 2, x, y1 - 2), fill=GRID)
    end = BAR_X + round(segment * (SCALE.index(level) + 1))
    draw.rounded_rectangle((BAR_X, y0, end, y1), radius=6, fill=COLOURS[level])
    draw.text((end - 8, (y0 + y1) / 2), level, fill=BACKGROUND, font=_font(13), anchor="rm")


def _track_bar(draw: ImageDraw.ImageDraw, top: int, row: MatrixRow) -> None:
    middle = top + ROW // 2
    small = _font(13)
    if not row.track or row.total <= 0:
        draw.text((TRACK_X, middle), "no track", fill=MUTED, font=small, anchor="lm")
        return
    draw.rounded_rectangle((TRACK_X, middle - 4, TRACK_X + TRACK_W, middle + 4), radius=4, fill=GRID)
    x = TRACK_X + round(TRACK_W * min(row.step, row.total) / row.total)
    if x > TRACK_X:
        draw.rounded_rectangle((TRACK_X, middle - 4, x, middle + 4), radius=4, fill=TRACK)
    draw.ellipse((x - 7, middle - 7, x + 7, middle + 7), fill=TRACK, outline=BACKGROUND, width=2)  # you are here
    label = "done" if row.track == "finished" else f"{min(row.step, row.total)}/{row.total}"
    draw.text((TRACK_X + TRACK_W + 14, middle), label, fill=INK, font=small, anchor="lm")
