"""PyTorch peers of `chimera bench gpu`, on the same shapes, in the same JSON-lines format:
torch.matmul at 4096^3 in fp32 (tf32 off), tf32 and bf16, and scaled_dot_product_attention (causal,
and a 512-wide sliding window through a boolean mask) at B4 T2048 H16 D64, forward and backward.
Times are CUDA-event medians after warm-up. Run by cuda-kernels/device/gpu-check.sh."""
import json
import statistics

import torch


def median_ms(fn, reps=30):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def row(kernel, shape, ms, flops, nbytes):
    print(json.dumps({"kernel": kernel, "shape": shape, "ms": round(ms, 4),
                      "tflops": round(flops / (ms * 1e-3) / 1e12, 3), "gbs": round(nbytes / (ms * 1e-3) / 1e9, 1)}),
          flush=True)


def matmuls(n=4096):
    for name, dtype, tf32 in (("fp32", torch.float32, False), ("tf32", torch.float32, True), ("bf16", torch.bfloat16, False)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        a = torch.randn(n, n, device="cuda", dtype=dtype)
        b = torch.randn(n, n, device="cuda", dtype=dtype)
        ms = median_ms(lambda: torch.matmul(a, b))
        row(f"torch.matmul[{name}] (peer)", f"{n}x{n}x{n}", ms, 2.0 * n ** 3, 3 * n * n * a.element_size())
    torch.backends.cuda.matmul.allow_tf32 = False


def attention(b=4, t=2048, h=16, d=64):
    sdpa = torch.nn.functional.scaled_dot_product_attention
    for window in (0, 512):
        q, k, v = (torch.randn(b, h, t, d, device="cuda", requires_grad=True) for _ in range(3))
        if window == 0:
            mask, causal, keys = None, True, t * (t + 1) / 2
        else:
            i = torch.arange(t, device="cuda")
            mask = (i[None, :] <= i[:, None]) & (i[:, None] - i[None, :] < window)
            causal, keys = False, sum(min(p + 1, window) for p in range(t))
        span = "full" if window == 0 else f"window{window}"
        shape = f"B{b} T{t} H{h} D{d} {span}"
        fwd = lambda: sdpa(q, k, v, attn_mask=mask, is_causal=causal)
        ms = median_ms(fwd)
        row("torch.sdpa forward (peer)", shape, ms, 4.0 * b * h * keys * d, 4 * 4 * b * h * t * d)
        o = fwd()
        g = torch.randn_like(o)
        ms = median_ms(lambda: torch.autograd.grad(fwd(), (q, k, v), g))
        row("torch.sdpa forward+backward (peer)", shape, ms, 3.5 * 4.0 * b * h * keys * d, 8 * 4 * b * h * t * d)


if __name__ == "__main__":
    if not torch.cuda.is_available():
        print(json.dumps({"peer": "torch", "available": False, "reason": "torch.cuda.is_available() is false"}))
    else:
        print(json.dumps({"peer": "torch", "version": torch.__version__, "gpu": torch.cuda.get_device_name(0)}))
        matmuls()
        attention()
