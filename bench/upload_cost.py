"""Upload-cost benchmark (issue 14): time and peak-memory growth of checking and merging one material.

    .venv/bin/python bench/upload_cost.py

Each case runs in a fresh interpreter (so its peak resident memory is its own) through the documents service's
check-and-merge path, the part of an upload that costs CPU and memory; nothing is stored. Cases: the issue's ten
7700×7700 PNGs (about 200 KB each), a PDF with 95,000 objects, a PDF whose stream inflates past pypdf's limit, and
a legitimate material at the pixel budget (four 25-megapixel colour scans). Not a test: pytest does not collect it.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smevoucher.settings")
import django
django.setup()
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents import checks, services
files = [(name, open(path, "rb").read()) for name, path in json.loads(sys.argv[1])]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    budget = checks.Budget()
    services.merge(services._check_all(files, budget), budget)
    outcome = "accepted"
except ValidationFailed as exc:
    outcome = "refused: " + str(exc)[:90]
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "seconds": round(seconds, 3), "peak_growth_mb": round((after - before) / 1024)}))
"""


def measure(folder: Path, label: str, files: list[tuple[str, bytes]]) -> None:
    paths = []
    for index, (name, content) in enumerate(files):
        path = folder / f"{label}-{index}"
        path.write_bytes(content)
        paths.append((name, str(path)))
    size = sum(len(content) for _name, content in files)
    out = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", CHILD, json.dumps(paths)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    seconds, growth = result["seconds"], result["peak_growth_mb"]
    print(f"{label:<34} {size / 1024:>8.0f} KB {seconds:>7.3f} s {growth:>5} MB  {result['outcome']}")


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smevoucher.settings")
    import django

    django.setup()
    from smevoucher.documents.tests import corpus

    print(f"{'case':<34} {'input':>11} {'time':>9} {'peak+':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        png = corpus.high_pixel_png(7700)
        measure(folder, "ten 7700x7700 PNGs", [(f"{i}.png", png) for i in range(10)])
        measure(folder, "PDF with 95,000 objects", [("objects.pdf", corpus.many_objects_pdf(95_000))])
        measure(folder, "PDF inflating past pypdf's limit", [("inflate.pdf", corpus.expanding_pdf())])
        scan = corpus.colourful_png(5000, 5000)
        measure(folder, "four 25-megapixel scans (budget)", [(f"{i}.png", scan) for i in range(4)])
        measure(folder, "one A4 scan, 300 dpi", [("a4.jpg", corpus.colour_image("JPEG", size=(2480, 3508)))])


if __name__ == "__main__":
    main()
