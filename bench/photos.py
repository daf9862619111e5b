"""Photo ingest benchmark: ours against a naive pipeline and against a floor, in one run.

    .venv/bin/python bench/photos.py [--photos 4] [--repeats 3]

Generates 12-megapixel JPEGs (4032 x 3024, quality 90, EXIF with GPS, drawn with some sensor
noise so that they compress like photos), then times, per photo and interleaved so that a
busy machine slows all three alike:

- ours:  homelog.photos.images.make_renditions (sniff, bound, draft, reduce once, orient,
         rebuild from pixels, WebP display and a thumbnail made from it) and both files
         written through the local photo store, as an upload does;
- naive: Image.open, ImageOps.exif_transpose, full-size decode, resize to 1600 px with
         LANCZOS, save; then the same again from the start for the 320 px thumbnail (same
         WebP settings as ours, same store);
- floor: a bare decode of the JPEG reduced to the display size with Image.draft (libjpeg's
         DCT scaling), and nothing else.

Reports the median of each, the ratios (targets: ours <= 0.35 x naive, ours <= 4 x floor),
and the peak memory of one ingest of each pipeline, each in a fresh process, from the kernel's
high-water mark (Pillow allocates image memory in C, where tracemalloc does not see it): the
rise over the process's level once the photo's bytes were read (target: ours < 150 MB).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from homelog.photos import images  # noqa: E402  (after the path is set)
from homelog.photos.storage import LocalPhotoStore  # noqa: E402

WIDTH, HEIGHT = 4032, 3024  # 12.2 megapixels, a phone's default
TARGET_VS_NAIVE = 0.35
TARGET_VS_FLOOR = 4.0
TARGET_MEMORY_MB = 150


# --- the photos ------------------------------------------------------------------------------

def _exif(seed: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"  # Make
    exif[0x0110] = "Model 12"  # Model
    exif[0x0132] = "2026:11:26 10:00:00"  # DateTime
    exif[0x0112] = 6 if seed % 2 else 1  # half of them stored on their side, as phones do
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 26.0 + seed)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    return exif


def make_photo(seed: int) -> bytes:
    """A 12 MP JPEG at quality 90 with EXIF and GPS: a room-like scene with sensor noise."""
    rng = random.Random(seed)
    small = Image.new("RGB", (WIDTH // 8, HEIGHT // 8), (rng.randrange(150, 220),) * 3)
    draw = ImageDraw.Draw(small)
    for _ in range(60):  # furniture, cupboards, clutter
        x, y = rng.randrange(small.width), rng.randrange(small.height)
        w, h = rng.randrange(10, 160), rng.randrange(10, 120)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.rectangle if rng.random() < 0.6 else draw.ellipse
        shape((x, y, x + w, y + h), fill=colour, outline=(30, 30, 30))
    scene = small.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    scene = scene.filter(ImageFilter.GaussianBlur(2))
    # Texture and sensor noise in each channel: without it the JPEG is a fifth of the 3-6 MB
    # a phone writes, and decodes and encodes unrealistically fast.
    noise = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), 40) for _ in range(3)])
    photo = Image.blend(scene, noise, 0.3)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90, exif=_exif(seed))
    return out.getvalue()


# --- the pipelines ---------------------------------------------------------------------------

def ours(data: bytes, store: LocalPhotoStore) -> None:
    renditions = images.make_renditions(data)
    store.put(renditions.display.data)
    store.put(renditions.thumb.data)


def _naive_rendition(data: bytes, edge: int, quality: int, store: LocalPhotoStore) -> None:
    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image)  # loads (decodes) the full image and rotates it
    image.load()
    scale = edge / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    resized = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    resized.save(out, "WEBP", quality=quality, method=images.WEBP_METHOD)
    store.put(out.getvalue())


def naive(data: bytes, store: LocalPhotoStore) -> None:
    _naive_rendition(data, images.DISPLAY_EDGE, images.DISPLAY_QUALITY, store)
    _naive_rendition(data, images.THUMB_EDGE, images.THUMB_QUALITY, store)


def floor(data: bytes, store: LocalPhotoStore) -> None:
    image = Image.open(io.BytesIO(data))
    scale = images.DISPLAY_EDGE / max(image.size)
    image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
    image.load()


PIPELINES: dict[str, Callable[[bytes, LocalPhotoStore], None]] = {
    "ours": ours, "naive": naive, "floor": floor}


# --- timing and memory -----------------------------------------------------------------------

def time_pipelines(photos: list[bytes], repeats: int, store: LocalPhotoStore
                   ) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in PIPELINES}
    order = list(PIPELINES)
    for photo in photos:  # warm up (imports, allocator, disk) on the first photo
        for name in order:
            PIPELINES[name](photo, store)
        break
    for repeat in range(repeats):
        for index, photo in enumerate(photos):
            shift = (repeat + index) % len(order)  # rotate who goes first
            for name in order[shift:] + order[:shift]:
                start = time.perf_counter()
                PIPELINES[name](photo, store)
                times[name].append(time.perf_counter() - start)
    return times


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(name: str, path: str) -> None:
    """Run one ingest in this (fresh) process; print its peak memory, in MB.

    ru_maxrss would carry the parent's peak across fork and exec, so the kernel's high-water
    mark of this process is reset just before the ingest (/proc/self/clear_refs) and read
    after it: "rise" is what the ingest itself added at its peak.
    """
    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        store = LocalPhotoStore(Path(folder))
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        before = _status_mb("VmRSS")
        PIPELINES[name](data, store)
        peak = _status_mb("VmHWM")
    print(json.dumps({"before_mb": before, "peak_mb": peak, "rise_mb": peak - before}))


def measure_memory(name: str, photo_path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--memory-child", name, str(photo_path)],
        check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_output(photo: bytes) -> None:
    """Ours must give what the issue asks: 1600 / 320 px, upright, no metadata."""
    result = images.make_renditions(photo)
    for rendition, edge in ((result.display, images.DISPLAY_EDGE),
                            (result.thumb, images.THUMB_EDGE)):
        image = Image.open(io.BytesIO(rendition.data))
        assert max(image.size) == edge, image.size
        assert not image.info.get("exif") and not image.getexif(), "EXIF survived"
        assert b"GPS" not in rendition.data and b"BenchPhone" not in rendition.data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-child", nargs=2, metavar=("PIPELINE", "FILE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return

    print(f"Generating {args.photos} photos of {WIDTH} x {HEIGHT} "
          f"({WIDTH * HEIGHT / 1e6:.1f} MP), JPEG quality 90 with EXIF and GPS...")
    photos = [make_photo(seed) for seed in range(args.photos)]
    sizes = ", ".join(f"{len(photo) / 1e6:.1f}" for photo in photos)
    print(f"  sizes (MB): {sizes}")
    check_output(photos[0])

    with tempfile.TemporaryDirectory() as folder:
        store = LocalPhotoStore(Path(folder) / "photos")
        times = time_pipelines(photos, args.repeats, store)
        photo_path = Path(folder) / "photo.jpg"
        photo_path.write_bytes(photos[0])
        memory = {name: measure_memory(name, photo_path) for name in PIPELINES}

    medians = {name: statistics.median(values) for name, values in times.items()}
    samples = len(times["ours"])
    print(f"\nMedian ingest time per photo ({samples} samples each, interleaved):")
    for name in PIPELINES:
        print(f"  {name:<6} {medians[name] * 1000:8.1f} ms   peak memory of one ingest "
              f"{memory[name]['rise_mb']:6.1f} MB (process {memory[name]['peak_mb']:.0f} MB)")
    vs_naive = medians["ours"] / medians["naive"]
    vs_floor = medians["ours"] / medians["floor"]
    ours_peak = memory["ours"]["rise_mb"]
    print("\nRatios:")
    print(f"  ours / naive = {vs_naive:.3f}   (target <= {TARGET_VS_NAIVE})  "
          f"{'ok' if vs_naive <= TARGET_VS_NAIVE else 'MISSED'}")
    print(f"  ours / floor = {vs_floor:.2f}    (target <= {TARGET_VS_FLOOR})  "
          f"{'ok' if vs_floor <= TARGET_VS_FLOOR else 'MISSED'}")
    print(f"  ours peak memory per ingest = {ours_peak:.0f} MB (target < {TARGET_MEMORY_MB})  "
          f"{'ok' if ours_peak < TARGET_MEMORY_MB else 'MISSED'}")
    print(f"  (a process's level before an ingest, Homelog and Pillow imported and the photo "
          f"read: {memory['ours']['before_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
