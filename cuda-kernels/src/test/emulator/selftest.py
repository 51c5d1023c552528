#!/usr/bin/env python3
"""Self-test of cuda-emu: runs real kernels of src/main/cuda through the binary protocol and compares them
with numpy, then shows that the checks fire (out-of-bounds writes, bad launches).

    python3 selftest.py [OUT]      (OUT: where build.sh left cuda-emu; default /tmp/cuda-emu-selftest,
                                    built there first when missing)
"""
import math
import os
import struct
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PTR, I32, F32 = 0, 1, 2


class EmuError(Exception):
    pass


class Emu:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def _call(self, request, reply_bytes=0):
        self.p.stdin.write(request)
        self.p.stdin.flush()
        status = self.p.stdout.read(1)
        if not status:
            raise EmuError("cuda-emu exited")
        if status[0] != 0:
            (n,) = struct.unpack("<I", self.p.stdout.read(4))
            raise EmuError(self.p.stdout.read(n).decode())
        return self.p.stdout.read(reply_bytes)

    def alloc(self, nbytes):
        return struct.unpack("<Q", self._call(struct.pack("<BQ", 1, nbytes), 8))[0]

    def free(self, address):
        self._call(struct.pack("<BQ", 2, address))

    def upload(self, address, array):
        data = np.ascontiguousarray(array).tobytes()
        self._call(struct.pack("<BQQ", 3, address, len(data)) + data)

    def download(self, address, count, dtype=np.float32):
        n = count * np.dtype(dtype).itemsize
        return np.frombuffer(self._call(struct.pack("<BQQ", 4, address, n), n), dtype=dtype).copy()

    def memset32(self, address, bits, count):
        self._call(struct.pack("<BQIQ", 5, address, bits, count))

    def put(self, array):
        """A fresh allocation holding array."""
        address = self.alloc(array.nbytes)
        self.upload(address, array)
        return address

    def launch(self, name, grid, block, args, shared=0):
        grid = tuple(grid) + (1,) * (3 - len(grid))
        block = tuple(block) + (1,) * (3 - len(block))
        b = name.encode()
        req = struct.pack("<BH", 6, len(b)) + b + struct.pack("<7I", *grid, *block, shared)
        req += struct.pack("<H", len(args))
        for kind, value in args:
            req += struct.pack("<BQ" if kind == PTR else "<Bi" if kind == I32 else "<Bf", kind, value)
        self._call(req)

    def sync(self):
        self._call(struct.pack("<B", 7))

    def kernels(self):
        self.p.stdin.write(struct.pack("<B", 8))
        self.p.stdin.flush()
        assert self.p.stdout.read(1)[0] == 0
        (n,) = struct.unpack("<I", self.p.stdout.read(4))
        names = []
        for _ in range(n):
            (k,) = struct.unpack("<H", self.p.stdout.read(2))
            names.append(self.p.stdout.read(k).decode())
        return names

    def quit(self):
        self.p.stdin.write(struct.pack("<B", 9))
        self.p.stdin.flush()
        self.p.wait(timeout=10)
        return self.p.returncode


def ptr(a):
    return (PTR, a)


def i32(v):
    return (I32, v)


def f32(v):
    return (F32, v)


failures = []


def check(what, ok, detail=""):
    print(("  ok    " if ok else "  FAIL  ") + what + (": " + detail if detail else ""))
    if not ok:
        failures.append(what)


def close(what, got, want, rel=1e-4, abs_=1e-6):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    err = np.abs(got - want)
    bound = abs_ + rel * np.abs(want)
    worst = float(np.max(err / bound)) if err.size else 0.0
    ok = got.shape == want.shape and bool(np.all(err <= bound)) and not np.any(np.isnan(got))
    check(what, ok, "max err / tolerance %.3g" % worst)


