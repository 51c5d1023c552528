"""The PyTorch peer of `chimera bench train-step`: Chimera's hybrid decoder written again in plain
PyTorch (1.13, CPU, float32), so that a training step can be timed in both in the same run.

It is the same function, not a look-alike: the layers follow Chimera's definitions (REFERENCE
section 2 for Mamba2 and the SSD scan, section 3 for the hybrid) and Chimera's parameter names
and layouts, and the loss and gradients at Chimera's own initial weights are compared with
Chimera's before anything is timed.

  embedding -> N x [x += mixer(rmsnorm(x)); x += mlp(rmsnorm(x))] -> rmsnorm -> softmax head
  Mamba2 mixer: in_proj -> [z | xBC | dt]; causal depthwise conv (bias) + SiLU on xBC;
                dt = softplus(dt + dt_bias); A = -exp(A_log); y = SSD(x, dt, A, B, C) + D x;
                gated RMSNorm (y * silu(z), per group); out_proj
  attention:    q, k, v projections (grouped-query), rotate-half RoPE, causal softmax over the
                full span or a window of W keys (t-W, t], output projection
  MLP:          SwiGLU w2(silu(w1 x) * w3 x) or ReLU w2(relu(w1 x)); no biases

The SSD scan runs in its chunked matrix form (the SSD paper's four steps), the fast way to write
it in plain PyTorch: per chunk, the intra-chunk output as masked (C B^T) products, the chunk's
final state, a recurrence over chunk states, and the states' contribution to the outputs.

Protocol (the Java side is dev.chimera.cli.TorchPeer), one "key value" line each on stdout:
  argv: threads
  at start: "unavailable <reason>" and exit if torch cannot be imported; otherwise torch,
            capability, blas_kind, blas, threads, wait_policy, then "ready"
  stdin:    a directory holding weights.safetensors (metadata: "config", Chimera's model config
            JSON, and "decay", the comma-separated names that take weight decay), grads.safetensors
            (Chimera's gradients of that batch at those weights), batch.safetensors ("ids",
            "targets", float32 (batch, seq)); then a line "warmup lr"
  replies:  loss, grad_rel_err, grad_worst, then "prepared" after the untimed warm-up steps
  then:     per "step" line, one timed training step (forward, backward, AdamW):
            "step forward_s backward_s adamw_s max_rss_mb"
"""

import ctypes
import json
import math
import os
import re
import resource
import struct
import sys
import time


def say(key, value):
    print(key, value, flush=True)


try:
    import torch
    import torch.nn.functional as F
except Exception as e:  # ImportError, or a broken install raising something else
    say("unavailable", "%s cannot import torch (%s: %s); on Debian: apt-get install python3-torch "
        "libopenblas0-openmp" % (sys.executable, type(e).__name__, e))
    sys.exit(0)

# Where the sgemm behind torch's fp32 matmul comes from, by its library's real path (Debian's
# libblas.so.3 is an alternative: a symlink to OpenBLAS, BLIS, ATLAS or the reference BLAS, the
# last from package libblas3, in .../blas/).
BLAS_KINDS = (("openblas", "openblas"), ("libmkl_", "mkl"), ("blis", "blis"), ("atlas", "atlas"),
              ("flexiblas", "flexiblas"), ("/blas/libblas", "reference"))


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def loaded_blas():
    """(kind, description) of the library whose sgemm_ torch calls, after a matmul has run.

    Which libraries are mapped does not say it: OpenBLAS's LAPACK maps OpenBLAS even when
    libblas.so.3 is the reference BLAS. So sgemm_ is looked up as torch's own references to it
    are bound, the global scope first, then libtorch_cpu's dependencies, and dladdr names its file.
    """
    with open("/proc/self/maps") as maps:
        mapped = [f[-1] for f in (line.split() for line in maps) if len(f) >= 6 and f[-1].startswith("/")]
    scopes = [None] + sorted({p for p in mapped if "libtorch_cpu" in p})
    libc = ctypes.CDLL(None)
    built = re.search(r"BLAS_INFO=[^,\s]*", torch.__config__.show())
    built = "torch built with " + (built.group(0) if built else "no BLAS_INFO")
    for scope in scopes:
        try:
            sgemm = ctypes.CDLL(scope).sgemm_
        except (OSError, AttributeError):
            continue
        info = DlInfo()
        if libc.dladdr(ctypes.cast(sgemm, ctypes.c_void_p), ctypes.byref(info)) and info.dli_fname:
            path = os.path.realpath(info.dli_fname.decode())
            kind = next((k for needle, k in BLAS_KINDS if needle in path), "unknown")
            return kind, "%s; %s" % (describe_blas(kind, path), built)
    return "unknown", "no sgemm_ visible to torch (linked in statically?); " + built


