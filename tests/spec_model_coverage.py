#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The spec model classifies every field of runtime-spec's Go types: each
# path spec_fields.py finds in config.go has a row in src/spec_model.tsv,
# or lies under a row whose verdict covers its whole subtree (ignored or
# refused). A field a newer spec adds fails this test until someone
# classifies it; meanwhile the walker refuses it.
#   spec_model_coverage.py CONFIG.go SPEC_MODEL.tsv
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def rows(tsv):
    out = {}
    for line in open(tsv, encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        path, verdict, _, _ = line.rstrip('\n').split('\t')
        out[path] = verdict
    return out


def main():
    config_go, tsv = sys.argv[1], sys.argv[2]
    fields = subprocess.run([sys.executable, os.path.join(here, 'spec_fields.py'), config_go],
                            check=True, capture_output=True, text=True).stdout.split()
    model = rows(tsv)
    missing = []
    for field in fields:
        if field in model:
            continue
        ancestors = [field[:i] for i, c in enumerate(field) if c in '.[{']
        if any(model.get(a) in ('ignored', 'refused') for a in ancestors):
            continue
        missing.append(field)
    stale = sorted(set(model) - set(fields))
    for f in missing:
        print(f'not classified: {f} (add it to {tsv})')
    for f in stale:
        print(f'classified but not in {config_go}: {f}')
    if missing or stale or len(fields) < 100:
        sys.exit(1)
    print(f'ok: {len(fields)} fields of {config_go}, every one classified')


if __name__ == '__main__':
    main()
