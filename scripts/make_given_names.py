"""Write ``src/onrecord/data/resolve_given_names.txt`` from the nomquamgender name data.

Why: the speaker resolver keeps "he" and "she" apart only where it knows a person's
gender, and honorifics ("Mrs.") are rare in news. A first name is the common evidence,
so the resolver reads a list of given names that are strongly one gender or the other.

The list is derived, not written by hand: nomquamgender (Van Buskirk et al., MIT licence,
https://github.com/ianvanbuskirk/nomquamgender) aggregates 36 name-gender sources into one
p(female) per name. onrecord keeps the names that many of those sources know, that are
common, and that its classifier would classify at its own default threshold (p(gf) at most
0.1 or at least 0.9), and ships them as a data file so that the runtime needs neither the
package nor its pandas dependency, nor 720,000 names in memory.

    pip download --no-deps nomquamgender==0.1.4 -d /tmp/nqg
    python scripts/make_given_names.py /tmp/nqg/nomquamgender-0.1.4-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/onrecord/data/resolve_given_names.txt"
#: nomquamgender's own default: names with p(gf) in (0.1, 0.9) are left unclassified.
THRESHOLD = 0.1
MIN_SOURCES = 10  # of nomquamgender's 36: a name few sources know is noise or a surname
MIN_COUNT = 1000  # people counted with the name, over all sources
_NAME = re.compile(r"[a-z][a-z'\-]+")

HEADER = f"""\
# Given names that are strongly one gender: "name = m" or "name = f". The speaker resolver
# uses the first word of a person's full name to keep "he" and "she" apart.
# Derived by scripts/make_given_names.py from nomquamgender 0.1.4 (Ian Van Buskirk, MIT
# licence; https://github.com/ianvanbuskirk/nomquamgender): names known to at least
# {MIN_SOURCES} of its sources, counted at least {MIN_COUNT} times, with p(female) at most {THRESHOLD}
# (m) or at least {1 - THRESHOLD:.1f} (f), its classifier's default. Regenerate; do not edit by hand.
"""


def given_names(data: dict[str, list]) -> dict[str, str]:
    """Name -> "m" or "f" for the names the thresholds keep."""
    out = {}
    for name, (sources, count, p_female, *_rest) in data.items():
        if sources < MIN_SOURCES or count < MIN_COUNT or not _NAME.fullmatch(name):
            continue
        if p_female <= THRESHOLD:
            out[name] = "m"
        elif p_female >= 1 - THRESHOLD:
            out[name] = "f"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="the nomquamgender wheel (pip download --no-deps nomquamgender)")
    args = parser.parse_args()
    with zipfile.ZipFile(args.wheel) as wheel:
        data = json.loads(wheel.read("nomquamgender/name_data.json"))
    names = given_names(data)
    lines = [f"{name} = {gender}" for name, gender in sorted(names.items())]
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    women = sum(g == "f" for g in names.values())
    print(f"{OUT}: {len(names)} names ({women} f, {len(names) - women} m)")


if __name__ == "__main__":
    main()
