#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every C file of the tree is formatted as .clang-format at the root says:
# clang-format --dry-run --Werror names each line it would change.
#   format.sh SOURCE-ROOT
set -euo pipefail
root=$1
clang_format=${CLANG_FORMAT:-$(command -v clang-format || true)}
if [ -z "$clang_format" ]; then
	echo "format.sh: clang-format is not installed (tests/install-deps.sh installs it)" >&2
	exit 1
fi
cd "$root"
mapfile -t files < <(find src include tests -name '*.[ch]' | sort)
"$clang_format" --style=file --dry-run --Werror "${files[@]}"
echo "ok: ${#files[@]} C files formatted as .clang-format says"
