#!/usr/bin/env python3
"""Rebuild schema/data/areas/wilayah.tsv from the npm package idn-area-data, pinned to 4.0.1.

The package's data is ODbL-licensed (attribution, share-alike for derived databases); its
LICENSE.md is copied beside the output. Output: one row per area, `code<TAB>name`, codes
without dots; the level follows from the code's length (2 province, 4 regency, 6 district,
10 village). Run it only to update the shipped list: the app never fetches it.
"""
import csv, io, pathlib, shutil, subprocess, sys, tarfile, tempfile

VERSION = "4.0.1"
out_dir = pathlib.Path(__file__).resolve().parent.parent / "schema" / "data" / "areas"

with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(["npm", "pack", f"idn-area-data@{VERSION}", "--silent"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = next(pathlib.Path(tmp).glob("idn-area-data-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp, filter="data")
    data = pathlib.Path(tmp) / "package" / "data"
    rows = []
    for name in ("provinces", "regencies", "districts", "villages"):
        with open(data / f"{name}.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                code = row["code"].replace(".", "")
                if not code.isdigit() or len(code) not in (2, 4, 6, 10):
                    sys.exit(f"{name}.csv: unexpected code {row['code']!r}")
                rows.append((code, row["name"].strip()))
    rows.sort()
    out_dir.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write(f"# idn-area-data {VERSION} (Kepmendagri 300.2.2-2138/2025), data ODbL; see LICENSE-ODbL.md\n")
    for code, name in rows:
        buf.write(f"{code}\t{name}\n")
    (out_dir / "wilayah.tsv").write_text(buf.getvalue(), encoding="utf-8")
    shutil.copy(data / "LICENSE.md", out_dir / "LICENSE-ODbL.md")
    counts = {n: sum(1 for c, _ in rows if len(c) == n) for n in (2, 4, 6, 10)}
    print(f"wrote {len(rows)} areas: {counts}")
