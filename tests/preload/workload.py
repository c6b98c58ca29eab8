# Allocation-heavy Python workload for tests/preload/python.sh.
# Its stdout must be the same on every run and under any malloc: every result
# is printed as a count or a digest of data built from fixed seeds, and the
# threads' results are gathered in a fixed order.
# If PRELOAD_TEST_MAPS is set, the process also writes its own /proc/self/maps
# there, and the path of the object that provides malloc() to it (not stdout).
import array
import collections
import ctypes
import gc
import hashlib
import io
import json
import os
import pickle
import queue
import random
import re
import sys
import threading
import zlib


def digest(data):
    if not isinstance(data, (bytes, bytearray)):
        data = repr(data).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def report(name, *values):
    print(f"{name}: {' '.join(str(v) for v in values)}", flush=True)


def words(rng, n, lo=1, hi=24):
    alphabet = "abcdefghijklmnopqrstuvwxyzäöüßéèñ日本語"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))
            for _ in range(n)]


def dicts(rng):
    d = {}
    for i in range(200_000):
        d[f"key-{i}-{rng.randrange(1 << 30)}"] = (i, str(i) * (i % 7), [i] * (i % 5))
    for i, k in enumerate(list(d)):
        if i % 3 == 0:
            del d[k]
    d.update({f"extra-{i}": {"n": i, "s": "x" * (i % 100)} for i in range(50_000)})
    inv = collections.defaultdict(list)
    for k, v in d.items():
        inv[len(k)].append(k)
    counts = collections.Counter(k[:5] for k in d)
    nested = {i: {j: str(i * j) for j in range(i % 50)} for i in range(2_000)}
    return len(d), digest(sorted(d.items())[:1000]), digest(sorted(inv.items())), \
        digest(sorted(counts.items())), digest(nested)


def lists(rng):
    xs = [rng.randrange(1 << 40) for _ in range(1_000_000)]
    ys = sorted(xs)
    zs = sorted(xs, key=lambda v: (v % 1000, v))
    chunks = [xs[i:i + rng.randint(1, 500)] for i in range(0, len(xs), 250)]
    front = []
    for i in range(20_000):
        front.insert(0, i)            # memmove-heavy
    del xs[::2]
    xs.reverse()
    ll = [[i] * (i % 30) for i in range(100_000)]
    flat = [v for sub in ll for v in sub]
    return len(xs), digest(ys[::997]), digest(zs[::991]), len(chunks), \
        digest(front[:100]), sum(flat), digest(xs[:1000])


def strings(rng):
    parts = words(rng, 100_000)
    joined = "|".join(parts)
    s = ""
    for p in parts[:20_000]:
        s += p                         # in-place realloc growth
    enc = joined.encode("utf-8")
    dec = enc.decode("utf-8")
    replaced = joined.replace("a", "AAAA").replace("|", "\n")
    split = replaced.split("\n")
    fmt = [f"{i:08d}:{w!r}:{len(w):>4}" for i, w in enumerate(parts[:50_000])]
    rx = re.findall(r"[a-f]{2,}[^|]*?z", joined)
    upper = [w.upper() for w in parts]
    sb = io.StringIO()
    for w in parts:
        sb.write(w)
        sb.write("\n")
    return len(joined), digest(s), len(enc), dec == joined, digest(split[-100:]), \
        digest(fmt), len(rx), digest(upper), digest(sb.getvalue())


def make_doc(rng, depth=0):
    if depth > 2:
        return rng.choice([rng.random(), rng.randrange(-10**6, 10**6), None, True,
                           "".join(words(rng, 3))])
    if rng.random() < 0.5:
        return [make_doc(rng, depth + 1) for _ in range(rng.randint(0, 8))]
    return {w: make_doc(rng, depth + 1) for w in words(rng, rng.randint(0, 8), 1, 8)}


def json_roundtrips(rng):
    doc = {"items": [make_doc(rng) for _ in range(300)]}
    out = []
    for i in range(10):
        text = json.dumps(doc, sort_keys=True, ensure_ascii=(i % 2 == 0))
        back = json.loads(text)
        assert back == doc
        pretty = json.dumps(back, indent=2, sort_keys=True)
        assert json.loads(pretty) == doc
        doc["items"].append({"round": i, "len": len(text)})
        doc["items"].pop(0)
        out.append((len(text), digest(text)))
    return digest(out), len(pretty)


def big_blocks(rng):
    # Requests around and far above the mmap threshold, freed out of order,
    # and grown with realloc.
    blocks = [bytearray(rng.randint(100_000, 8_000_000)) for _ in range(24)]
    for i, b in enumerate(blocks):
        b[0] = b[-1] = i
    rng.shuffle(blocks)
    keep = blocks[::3]
    del blocks
    ba = bytearray()
    chunk = bytes(range(256)) * 64
    while len(ba) < 64 << 20:
        ba += chunk
    arr = array.array("q", range(2_000_000))
    arr.extend(range(1_000_000))
    comp = zlib.compress(bytes(ba[: 8 << 20]), 6)
    back = zlib.decompress(comp)
    return sorted((b[0], len(b)) for b in keep)[:3], len(ba), digest(ba[-4096:]), \
        len(arr), sum(arr[::1000]), len(comp), back == bytes(ba[: 8 << 20])


