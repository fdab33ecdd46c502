"""Render packaging/linux/facekiosk.svg to PNGs (hicolor sizes and the Windows .ico).

Run once after editing the SVG; the PNGs are committed so that builds need no rasteriser.
    .venv/bin/python packaging/linux/render_icon.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (48, 256)


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (QPainter needs a Gui app)
    svg = HERE / "facekiosk.svg"
    for size in SIZES:
        out = HERE / f"facekiosk-{size}.png"
        if not render(svg, size).save(str(out)):
            raise SystemExit(f"cannot write {out}")
        print(out)
    ico = HERE.parent / "windows" / "facekiosk.ico"
    ico.parent.mkdir(exist_ok=True)
    if not render(svg, 256).save(str(ico), "ICO"):
        print("Qt has no ICO writer here; facekiosk.ico not written", file=sys.stderr)
    else:
        print(ico)
    return 0


if __name__ == "__main__":
    sys.exit(main())
