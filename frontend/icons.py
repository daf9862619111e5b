"""Draws the app's icons (run by hand when the design changes; the PNGs are committed).

    python frontend/icons.py

Plain and high-contrast: a white house on the app's dark blue. The maskable icons keep the
house inside the central 80% circle that every launcher shape leaves visible.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (11, 61, 92)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent / "public" / "icons"


def house(size: int, scale: float) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE)
    draw = ImageDraw.Draw(image)
    unit = size * scale / 10  # the house is drawn on a 10 x 10 grid, centred

    def at(x: float, y: float) -> tuple[float, float]:
        return (size / 2 + (x - 5) * unit, size / 2 + (y - 5) * unit)

    draw.polygon([at(5, 0.6), at(9.6, 4.6), at(0.4, 4.6)], fill=WHITE)  # roof
    draw.rectangle([at(1.6, 4.4), at(8.4, 9.4)], fill=WHITE)  # walls
    draw.rectangle([at(4.0, 6.2), at(6.0, 9.4)], fill=BLUE)  # door
    draw.rectangle([at(2.4, 5.6), at(3.4, 6.6)], fill=BLUE)  # window
    draw.rectangle([at(6.6, 5.6), at(7.6, 6.6)], fill=BLUE)  # window
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        house(size, 0.78).save(OUT / f"icon-{size}.png", optimize=True)
        house(size, 0.56).save(OUT / f"maskable-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
