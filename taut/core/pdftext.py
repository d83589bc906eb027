"""What every PDF of Taut shares: the font (DejaVu Sans as matplotlib installs it, so nothing is
fetched) and the cleaning of user text before it is drawn (NFC, no control or direction-override
characters). The font covers the Latin, Greek and Cyrillic letters of every European language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import matplotlib

FONT = "DejaVu"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=1)
def font_paths() -> tuple[Path, Path]:
    """DejaVu Sans regular and bold, as matplotlib installs them."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    for path in (regular, bold):
        if not path.is_file():
            raise FileNotFoundError(f"The PDF font {path} is missing; reinstall matplotlib.")
    return regular, bold


def clean(text: object) -> str:
    """User text made safe to draw: NFC, line ends as \\n, tabs as spaces, no control characters."""
    value = unicodedata.normalize("NFC", str(text if text is not None else ""))
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _CONTROL.sub("", value)
