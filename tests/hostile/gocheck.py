#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Judge a config.json or exec process file the way runc will read it.

runc decodes with Go's encoding/json, which matches an object key to a field
case-insensitively (U+017F folds to s, U+212A to k) and lets the last of
several matching keys win (merging objects). This reads a file with every
key kept, flags any object where two keys fold alike (what runc would then
read is not what a plain reader sees), and looks fields up as Go would.

    gocheck.py spec FILE      # a config.json: hardened by the default policy?
    gocheck.py process FILE   # an exec --process file: hardened?
    gocheck.py probe FILE     # the output of the probe run in a container

Prints one line per problem and exits 1 when there is any, 0 when the file
is hardened. `spec` exits 2, printing "no process", for a config without a
process object: runc refuses to create such a container itself
(validateProcessSpec), so there is nothing to harden in it.
"""
import json
import re
import sys

# The default policy (policies/default.json).
ALLOWED_CAPS = {"CAP_NET_BIND_SERVICE"}
ALLOWED_CAP_MASK = 1 << 10  # CAP_NET_BIND_SERVICE
PERMISSIVE_SECCOMP = {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG"}
DENYING_SECCOMP = {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
                   "SCMP_ACT_TRAP"}
# Syscalls the default profile (policies/seccomp/default.json) denies whatever
# the arguments: no rule of a hardened profile may let them through.
POLICY_DENIED_SYSCALLS = {"unshare", "mount", "setns", "ptrace", "io_uring_setup", "bpf", "keyctl",
                          "userfaultfd", "perf_event_open"}


class Obj(list):
    """A JSON object as its list of (key, value) pairs, in order."""


def fold(key):
    # casefold() folds U+017F to "s" and U+212A to "k" as Go's EqualFold
    # does; it also folds a few things Go does not (ß -> ss), which only
    # makes the ambiguity check stricter.
    return key.casefold()


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    # Go refuses invalid UTF-8 nowhere (it substitutes U+FFFD), but a file
    # oci-harden let through must not have any: decode strictly.
    return json.loads(data.decode("utf-8"), object_pairs_hook=Obj)


def ambiguities(value, path="", out=None):
    out = [] if out is None else out
    if isinstance(value, Obj):
        seen = {}
        for key, item in value:
            folded = fold(key)
            if folded in seen:
                out.append("%s: keys %r and %r are one field to runc" % (path or "top level", seen[folded], key))
            seen[folded] = key
            ambiguities(item, "%s.%s" % (path, key) if path else key, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            ambiguities(item, "%s[%d]" % (path, i), out)
    return out


def get(obj, field):
    """The value runc reads for `field` of `obj`: the last key that folds to
    it; null is absent."""
    if not isinstance(obj, Obj):
        return None
    found = None
    for key, value in obj:
        if fold(key) == fold(field):
            found = value
    return found


def is_id(value):
    # Go decodes a uint32 only from an integer literal in range.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFFFF


def check_process(process, where, problems):
    user = get(process, "user")
    if not isinstance(user, Obj):
        problems.append("%s.user is missing: runc runs the process as uid 0" % where)
        user = Obj()
    for field in ("uid", "gid"):
        value = get(user, field)
        if value is None:
            problems.append("%s.user.%s is missing: 0 to runc" % (where, field))
        elif not is_id(value):
            problems.append("%s.user.%s is %r: runc cannot read it" % (where, field, value))
        elif value == 0:
            problems.append("%s.user.%s is 0 (root)" % (where, field))
    groups = get(user, "additionalGids") or []
    if 0 in [g for g in groups if is_id(g)]:
        problems.append("%s.user.additionalGids has gid 0" % where)
    if get(process, "noNewPrivileges") is not True:
        problems.append("%s.noNewPrivileges is not true" % where)
    caps = get(process, "capabilities")
    for name in ("bounding", "effective", "inheritable", "permitted", "ambient"):
        for cap in get(caps, name) or []:
            if isinstance(cap, str) and re.fullmatch(r"CAP_[A-Z_]+", cap) and cap not in ALLOWED_CAPS:
                problems.append("%s.capabilities.%s keeps %s" % (where, name, cap))


def to_host(value, mappings):
    """An id in a user namespace as the host sees it, by the namespace's
    mappings ({containerID, hostID, size}); None when it is not mapped."""
    for m in mappings:
        start, host, size = (get(m, k) for k in ("containerID", "hostID", "size"))
        if all(is_id(x) for x in (start, host)) and isinstance(size, int) and start <= value < start + size:
            return host + value - start
    return None


def check_user_namespace(spec, process, problems):
    """With a user namespace, uid 65534 inside may be uid 0 on the host."""
    linux = get(spec, "linux")
    namespaces = get(linux, "namespaces") or []
    if not any(isinstance(ns, Obj) and get(ns, "type") == "user" for ns in namespaces):
        return
    user = get(process, "user")
    for field, maps, ids in (("uid", "uidMappings", [get(user, "uid")]),
                             ("gid", "gidMappings", [get(user, "gid")] + list(get(user, "additionalGids") or []))):
        for value in ids:
            if not is_id(value):
                continue
            host = to_host(value, get(linux, maps) or [])
            if host == 0:
                problems.append("process.user.%s %d is uid/gid 0 on the host (linux.%s)" % (field, value, maps))


def check_spec(spec, problems):
    process = get(spec, "process")
    if not isinstance(process, Obj):
        return False
    check_process(process, "process", problems)
    check_user_namespace(spec, process, problems)
    seccomp = get(get(spec, "linux"), "seccomp")
    action = get(seccomp, "defaultAction")
    if not isinstance(seccomp, Obj):
        problems.append("linux.seccomp is missing")
    elif not isinstance(action, str) or action in PERMISSIVE_SECCOMP:
        problems.append("linux.seccomp.defaultAction is %r: every syscall goes through" % action)
    else:
        rules = get(seccomp, "syscalls")
        for rule in rules if isinstance(rules, list) else []:
            names = get(rule, "names")
            if get(rule, "action") in DENYING_SECCOMP or not isinstance(names, list):
                continue
            for name in set(names) & POLICY_DENIED_SYSCALLS:
                problems.append("linux.seccomp lets %s through (%s)" % (name, get(rule, "action")))
    if get(get(spec, "root"), "readonly") is not True:
        problems.append("root.readonly is not true")
    return True


def check_probe(path, problems):
    """The probe prints "uid=N gid=N groups=..." (groups optional) and the /proc/self/status
    lines CapEff, CapPrm, CapBnd, CapAmb, NoNewPrivs and Seccomp."""
    text = open(path, errors="replace").read()
    facts = dict(re.findall(r"\b(uid|gid)=(\d+)", text))
    groups = re.search(r'\bgroups="?([\d ]*)', text)
    if groups and "0" in groups.group(1).split():
        problems.append("the process has group 0 among its groups")
    facts.update(re.findall(r"^(Cap\w+|NoNewPrivs|Seccomp):\s*(\S+)", text, re.M))
    # The probe may print the namespace's maps ("uid_map: INSIDE HOST SIZE"):
    # then the ids are judged as the host sees them.
    for key, name in (("uid", "uid_map"), ("gid", "gid_map")):
        maps = [tuple(map(int, m)) for m in re.findall(r"^%s:\s*(\d+)\s+(\d+)\s+(\d+)" % name, text, re.M)]
        if key in facts and maps:
            value = int(facts[key])
            for inside, host, size in maps:
                if inside <= value < inside + size and host + value - inside == 0:
                    problems.append("the process's %s %d is 0 on the host" % (key, value))
    for key in ("uid", "gid"):
        if key not in facts:
            problems.append("the probe printed no %s" % key)
        elif facts[key] == "0":
            problems.append("the process ran with %s 0" % key)
    for key in ("CapEff", "CapPrm", "CapBnd", "CapAmb"):
        if key not in facts:
            problems.append("the probe printed no %s" % key)
        elif int(facts[key], 16) & ~ALLOWED_CAP_MASK:
            problems.append("%s is %s: capabilities beyond CAP_NET_BIND_SERVICE" % (key, facts[key]))
    if facts.get("NoNewPrivs") != "1":
        problems.append("NoNewPrivs is %s" % facts.get("NoNewPrivs"))
    if facts.get("Seccomp") != "2":
        problems.append("Seccomp is %s (2 is a filter)" % facts.get("Seccomp"))


def main():
    mode, path = sys.argv[1], sys.argv[2]
    problems = []
    if mode == "probe":
        check_probe(path, problems)
    else:
        try:
            doc = load(path)
        except (ValueError, UnicodeDecodeError) as e:
            print("cannot read %s as runc would: %s" % (path, e))
            return 1
        problems.extend(ambiguities(doc))
        if mode == "spec":
            if not isinstance(doc, Obj):
                problems.append("the top level is not an object")
            elif not check_spec(doc, problems) and not problems:
                print("no process")
                return 2
        elif mode == "process":
            if isinstance(doc, Obj):
                check_process(doc, "(process)", problems)
            else:
                problems.append("the top level is not an object")
        else:
            print("usage: gocheck.py spec|process|probe FILE")
            return 64
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