def pickles(rng):
    obj = {"d": {i: words(rng, 3) for i in range(20_000)},
           "t": tuple(range(50_000)), "s": set(range(0, 100_000, 7))}
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(data)
    return back == obj, len(data)


def garbage_cycles():
    class Node:
        __slots__ = ("next", "payload", "__weakref__")
    for _ in range(20):
        first = Node()
        prev = first
        for i in range(5_000):
            n = Node()
            n.payload = [i] * 3
            prev.next = n
            prev = n
        prev.next = first               # a cycle only the collector frees
        del first, prev, n
        gc.collect()
    return gc.collect() >= 0


def thread_work(seed):
    rng = random.Random(seed)
    acc = []
    for r in range(30):
        d = {w: [rng.random() for _ in range(rng.randint(0, 20))] for w in words(rng, 400)}
        text = json.dumps(d, sort_keys=True)
        acc.append(digest(json.loads(text)))
        s = "".join(sorted(d))
        acc.append(len(s))
    return digest(acc)


def threads():
    n = 8
    results = [None] * n

    def run(i):
        results[i] = thread_work(1000 + i)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()

    # Objects built by producers and freed by consumers in other threads.
    q = queue.Queue(maxsize=256)
    totals = collections.Counter()
    lock = threading.Lock()

    def producer(i):
        rng = random.Random(i)
        for j in range(5_000):
            q.put((i, j, "x" * rng.randint(1, 3000), list(range(rng.randint(0, 50)))))
        q.put(None)

    def consumer():
        local = collections.Counter()
        while True:
            item = q.get()
            if item is None:
                break
            i, j, s, l = item
            local[i] += len(s) + sum(l)
            del item, s, l
        with lock:
            totals.update(local)

    ps = [threading.Thread(target=producer, args=(i,)) for i in range(4)]
    cs = [threading.Thread(target=consumer) for _ in range(4)]
    for t in ps + cs:
        t.start()
    for t in ps + cs:
        t.join()
    return results, sorted(totals.items())


def fork_while_threads_allocate():
    # A child forked while other threads allocate must have a working malloc.
    stop = threading.Event()

    def churn(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            junk = [str(rng.random()) * rng.randint(1, 50) for _ in range(200)]
            del junk

    ts = [threading.Thread(target=churn, args=(i,)) for i in range(3)]
    for t in ts:
        t.start()
    results = []
    try:
        for k in range(10):
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(r)
                    d = {str(i): [i] * (i % 17) for i in range(50_000 + k)}
                    payload = json.dumps(sorted(d.items())[:200]).encode()
                    os.write(w, digest(payload).encode() + b" %d" % len(d))
                    os._exit(0)
                except BaseException:
                    os._exit(3)
            os.close(w)
            data = b""
            while True:
                chunk = os.read(r, 4096)
                if not chunk:
                    break
                data += chunk
            os.close(r)
            _, status = os.waitpid(pid, 0)
            results.append((os.waitstatus_to_exitcode(status), data.decode()))
    finally:
        stop.set()
        for t in ts:
            t.join()
    return digest(results), sorted(set(code for code, _ in results))


def malloc_provider():
    """The object whose malloc() the program's calls bind to: the first object
    after the executable, in the dynamic linker's search order, that defines
    malloc itself (what ld.so does to bind a PLT call to malloc)."""
    class PhdrInfo(ctypes.Structure):
        _fields_ = [("addr", ctypes.c_void_p), ("name", ctypes.c_char_p)]

    class DlInfo(ctypes.Structure):
        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                    ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]

    libc = ctypes.CDLL(None)
    libc.dlopen.restype = ctypes.c_void_p
    libc.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.dlsym.restype = ctypes.c_void_p
    libc.dlsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(PhdrInfo),
                                ctypes.c_size_t, ctypes.c_void_p)
    names = []

    def collect(info, size, data):
        names.append(info.contents.name)
        return 0

    libc.dl_iterate_phdr(callback(collect), None)
    RTLD_LAZY, RTLD_NOLOAD = 0x1, 0x4
    for name in names[1:]:               # names[0] is the executable
        if not name:
            continue
        handle = libc.dlopen(name, RTLD_LAZY | RTLD_NOLOAD)
        addr = handle and libc.dlsym(handle, b"malloc")
        info = DlInfo()
        if addr and libc.dladdr(addr, ctypes.byref(info)) and info.fname == name:
            return os.path.realpath(name.decode())
    return "?"


def record_maps(path):
    owner = malloc_provider()
    with open("/proc/self/maps") as f:
        maps = f.read()
    with open(path, "w") as f:
        f.write(f"malloc provided by: {owner}\n")
        f.write(maps)


def main():
    rng = random.Random(20240229)
    report("python", sys.version_info[:2])
    report("dicts", *dicts(rng))
    report("lists", *lists(rng))
    report("strings", *strings(rng))
    report("json", *json_roundtrips(rng))
    report("big_blocks", *big_blocks(rng))
    report("pickle", *pickles(rng))
    report("gc", garbage_cycles())
    res, totals = threads()
    report("threads", *res)
    report("queue", digest(totals), sum(v for _, v in totals))
    report("fork", *fork_while_threads_allocate())
    if os.environ.get("PRELOAD_TEST_MAPS"):
        record_maps(os.environ["PRELOAD_TEST_MAPS"])
    report("done", "ok")


main()
