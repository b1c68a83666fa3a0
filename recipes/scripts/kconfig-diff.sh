#!/usr/bin/env bash
# The lines of CONFIG that differ from BASE: a minimal fragment that
# kernel-config.sh merges back onto BASE to get CONFIG again.
# Usage: kconfig-diff.sh BASE CONFIG
set -euo pipefail
norm() { grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$1" | LC_ALL=C sort; }
echo "# fragment: $(basename "$2") against $(basename "$1"), by make kernel-savedefconfig"
LC_ALL=C comm -13 <(norm "$1") <(norm "$2")