def expect_error(what, fn, *fragments):
    try:
        fn()
    except EmuError as e:
        message = str(e)
        check(what, all(f in message for f in fragments), '"' + message + '"')
        return message
    check(what, False, "no error")
    return None


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/cuda-emu-selftest"
    binary = os.path.join(out, "cuda-emu")
    if not os.path.exists(binary):
        subprocess.run([os.path.join(HERE, "build.sh"), out], check=True)
    rng = np.random.default_rng(7)
    emu = Emu(binary)
    names = emu.kernels()
    print("cuda-emu: %d kernels" % len(names))

    print("memory")
    a = emu.alloc(40)
    emu.upload(a, np.arange(10, dtype=np.float32))
    emu.memset32(a + 8, 0x3F800000, 3)
    close("upload / memset32 / download", emu.download(a, 10), [0, 1, 1, 1, 1, 5, 6, 7, 8, 9])
    expect_error("download past the end is refused", lambda: emu.download(a + 4, 10), "not inside one allocation")
    emu.free(a)
    expect_error("double free is refused", lambda: emu.free(a), "not a live allocation")

    print("elementwise")
    n = 1_000_003
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    dx, dy, do = emu.put(x), emu.put(y), emu.alloc(4 * n)
    t0 = time.perf_counter()
    emu.launch("elementwise_add", (4096,), (256,), [ptr(do), ptr(dx), ptr(dy), i32(n)])
    add_seconds = time.perf_counter() - t0
    check("elementwise_add over %d floats (grid 4096 x 256) is exact" % n,
          np.array_equal(emu.download(do, n), x + y), "%.3f s" % add_seconds)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        emu.launch("elementwise_add", (4096,), (256,), [ptr(do), ptr(dx), ptr(dy), i32(n)])
        times.append(time.perf_counter() - t0)
    print("        elementwise_add timings: %s s" % ", ".join("%.3f" % t for t in [add_seconds] + times))
    for v in (dx, dy, do):
        emu.free(v)

    rows, cols = 1001, 77
    m = rng.standard_normal((rows, cols), dtype=np.float32)
    base = rng.standard_normal(cols, dtype=np.float32)
    dm, dout = emu.put(m), emu.put(base)
    emu.launch("elementwise_add_column_sums", ((cols + 31) // 32,), (32, 8), [ptr(dout), ptr(dm), i32(rows), i32(cols)])
    close("elementwise_add_column_sums (1001 x 77, block 32 x 8, shared 8 x 33)", emu.download(dout, cols),
          base.astype(np.float64) + m.astype(np.float64).sum(axis=0))
    emu.free(dm)
    emu.free(dout)

    n = 100_003
    x = rng.standard_normal(n, dtype=np.float32)
    blocks = 37
    dx, dp = emu.put(x), emu.alloc(8 * blocks)
    emu.launch("elementwise_sum_of_squares", (blocks,), (256,), [ptr(dp), ptr(dx), i32(n)])
    partial = emu.download(dp, blocks, np.float64)
    share = np.arange(n) // 256 % blocks  # the block whose grid-stride loop reads x[i]
    want = np.array([np.sum(x[share == b].astype(np.float64) ** 2) for b in range(blocks)])
    close("elementwise_sum_of_squares (double warp shuffles, 37 partials)", partial, want, rel=1e-12, abs_=1e-9)
    emu.free(dx)
    emu.free(dp)

    ids = rng.integers(0, 50, size=300).astype(np.int32)
    d = 24
    g = rng.standard_normal((300, d), dtype=np.float32)
    table = np.zeros((50, d), dtype=np.float32)
    dtab, dg, dids = emu.put(table), emu.put(g), emu.put(ids)
    emu.launch("elementwise_scatter_add_rows", (20,), (128,), [ptr(dtab), ptr(dg), ptr(dids), i32(300), i32(d)])
    want = np.zeros((50, d))
    np.add.at(want, ids, g.astype(np.float64))
    close("elementwise_scatter_add_rows (atomicAdd)", emu.download(dtab, 50 * d).reshape(50, d), want)
    for v in (dtab, dg, dids):
        emu.free(v)

    print("rows")
    rows, vocab = 13, 1000
    logits = (3 * rng.standard_normal((rows, vocab))).astype(np.float32)
    targets = rng.integers(0, vocab, size=rows).astype(np.int32)
    targets[3] = -1
    dl, dt, dloss, dprob = emu.put(logits), emu.put(targets), emu.alloc(4 * rows), emu.alloc(4 * rows * vocab)
    emu.launch("rows_softmax_cross_entropy", (rows,), (256,),
               [ptr(dloss), ptr(dprob), ptr(dl), ptr(dt), i32(rows), i32(vocab)])
    z = logits.astype(np.float64)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(rows), targets])
    loss[3] = 0
    close("rows_softmax_cross_entropy probabilities (13 x 1000)", emu.download(dprob, rows * vocab).reshape(rows, vocab), p,
          abs_=1e-9)
    close("rows_softmax_cross_entropy losses (one ignored row)", emu.download(dloss, rows), loss)
    for v in (dl, dt, dloss, dprob):
        emu.free(v)

    rows, cols = 50, 300
    xs = rng.standard_normal((rows, cols), dtype=np.float32)
    w = rng.standard_normal(cols, dtype=np.float32)
    gout = rng.standard_normal((rows, cols), dtype=np.float32)
    x64, w64, g64 = xs.astype(np.float64), w.astype(np.float64), gout.astype(np.float64)
    rstd = 1 / np.sqrt((x64 ** 2).mean(axis=1) + 1e-5)
    vhat = x64 * rstd[:, None]
    gw = g64 * w64
    dx_want = rstd[:, None] * (gw - vhat * (gw * vhat).mean(axis=1, keepdims=True))
    dw_want = (g64 * vhat).sum(axis=0)
    for shared in (cols * 4, 0):  # the strip sums in dynamic shared memory, or in the workspace
        strips = 7
        dxs, dw_, dg_, drs = emu.put(xs), emu.put(w), emu.put(gout), emu.put(rstd.astype(np.float32))
        ddx, dpart, dwt = emu.alloc(4 * rows * cols), emu.alloc(4 * strips * cols), emu.alloc(4 * cols)
        emu.launch("rows_rmsnorm_backward", (strips,), (128,),
                   [ptr(ddx), ptr(dpart), ptr(dg_), ptr(dxs), ptr(dw_), ptr(drs), i32(rows), i32(cols)], shared=shared)
        emu.launch("rows_add_column_sums", ((cols + 31) // 32,), (32, 32),
                   [ptr(dwt), ptr(dpart), i32(strips), i32(cols)])
        where = "dynamic shared memory" if shared else "the workspace"
        close("rows_rmsnorm_backward dx (strip sums in %s)" % where, emu.download(ddx, rows * cols).reshape(rows, cols),
              dx_want, abs_=1e-5)
        close("rows_rmsnorm_backward + rows_add_column_sums dweight (%s)" % where, emu.download(dwt, cols), dw_want,
              abs_=1e-5)
        for v in (dxs, dw_, dg_, drs, ddx, dpart, dwt):
            emu.free(v)

    if "fourier_forward" in names:
        print("fourier (file-scope extern __shared__)")
        rows, N, B = 5, 12, 77
        z = rng.standard_normal((rows, 2 * (N + 1)), dtype=np.float32)
        dz, dp, dl = emu.put(z), emu.alloc(4 * rows * B), emu.alloc(4 * rows * B)
        emu.launch("fourier_forward", (rows,), (128,), [ptr(dp), ptr(dl), ptr(dz), i32(rows), i32(N), i32(B)],
                   shared=4 * (4 * (N + 1) + B))
        coef = z[:, :N + 1].astype(np.float64) + 1j * z[:, N + 1:]
        w = np.exp(1j * np.pi * (-1 + (2 * np.arange(B) + 1) / B))
        amp = np.abs(coef @ (w[None, :] ** np.arange(N + 1)[:, None])) ** 2
        p = amp / amp.sum(axis=1, keepdims=True)
        close("fourier_forward probabilities (5 rows, N 12, 77 bins)", emu.download(dp, rows * B).reshape(rows, B), p,
              abs_=1e-7)
        close("fourier_forward logits", emu.download(dl, rows * B).reshape(rows, B), np.log(p + 1e-5), abs_=1e-5)
        for v in (dz, dp, dl):
            emu.free(v)

    if "ssd_state_pass" in names:
        print("ssd (block_scan: __shfl_up_sync)")
        T, H, P, N, Q = 300, 2, 8, 16, 128
        nchunks = (T + Q - 1) // Q
        dt = rng.uniform(0.01, 0.2, size=(1, T, H)).astype(np.float32)
        A = -rng.uniform(0.5, 2, size=H).astype(np.float32)
        own = rng.standard_normal((1, H, nchunks, P, N), dtype=np.float32)
        dst, dfin, ddt, dA = emu.put(own), emu.alloc(4 * H * P * N), emu.put(dt), emu.put(A)
        emu.launch("ssd_state_pass", ((P * N + 255) // 256, H, 1), (256,),
                   [ptr(dst), ptr(dfin), ptr(0), ptr(ddt), ptr(dA), i32(T), i32(H), i32(P), i32(N), i32(Q), i32(0),
                    i32(1)])
        want = np.zeros_like(own, dtype=np.float64)
        fin = np.zeros((H, P, N))
        for h in range(H):
            carry = np.zeros((P, N))
            for c in range(nchunks):
                want[0, h, c] = carry
                decay = math.exp(float(np.sum(dt[0, c * Q:min(T, (c + 1) * Q), h].astype(np.float64)) * A[h]))
                carry = decay * carry + own[0, h, c]
            fin[h] = carry
        close("ssd_state_pass states (3 chunks)", emu.download(dst, own.size).reshape(own.shape), want, abs_=1e-5)
        close("ssd_state_pass final state", emu.download(dfin, H * P * N).reshape(H, P, N), fin, abs_=1e-5)
        for v in (dst, dfin, ddt, dA):
            emu.free(v)

    if "attention_decode_step" in names:
        print("attention (8-lane __shfl_xor_sync masks)")
        n, H, G, D, cap = 2, 4, 2, 40, 16
        lengths = np.array([5, 21], dtype=np.int32)  # the second a full ring
        q = rng.standard_normal((n, H, D), dtype=np.float32)
        k = rng.standard_normal((n, G, D), dtype=np.float32)
        v = rng.standard_normal((n, G, D), dtype=np.float32)
        ck = rng.standard_normal((n, G, cap, D), dtype=np.float32)
        cv = rng.standard_normal((n, G, cap, D), dtype=np.float32)
        scale = 1 / math.sqrt(D)
        dq_, dk_, dv_, dck, dcv, dlen = (emu.put(a) for a in (q, k, v, ck, cv, lengths))
        dout = emu.alloc(4 * n * H * D)
        emu.launch("attention_decode_step", (n, H), (128,),
                   [ptr(dout), ptr(dck), ptr(dcv), ptr(dq_), ptr(dk_), ptr(dv_), ptr(dlen), i32(H), i32(G), i32(D),
                    i32(cap), f32(scale)])
        want = np.zeros((n, H, D))
        for i in range(n):
            length = int(lengths[i])
            held = min(length, cap)
            slot_new = length % cap
            for h in range(H):
                g_ = h // (H // G)
                keys = [ck[i, g_, s] for s in range(held) if not (s == slot_new and s < held)] + [k[i, g_]]
                vals = [cv[i, g_, s] for s in range(held) if not (s == slot_new and s < held)] + [v[i, g_]]
                sc = np.array([np.dot(q[i, h].astype(np.float64), kk) * scale for kk in keys])
                pr = np.exp(sc - sc.max())
                pr /= pr.sum()
                want[i, h] = pr @ np.array(vals, dtype=np.float64)
        close("attention_decode_step (n 2, H 4, G 2, D 40, a full ring)", emu.download(dout, n * H * D).reshape(n, H, D),
              want, abs_=1e-5)
        for v_ in (dq_, dk_, dv_, dck, dcv, dlen, dout):
            emu.free(v_)

    print("checks")
    n = 1000
    buf = emu.alloc(4 * n)
    emu.launch("elementwise_fill", (4,), (256,), [ptr(buf), i32(n), f32(2.0)])
    check("elementwise_fill within bounds passes", np.all(emu.download(buf, n) == 2.0))
    message = expect_error("elementwise_fill with n = 1003 over 1000 floats is reported",
                           lambda: emu.launch("elementwise_fill", (4,), (256,), [ptr(buf), i32(n + 3), f32(1.0)]),
                           "elementwise_fill", "4000 bytes", "after the end damaged from byte 0 past its end (offsets 4000..4011)")
    big = emu.alloc(4 * (n + 8))
    emu.launch("elementwise_copy", (4,), (256,), [ptr(big), ptr(buf), i32(n + 4)])
    got = emu.download(big, n + 4)
    check("an out-of-bounds read gives NaN (the guard's canary)", np.all(got[:n] == 1.0) and np.all(np.isnan(got[n:])))
    emu.free(big)
    other = emu.alloc(64)
    emu.launch("elementwise_fill", (1,), (32,), [ptr(other), i32(16), f32(3.0)])
    check("the guard was restored (the next launch passes)", True)
    expect_error("a write before the start is reported",
                 lambda: emu.launch("elementwise_fill", (1,), (32,), [ptr(buf - 8), i32(2), f32(1.0)]),
                 "before its start (offsets -8..-1)")
    emu.free(buf)
    emu.free(other)
    a = emu.alloc(16)
    expect_error("unknown kernel", lambda: emu.launch("no_such_kernel", (1,), (1,), []), "unknown kernel no_such_kernel")
    expect_error("wrong argument count",
                 lambda: emu.launch("elementwise_fill", (1,), (32,), [ptr(a), i32(4)]), "takes 3 arguments")
    expect_error("wrong argument kind",
                 lambda: emu.launch("elementwise_fill", (1,), (32,), [ptr(a), i32(4), i32(1)]), "takes a float as argument 3, the launch passed an int")
    expect_error("more than 1024 threads",
                 lambda: emu.launch("elementwise_fill", (1,), (1025,), [ptr(a), i32(4), f32(1)]), "1024 threads")
    expect_error("more than 48 KiB of dynamic shared memory",
                 lambda: emu.launch("elementwise_fill", (1,), (32,), [ptr(a), i32(4), f32(1)], shared=49153),
                 "48 KiB")
    expect_error("a wild pointer fails the launch, not the server",
                 lambda: emu.launch("elementwise_fill", (1,), (32,), [ptr(16), i32(4), f32(1)]),
                 "invalid memory access", "block (0,0,0)")
    emu.launch("elementwise_fill", (1,), (32,), [ptr(a), i32(4), f32(5)])
    check("the server goes on after a fault", np.all(emu.download(a, 4) == 5.0))
    if any(k.startswith("gemm_tf32") for k in names):
        expect_error("a tensor-core kernel says it cannot be emulated",
                     lambda: emu.launch("gemm_tf32_ab", (1,), (256,), [ptr(a)] * 3 + [i32(1)] * 5),
                     "uses tensor-core instructions and cannot be emulated")
    emu.sync()
    check("QUIT exits 0", emu.quit() == 0)

    probes(out)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


def probes(out):
    """The emulator's semantics and checks on probe.cu (a scratch build: probe.cu + common.cuh)."""
    print("probes (probe.cu)")
    src = os.path.join(out, "probe-src")
    os.makedirs(src, exist_ok=True)
    for name, path in (("common.cuh", os.path.join(HERE, "../../main/cuda/common.cuh")),
                       ("probe.cu", os.path.join(HERE, "probe.cu"))):
        with open(path) as f, open(os.path.join(src, name), "w") as g:
            g.write(f.read())
    subprocess.run([os.path.join(HERE, "build.sh"), os.path.join(out, "probe")], check=True,
                   env=dict(os.environ, CUDA_EMU_SOURCES=src), stdout=subprocess.DEVNULL)
    emu = Emu(os.path.join(out, "probe", "cuda-emu"))

    n = 64
    o = emu.alloc(4 * 8 * n)
    emu.launch("probe_intrinsics", (1,), (n,), [ptr(o)])
    got = emu.download(o, 8 * n, np.int32).reshape(n, 8)
    want = np.zeros((n, 8), dtype=np.int64)
    for t in range(n):
        lane = t % 32
        want[t] = [30, 10 * ((lane & ~7) + ((lane + 1) & 7)), lane - 2 if lane % 16 >= 2 else lane,
                   lane + 3 if lane % 16 + 3 < 16 else lane, lane ^ 5,
                   sum(1 << j for j in range(32) if j % 3 == 0), (n + 4) // 5, 1 + 2]
    check("__shfl_sync (widths 32, 8), __shfl_up/down_sync (width 16), __shfl_xor_sync, __ballot_sync, "
          "__syncthreads_count, __any_sync, __all_sync", np.array_equal(got, want))
    emu.free(o)

    blocks, n = 4, 256
    o = emu.alloc(4 * blocks * n)
    emu.launch("probe_neighbour", (blocks,), (n,), [ptr(o), i32(1)])
    check("neighbour exchange with __syncthreads is right",
          np.array_equal(emu.download(o, blocks * n), np.tile((np.arange(n) + 1) % n, blocks)))
    emu.launch("probe_neighbour", (blocks,), (n,), [ptr(o), i32(0)])
    first = emu.download(o, blocks * n)
    stale = int(np.sum(np.isnan(first)))
    check("without the barrier, reads of not-yet-written shared memory give NaN", 0 < stale < blocks * n,
          "%d of %d reads NaN" % (stale, blocks * n))
    emu.launch("probe_neighbour", (blocks,), (n,), [ptr(o), i32(0)])
    again = emu.download(o, blocks * n)
    check("the schedule is the same on a rerun (seed fixed per launch)",
          np.array_equal(np.isnan(first), np.isnan(again)))
    emu.free(o)

    blocks, n = 2, 64
    o = emu.alloc(4 * blocks * n)
    emu.launch("probe_unwritten_shared", (blocks,), (n,), [ptr(o)], shared=4 * n)
    got = emu.download(o, blocks * n).reshape(blocks, n)
    check("unwritten static (template) and dynamic shared memory reads NaN, in every block",
          np.all(got[0, :32] == 2.0) and np.all(np.isnan(got[0, 32:])) and np.all(np.isnan(got[1])))
    expect_error("a write past the dynamic shared memory is reported",
                 lambda: emu.launch("probe_shared_overflow", (1,), (32,), [i32(16)], shared=64),
                 "wrote past the end of its 64 bytes of dynamic shared memory (the word at byte 64)")
    expect_error("a deadlock is reported", lambda: emu.launch("probe_deadlock", (1,), (32,), [ptr(o)]),
                 "deadlock", "16 threads wait at __syncthreads and 16 at warp intrinsics")
    emu.launch("probe_half_warp", (1,), (32,), [ptr(o)])
    check("a half-warp shuffle with its own mask completes",
          np.array_equal(emu.download(o, 32), [t ^ 1 if t < 16 else t for t in range(32)]))
    expect_error("a warp split between two intrinsics is reported",
                 lambda: emu.launch("probe_mixed", (1,), (32,), [ptr(o)]), "__shfl_xor_sync", "__ballot_sync")
    expect_error("an integer division by zero fails the launch",
                 lambda: emu.launch("probe_divide", (1,), (32,), [ptr(o), i32(7)]), "SIGFPE", "thread (0,0,0)")
    expect_error("a fiber stack overflow fails the launch",
                 lambda: emu.launch("probe_stack", (1,), (32,), [ptr(o)]), "overflowed its 64 KiB fiber stack")
    expect_error("not_emulated fails the launch",
                 lambda: emu.launch("probe_tensor_core", (1,), (32,), [ptr(o)]),
                 "kernel probe_tensor_core uses tensor-core instructions and cannot be emulated")
    emu.launch("probe_half_warp", (1,), (32,), [ptr(o)])
    check("the server goes on after each", True)
    emu.free(o)

    blocks, n, rounds = 16, 256, 50
    o = emu.alloc(4 * blocks * n)
    t0 = time.perf_counter()
    emu.launch("probe_barriers", (blocks,), (n,), [ptr(o), i32(rounds)])
    seconds = time.perf_counter() - t0
    switches = blocks * n * rounds * 2
    print("        %d __syncthreads per thread, %d blocks of %d: %.3f s (%.2f us per thread and barrier)"
          % (2 * rounds, blocks, n, seconds, seconds / switches * 1e6))
    emu.free(o)
    emu.quit()


if __name__ == "__main__":
    sys.exit(main())
