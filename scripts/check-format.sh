#!/usr/bin/env bash
# Fails (exit 1) when a tracked C++ file differs from .clang-format, naming the files;
# `clang-format -i FILE` fixes one. Run by CTest as `clang_format` (label unit).
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: skipped: no clang-format (scripts/setup.sh installs it)"; exit 77; }
bad=()
while IFS= read -r f; do
  clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
done < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests -name '*.cpp' -o -name '*.hpp')
if ((${#bad[@]})); then
  printf 'check-format: not formatted (clang-format -i): %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: every C++ file follows .clang-format"
