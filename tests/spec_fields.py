#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Every JSON field of runtime-spec's Go types, as model paths
# ("process.user.uid", "mounts[].options[]", "annotations{}"), read from
# specs-go/config.go with no Go toolchain: struct fields with a json tag,
# embedded structs inlined, followed from Spec down.
#   spec_fields.py CONFIG.go
import re
import sys


def structs_of(src):
    names = set(re.findall(r'^type (\w+) struct', src, re.M))
    structs = {}
    for m in re.finditer(r'^type (\w+) struct \{(.*?)^\}', src, re.S | re.M):
        fields = []
        for line in m.group(2).split('\n'):
            tagged = re.match(r'\s*(\w+)\s+(\S+)\s+`json:"([^",]*)', line)
            if tagged:
                fields.append((tagged.group(3), tagged.group(2)))
                continue
            embedded = re.match(r'\s*\*?(\w+)\s*(//.*)?$', line)
            if embedded and embedded.group(1) in names:
                fields.append((None, embedded.group(1)))
        structs[m.group(1)] = fields
    return structs


def walk(structs, name, prefix, out, seen):
    for key, typ in structs.get(name, []):
        if key is None:  # embedded: its fields are this struct's
            walk(structs, typ, prefix, out, seen)
            continue
        path = prefix + key
        base = typ.lstrip('*')
        if base.startswith('[]'):
            base = base[2:].lstrip('*')
            out.append(path)
            path += '[]'
        elif base.startswith('map['):
            base = base[base.index(']') + 1:].lstrip('*')
            out.append(path)
            path += '{}'
        out.append(path)
        if base in structs and base not in seen:
            walk(structs, base, path + '.', out, seen | {base})


def main():
    src = open(sys.argv[1], encoding='utf-8').read()
    out = []
    walk(structs_of(src), 'Spec', '', out, frozenset())
    print('\n'.join(dict.fromkeys(out)))


if __name__ == '__main__':
    main()