def describe_blas(kind, path):
    """OpenBLAS says its version, build and the kernel it chose; others are named by their path."""
    if kind != "openblas":
        return path
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return "%s; kernel %s; %s" % (lib.openblas_get_config().decode(), lib.openblas_get_corename().decode(), path)
    except (OSError, AttributeError):
        return path


def capability():
    """The ATen kernels' instruction set (torch picks it at start; ATEN_CPU_CAPABILITY overrides)."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


# ---------------------------------------------------------------- safetensors (F32 only)

def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file: 8-byte header length, JSON, data."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = bytearray(raw[8 + n:])  # writable, so torch.frombuffer does not warn
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError("%s: tensor %s has dtype %s, expected F32" % (path, name, info["dtype"]))
        begin, end = info["data_offsets"]
        count = (end - begin) // 4
        t = torch.frombuffer(data, dtype=torch.float32, count=count, offset=begin) if count else torch.empty(0)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata


# ---------------------------------------------------------------- the model

EPS = 1e-5  # RmsNorm.EPS, also the gated norm's


def rms_norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


class Mamba2(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.d_inner, self.nheads = c["dModel"], c["expand"] * c["dModel"], c["expand"] * c["dModel"] // c["headdim"]
        self.headdim, self.ngroups, self.dstate, self.chunk = c["headdim"], c["ngroups"], c["dState"], c["chunkSize"]
        self.conv_dim = self.d_inner + 2 * self.ngroups * self.dstate
        self.in_proj = torch.nn.Linear(d, 2 * self.d_inner + 2 * self.ngroups * self.dstate + self.nheads, bias=False)
        self.conv1d = torch.nn.Module()
        self.conv1d.weight = torch.nn.Parameter(torch.empty(self.conv_dim, c["dConv"]))  # (C, K): Chimera's layout
        self.conv1d.bias = torch.nn.Parameter(torch.empty(self.conv_dim))
        self.dt_bias = torch.nn.Parameter(torch.empty(self.nheads))
        self.A_log = torch.nn.Parameter(torch.empty(self.nheads))
        self.D = torch.nn.Parameter(torch.empty(self.nheads))
        self.norm = torch.nn.Module()
        self.norm.weight = torch.nn.Parameter(torch.empty(self.d_inner))
        self.out_proj = torch.nn.Linear(self.d_inner, d, bias=False)

    def forward(self, u):
        batch, seqlen, _ = u.shape
        H, P, G, N = self.nheads, self.headdim, self.ngroups, self.dstate
        z, xbc, dt = torch.split(self.in_proj(u), [self.d_inner, self.conv_dim, H], dim=-1)
        # Causal depthwise conv: padding K-1 on both sides and keeping the first T outputs pads the left only.
        k = self.conv1d.weight.shape[1]
        xbc = F.conv1d(xbc.transpose(1, 2), self.conv1d.weight.unsqueeze(1), self.conv1d.bias,
                       padding=k - 1, groups=self.conv_dim)[..., :seqlen].transpose(1, 2)
        x, b, c = torch.split(F.silu(xbc), [self.d_inner, G * N, G * N], dim=-1)
        dt = F.softplus(dt + self.dt_bias)                       # (batch, T, H)
        A = -torch.exp(self.A_log)                               # (H)
        x = x.reshape(batch, seqlen, H, P)
        y = ssd(x, dt, A, b.reshape(batch, seqlen, G, N), c.reshape(batch, seqlen, G, N), self.chunk)
        y = (y + self.D[:, None] * x).reshape(batch, seqlen, self.d_inner)
        v = (y * F.silu(z)).reshape(batch, seqlen, G, self.d_inner // G)
        w = self.norm.weight.reshape(G, self.d_inner // G)
        return self.out_proj(rms_norm(v, w).reshape(batch, seqlen, self.d_inner))


def ssd(x, dt, A, B, C, chunk):
    """y (batch, T, H, P) of h_t = exp(dt_t A) h_{t-1} + dt_t x_t B_t^T, y_t = h_t C_t, h_{-1} = 0.

    x (batch, T, H, P), dt (batch, T, H), A (H), B and C (batch, T, G, N); head h reads group
    h // (H / G). Chunks of `chunk` steps; T is padded to a multiple with dt = 0 and x = B = C = 0
    at the end, which no earlier output can see. Heads are laid out (G, H / G) so that what
    depends only on the group (C_l . B_s) is computed once per group, as mamba's kernels do.
    """
    batch, seqlen, H, P = x.shape
    G, N = B.shape[2], B.shape[3]
    pad = -seqlen % chunk
    nc = (seqlen + pad) // chunk

    def chunked(t, heads):  # (batch, T, G * heads, ...) -> (batch, G, heads, nc, chunk, ...)
        t = F.pad(t, (0, 0) * (t.dim() - 2) + (0, pad)).reshape(batch, nc, chunk, G, heads, *t.shape[3:])
        return t.permute(0, 3, 4, 1, 2, *range(5, t.dim()))

    X = chunked(x * dt[..., None], H // G)                       # (batch, G, H/G, nc, chunk, P)
    Bc, Cc = chunked(B, 1), chunked(C, 1)                         # (batch, G, 1, nc, chunk, N)
    cum = torch.cumsum(chunked(dt * A, H // G), dim=-1)           # (batch, G, H/G, nc, chunk): sum_{k <= l} a_k
    # Decays as exp of differences of these sums, as mamba's chunk-scan kernels compute them.
    # 1. Within each chunk: y_l = sum_{s <= l} (C_l . B_s) exp(cum_l - cum_s) X_s.
    future = torch.ones(chunk, chunk, dtype=torch.bool).triu(1)
    decay = torch.exp((cum[..., :, None] - cum[..., None, :]).masked_fill(future, float("-inf")))
    y = torch.matmul(torch.matmul(Cc, Bc.transpose(-1, -2)) * decay, X)
    # 2. The state each chunk adds, (N, P): sum_l exp(cum_last - cum_l) B_l^T X_l.
    states = torch.matmul((Bc * torch.exp(cum[..., -1:] - cum)[..., None]).transpose(-1, -2), X)
    # 3. The state entering each chunk, a recurrence over the nc chunks.
    whole = torch.exp(cum[..., -1])                               # (batch, G, H/G, nc)
    entering = [torch.zeros_like(states[:, :, :, 0])]
    for i in range(nc - 1):
        entering.append(whole[..., i, None, None] * entering[-1] + states[:, :, :, i])
    entering = torch.stack(entering, dim=3)                       # (batch, G, H/G, nc, N, P)
    # 4. What the entering state contributes: exp(cum_l) C_l . S_in.
    y = y + torch.matmul(Cc, entering) * torch.exp(cum)[..., None]
    return y.permute(0, 3, 4, 1, 2, 5).reshape(batch, nc * chunk, H, P)[:, :seqlen]


class Attention(torch.nn.Module):
    def __init__(self, c, window):
        super().__init__()
        d = c["dModel"]
        self.heads, self.kv_heads, self.head_dim = c["attnHeads"], c["kvHeads"], d // c["attnHeads"]
        self.window, self.base = window, c["ropeBase"]
        self.wq = torch.nn.Linear(d, self.heads * self.head_dim, bias=False)
        self.wk = torch.nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.wv = torch.nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.wo = torch.nn.Linear(self.heads * self.head_dim, d, bias=False)

    def rope(self, t):
        """Rotate-half RoPE on (batch, T, heads, hd); angles in float64 rounded to float, as Chimera's table."""
        seqlen, half = t.shape[1], self.head_dim // 2
        theta = self.base ** (-2.0 * torch.arange(half, dtype=torch.float64) / self.head_dim)
        angle = torch.arange(seqlen, dtype=torch.float64)[:, None] * theta
        cos, sin = torch.cos(angle).float()[:, None, :], torch.sin(angle).float()[:, None, :]
        t1, t2 = t[..., :half], t[..., half:]
        return torch.cat([t1 * cos - t2 * sin, t2 * cos + t1 * sin], dim=-1)

    def forward(self, u):
        batch, seqlen, _ = u.shape
        kv, g, hd = self.kv_heads, self.heads // self.kv_heads, self.head_dim
        # Query head h reads kv head h // g: the g query heads of a kv head share one matmul.
        q = self.rope(self.wq(u).reshape(batch, seqlen, self.heads, hd))
        q = q.reshape(batch, seqlen, kv, g, hd).permute(0, 2, 3, 1, 4).reshape(batch, kv, g * seqlen, hd)
        k = self.rope(self.wk(u).reshape(batch, seqlen, kv, hd)).transpose(1, 2)
        v = self.wv(u).reshape(batch, seqlen, kv, hd).transpose(1, 2)
        t = torch.arange(seqlen)
        hidden = t[None, :] > t[:, None]                         # key after query
        if self.window:
            hidden = hidden | (t[None, :] <= t[:, None] - self.window)
        scores = torch.matmul(q, k.transpose(-1, -2)).mul_(1 / math.sqrt(hd))
        scores = scores.reshape(batch, kv, g, seqlen, seqlen).masked_fill_(hidden, float("-inf"))
        o = torch.matmul(torch.softmax(scores, dim=-1).reshape(batch, kv, g * seqlen, seqlen), v)
        o = o.reshape(batch, kv, g, seqlen, hd).permute(0, 3, 1, 2, 4).reshape(batch, seqlen, self.heads * hd)
        return self.wo(o)


