"""Draws the site's icons (a white note on the accent colour) into public/: favicon.ico and the home-screen icon.

    .venv/bin/python scripts/make_icons.py

Run again after changing the design's accent colour; the files are committed, so a deploy needs no Pillow step.
"""

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = "#a1206b"  # --accent in static/css/site.css
PUBLIC = Path(__file__).resolve().parent.parent / "public"


def draw(size):
    scale = 8  # drawn large, then reduced, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle([0, 0, big - 1, big - 1], radius=big // 5, fill=ACCENT)
    unit = big / 32
    # An eighth note: a tilted head, a stem and a flag.
    pen.ellipse([8 * unit, 19 * unit, 17 * unit, 26 * unit], fill="white")
    pen.rectangle([14.5 * unit, 6 * unit, 17 * unit, 23 * unit], fill="white")
    pen.polygon([(17 * unit, 6 * unit), (24 * unit, 10 * unit), (24 * unit, 14 * unit), (17 * unit, 10.5 * unit)], fill="white")
    return image.resize((size, size), Image.LANCZOS)


def main():
    PUBLIC.mkdir(exist_ok=True)
    draw(64).save(PUBLIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # iOS puts its own rounded corners on the home-screen icon: an opaque square.
    touch = Image.new("RGB", (180, 180), ACCENT)
    touch.paste(draw(180), (0, 0), draw(180))
    touch.save(PUBLIC / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
