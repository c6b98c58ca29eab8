"""alloc.py - an allocation-heavy Python program for bench/real/python.sh.

Run as `python3 -S alloc.py SCALE` with PYTHONMALLOC=malloc, so that every
object goes through malloc instead of Python's own small-object arenas.
Each phase builds and drops many objects of many sizes and checks what it
built; the script exits 1 on any mismatch and prints `ok CHECKED OPS`.
"""
import json
import sys

checked = 0


def check(what, got, want):
    global checked
    checked += 1
    if got != want:
        print("alloc.py: %s: got %r, expected %r" % (what, got, want), file=sys.stderr)
        sys.exit(1)


class Node:
    def __init__(self, key, payload, parent):
        self.key = key
        self.payload = payload
        self.parent = parent
        self.children = []


def records(n):
    """A dict of lists of small dicts and tuples, round-tripped through JSON."""
    table = {}
    for i in range(n):
        key = "k%06d" % (i * 7919 % n)
        table.setdefault(key[:4], []).append(
            {"id": i, "name": key, "tags": [key[j:j + 3] for j in range(0, 6, 2)],
             "pos": (i % 97, i % 89, float(i) / 3)})
    text = json.dumps(table, sort_keys=True)
    back = json.loads(text)
    check("records", sum(len(v) for v in back.values()), n)
    check("ids", sum(r["id"] for v in back.values() for r in v), n * (n - 1) // 2)
    return len(text)


def strings(n):
    """Strings built, split, joined and sliced; lengths vary from 1 to ~4 KiB."""
    parts = ["%x" % (i * 2654435761 % 2 ** 32) * (1 + i % 64) for i in range(n)]
    blob = ",".join(parts)
    back = blob.split(",")
    check("split", back, parts)
    total = sum(len(p) for p in parts)
    check("join length", len(blob), total + n - 1)
    upper = [p.upper()[::-1] for p in back]
    check("upper", sum(len(u) for u in upper), total)
    return total


def tree(n):
    """A tree of objects with attribute dicts; half of it pruned and rebuilt."""
    root = Node(0, b"", None)
    nodes = [root]
    for i in range(1, n):
        parent = nodes[(i * 31) % len(nodes)]
        node = Node(i, bytes(i % 200), parent)
        parent.children.append(node)
        nodes.append(node)
    for node in nodes[::2]:
        node.children = [c for c in node.children if c.key % 3]
        node.payload = bytearray(node.payload) + b"x" * (node.key % 50)
    reachable, stack = 0, [root]
    while stack:
        node = stack.pop()
        reachable += 1
        stack.extend(node.children)
    keys = sorted(nodes, key=lambda x: (-len(x.payload), x.key))
    check("sorted", len(keys), n)
    return reachable


def churn(n):
    """Lists and dicts that grow and shrink: the allocator's realloc path."""
    grow = []
    d = {}
    for i in range(n):
        grow.append([i] * (i % 32))
        d[i] = str(i) * (1 + i % 16)
        if i % 3 == 0:
            grow.pop(len(grow) // 2)
            d.pop(i // 2, None)
    check("churn list", len(grow), n - (n + 2) // 3)
    sets = [set(range(i % 500)) for i in range(n // 10)]
    check("sets", sum(len(s) for s in sets), sum(i % 500 for i in range(n // 10)))
    return len(d)


def main():
    scale = int(sys.argv[1])
    ops = 0
    for rnd in range(3):
        ops += records(20 * scale)
        ops += strings(20 * scale)
        ops += tree(20 * scale)
        ops += churn(40 * scale)
    print("ok %d %d" % (checked, ops))


main()