class Mlp(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d, hidden = c["dModel"], c["mlpHidden"]
        self.swiglu = c["mlp"] == "swiglu"
        self.w1 = torch.nn.Linear(d, hidden, bias=False)
        if self.swiglu:
            self.w3 = torch.nn.Linear(d, hidden, bias=False)
        self.w2 = torch.nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x) if self.swiglu else F.relu(self.w1(x)))


class Norm(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(d))

    def forward(self, x):
        return rms_norm(x, self.weight)


class Block(torch.nn.Module):
    def __init__(self, c, mixer, window):
        super().__init__()
        self.norm1, self.norm2, self.mlp = Norm(c["dModel"]), Norm(c["dModel"]), Mlp(c)
        self.attention = mixer == "A"
        if self.attention:
            self.attn = Attention(c, window)
        else:
            self.mamba = Mamba2(c)

    def forward(self, x):
        x = x + (self.attn if self.attention else self.mamba)(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def window_of(span):
    """0 for 'full', W for 'window:W' (ModelConfig.Span)."""
    return 0 if span == "full" else int(span.split(":", 1)[1])


class Decoder(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        if c["input"]["kind"] != "tokens" or c["head"]["kind"] != "softmax":
            raise ValueError("the peer models token input with a softmax head, got %s / %s"
                             % (c["input"]["kind"], c["head"]["kind"]))
        d = c["dModel"]
        self.embed = torch.nn.Module()
        self.embed.weight = torch.nn.Parameter(torch.empty(c["input"]["vocabSize"], d))
        pattern, spans, blocks = c["mixerPattern"], c["attnSpans"], []
        for l in range(c["nLayers"]):
            mixer = pattern[l % len(pattern)]
            # attnSpans: one entry for every attention layer, or one per attention layer in order.
            index = 0 if len(spans) == 1 else sum(b.attention for b in blocks)
            blocks.append(Block(c, mixer, window_of(spans[index]) if mixer == "A" else 0))
        self.layers = torch.nn.ModuleList(blocks)
        self.final_norm = Norm(d)
        self.tied = c["head"].get("tied", False)  # absent means false in a config written by the component registry
        if not self.tied:
            self.head = torch.nn.Linear(d, c["head"]["vocabSize"], bias=False)

    def forward(self, ids, targets):
        x = F.embedding(ids, self.embed.weight)
        for block in self.layers:
            x = block(x)
        h = self.final_norm(x)
        logits = F.linear(h, self.embed.weight if self.tied else self.head.weight)
        # Kernels.IGNORE_TARGET = -1 marks positions without a target.
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)


# ---------------------------------------------------------------- parity and timing

def load(directory):
    weights, meta = read_safetensors(os.path.join(directory, "weights.safetensors"))
    grads, _ = read_safetensors(os.path.join(directory, "grads.safetensors"))
    batch, _ = read_safetensors(os.path.join(directory, "batch.safetensors"))
    model = Decoder(json.loads(meta["config"]))
    names = dict(model.named_parameters())
    if set(names) != set(weights):
        raise ValueError("parameter names differ: only in Chimera %s, only in the peer %s"
                         % (sorted(set(weights) - set(names)), sorted(set(names) - set(weights))))
    with torch.no_grad():
        for name, p in names.items():
            if tuple(p.shape) != tuple(weights[name].shape):
                raise ValueError("%s: Chimera's shape %s, the peer's %s" % (name, tuple(weights[name].shape),
                                                                           tuple(p.shape)))
            p.copy_(weights[name])
    decay = set(meta["decay"].split(",")) if meta["decay"] else set()
    return model, decay, grads, batch["ids"].long(), batch["targets"].long()


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    a = torch.rand(256, 256)
    torch.matmul(a, a)  # loads the BLAS, so that its library is mapped
    kind, description = loaded_blas()
    say("torch", torch.__version__)
    say("capability", capability())
    say("blas_kind", kind)
    say("blas", description)
    say("threads", torch.get_num_threads())
    say("wait_policy", os.environ.get("OMP_WAIT_POLICY", "default"))
    say("ready", "")
    directory = sys.stdin.readline().strip()
    if not directory:
        return
    warmup, lr = sys.stdin.readline().split()
    model, decay, chimera_grads, ids, targets = load(directory)

    # Parity: the loss of the batch at Chimera's initial weights, and the gradients.
    loss = model(ids, targets)
    loss.backward()
    say("loss", "%.9g" % loss.item())
    worst, worst_name = 0.0, ""
    for name, p in model.named_parameters():
        ref = chimera_grads[name].double()
        grad = p.grad.double() if p.grad is not None else torch.zeros_like(ref)  # None: the peer never used it
        err = (grad - ref).norm().item() / max(ref.norm().item(), 1e-30)
        if err >= worst:
            worst, worst_name = err, name
    say("grad_rel_err", "%.3e" % worst)
    say("grad_worst", worst_name)

    params = dict(model.named_parameters())
    optimiser = torch.optim.AdamW(
        [{"params": [p for n, p in params.items() if n in decay], "weight_decay": 0.1},
         {"params": [p for n, p in params.items() if n not in decay], "weight_decay": 0.0}],
        lr=float(lr), betas=(0.9, 0.95), eps=1e-8)  # AdamW.Settings.defaults()

    def step():
        optimiser.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        loss = model(ids, targets)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        optimiser.step()
        return t1 - t0, t2 - t1, time.perf_counter() - t2

    for _ in range(int(warmup)):
        step()
    say("prepared", "")
    # One timed step per request, so that Chimera's steps and these alternate and see the same load.
    for line in sys.stdin:
        if line.strip() != "step":
            raise ValueError("expected 'step', got %r" % line)
        say("step", "%.6f %.6f %.6f %.0f" % (*step(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
