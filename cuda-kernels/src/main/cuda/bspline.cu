// BEAST B-spline action tokens (REFERENCE §7; the CPU reference is dev.chimera.robotics.tokenize.BeastTokenizer):
// encode a batch of chunks to control points and 256-bin tokens, de-quantise tokens back to control points, and
// evaluate the control points at any R time points per chunk. Shapes, all row-major, one entry per chunk b < B:
//   chunks (B, T, D) normalised actions; previous, velocity (B, D) the action before the chunk and its change
//   per step; points (B, N, D) control points; tokens (B, K) ints, K = P G + (N - P) D, control-point-major;
//   out (B, R, D) setpoints at u = s / R, s = 1..R.
// P = 1 (C0: c_0 pinned to the previous action) or 2 (C1: c_1 too, from the velocity) of a continuous DoF's
// N points are pinned, not tokens; the F = N - P free ones are the ridge fit. A gripper DoF (G of the D) is a
// degree-0 spline: its N points are segment means, all of them tokens.
// The code's constants, made on the host by the CPU tokenizer's own fit (BsplineKernels.Codebook):
//   fit    = pseudo-inverse (F, T) | feedback (F, F) | pinned0 (F) | pinned1 (F)
//   bounds = lower (D) | upper (D): [lower, upper] maps to bins 0..255
//   layout = gripper rank (D; -1 for a continuous DoF, else its index among the grippers) | segment start (N + 1)
#include "common.cuh"

#define BINS 256
#define ENCODE_BLOCK 128
#define EVALUATE_BLOCK 256

// Java's Math.round: floor(x + 1/2), ties upward, without the rounding of the fp32 addition.
__device__ __forceinline__ int round_half_up(float x) {
    float f = floorf(x);
    return (int) f + (x - f >= 0.5f ? 1 : 0);
}

// BeastTokenizer.quantise: round((x - lo) / (hi - lo) * 255) clamped to [0, 255]; 0 where hi <= lo (or NaN).
__device__ __forceinline__ int quantise(float x, float lo, float hi) {
    if (!(hi > lo)) return 0;
    float pos = (x - lo) / (hi - lo) * (BINS - 1);
    return min(BINS - 1, max(0, round_half_up(fminf(fmaxf(pos, -1.f), (float) BINS))));
}

// BeastTokenizer.dequantise.
__device__ __forceinline__ float dequantise(int q, float lo, float hi) {
    return hi > lo ? lo + (float) q * (hi - lo) / (BINS - 1) : lo;
}

// Where point i of DoF d sits in a chunk's tokens: the pinned rows hold only the G grippers (by rank),
// the free rows all D DoF.
__device__ __forceinline__ int token_index(int i, int d, int rank, int pinned, int dof, int grippers) {
    return i < pinned ? i * grippers + rank : pinned * grippers + (i - pinned) * dof + d;
}

// Encodes chunks: points = BeastTokenizer.fitControlPoints, tokens = BeastTokenizer.encode.
// Per chunk the free points of a continuous DoF are pseudo a - pinned0 c_0 - pinned1 c_1 (a small GEMM: the
// (F, T) pseudo-inverse, staged once per block, times the chunk's (T, D), staged per chunk), c_0 = previous,
// c_1 = c_0 + velocity c1Scale; a gripper's are its segment means. Then one thread per DoF quantises its
// points in order, the free points of a continuous DoF each moving the later ones by feedback * rounding.
// Grid: (min(B, cap)), block ENCODE_BLOCK, dynamic shared 4 (F (T + F + 2) + T D + N D) bytes; blocks
// stride over the chunks.
CHIMERA_KERNEL void __launch_bounds__(ENCODE_BLOCK)
bspline_encode(int* tokens, float* points, const float* chunks, const float* previous, const float* velocity,
               const float* fit, const float* bounds, const int* layout, int batch, int steps, int controlPoints,
               int dof, int pinned, int grippers, float c1Scale) {
    extern __shared__ float smem[];
    const int T = steps, N = controlPoints, D = dof, F = N - pinned;
    const int K = pinned * grippers + F * D;
    const int fitLength = F * (T + F + 2);
    float* sFit = smem;                   // (F (T + F + 2)) the constants, as `fit`
    float* sChunk = smem + fitLength;     // (T, D) this chunk
    float* sPoints = sChunk + T * D;      // (N, D) its points, the free ones moved by the quantisation
    const float* sPseudo = sFit;
    const float* sFeedback = sFit + F * T;
    const float* sPinned0 = sFeedback + F * F;
    const float* sPinned1 = sPinned0 + F;
    const float* lower = bounds;
    const float* upper = bounds + D;
    const int* rank = layout;
    const int* start = layout + D;
    for (int i = threadIdx.x; i < fitLength; i += blockDim.x) sFit[i] = fit[i];
    for (int b = blockIdx.x; b < batch; b += gridDim.x) {
        const float* a = chunks + (long long) b * T * D;
        for (int i = threadIdx.x; i < T * D; i += blockDim.x) sChunk[i] = a[i];
        __syncthreads(); // also orders the constants' staging before their first use
        float* pts = points + (long long) b * N * D;
        for (int o = threadIdx.x; o < N * D; o += blockDim.x) {
            int i = o / D, d = o - i * D;
            float c;
            if (rank[d] >= 0) {
                float s = 0.f;
                for (int m = start[i]; m < start[i + 1]; m++) s += sChunk[m * D + d];
                c = s / (float) (start[i + 1] - start[i]);
            } else {
                float c0 = previous[(long long) b * D + d];
                float c1 = pinned == 2 ? c0 + velocity[(long long) b * D + d] * c1Scale : 0.f;
                if (i == 0) {
                    c = c0;
                } else if (i < pinned) {
                    c = c1;
                } else {
                    int f = i - pinned;
                    float s = -sPinned0[f] * c0 - sPinned1[f] * c1;
                    for (int j = 0; j < T; j++) s = fmaf(sPseudo[f * T + j], sChunk[j * D + d], s);
                    c = s;
                }
            }
            sPoints[o] = c;
            pts[o] = c;
        }
        __syncthreads();
        int* tok = tokens + (long long) b * K;
        for (int d = threadIdx.x; d < D; d += blockDim.x) { // column d of sPoints is this thread's alone
            float lo = lower[d], hi = upper[d];
            int r = rank[d];
            if (r >= 0) {
                for (int i = 0; i < N; i++) {
                    tok[token_index(i, d, r, pinned, D, grippers)] = quantise(sPoints[i * D + d], lo, hi);
                }
                continue;
            }
            for (int f = 0; f < F; f++) {
                float x = sPoints[(pinned + f) * D + d];
                int q = quantise(x, lo, hi);
                tok[token_index(pinned + f, d, r, pinned, D, grippers)] = q;
                float delta = dequantise(q, lo, hi) - x;
                for (int later = f + 1; later < F; later++) {
                    sPoints[(pinned + later) * D + d] -= sFeedback[f * F + later] * delta;
                }
            }
        }
        __syncthreads(); // before the next chunk overwrites sChunk and sPoints
    }
}

// points (B, N, D) = BeastTokenizer.controlPoints of the tokens: bins de-quantised, c_0 (and c_1) of a
// continuous DoF from the previous action (and velocity). Tokens are not range-checked (the CPU's are not).
// Grid-stride over B N D.
CHIMERA_KERNEL void bspline_dequantise(float* points, const int* tokens, const float* previous,
                                       const float* velocity, const float* bounds, const int* layout, int batch,
                                       int controlPoints, int dof, int pinned, int grippers, float c1Scale) {
    const int N = controlPoints, D = dof, K = pinned * grippers + (N - pinned) * D;
    FOR_EACH(o, (long long) batch * N * D) {
        long long b = o / (N * D);
        int rem = (int) (o - b * N * D);
        int i = rem / D, d = rem - i * D, r = layout[d];
        float c;
        if (r >= 0 || i >= pinned) {
            c = dequantise(tokens[b * K + token_index(i, d, r, pinned, D, grippers)], bounds[d], bounds[D + d]);
        } else {
            c = previous[b * D + d];
            if (i == 1) c += velocity[b * D + d] * c1Scale;
        }
        points[o] = c;
    }
}

// out (B, R, D): row s - 1 the chunk at u = s / R (BeastTokenizer.decode(tokens, previous, velocity, R, out)).
// A continuous DoF is the spline sum_i basis[s - 1][i] c_i, basis (R, N) = B_i(s / R) made on the host by
// BSplineBasis (a batched (R, N) x (N, D) product per chunk). A gripper's segment means are decoded
// binary-aware (GripperSegments.decode) into T steps in shared memory, step m holding over (m / T, (m + 1) / T].
// Grid: (min(B, cap)), block EVALUATE_BLOCK, dynamic shared 4 (N D + T G) bytes; blocks stride over the chunks,
// each writing its chunk's R D setpoints coalesced.
CHIMERA_KERNEL void __launch_bounds__(EVALUATE_BLOCK)
bspline_evaluate(float* out, const float* points, const float* basis, const float* previous, const float* bounds,
                 const int* layout, int batch, int samples, int steps, int controlPoints, int dof, int grippers) {
    extern __shared__ float smem[];
    const int R = samples, T = steps, N = controlPoints, D = dof, G = grippers;
    float* sPoints = smem;          // (N, D) this chunk's points
    float* sSteps = smem + N * D;   // (T, G) its gripper steps
    const int* rank = layout;
    const int* start = layout + D;
    for (int b = blockIdx.x; b < batch; b += gridDim.x) {
        const float* pts = points + (long long) b * N * D;
        for (int i = threadIdx.x; i < N * D; i += blockDim.x) sPoints[i] = pts[i];
        __syncthreads();
        for (int d = threadIdx.x; d < D; d += blockDim.x) {
            int r = rank[d];
            if (r < 0) continue;
            float lo = bounds[d], hi = bounds[D + d], middle = 0.5f * (lo + hi);
            float before = previous[(long long) b * D + d];
            for (int s = 0; s < N; s++) {
                int first = start[s], length = start[s + 1] - first;
                int k = 0;
                if (hi > lo) {
                    float pos = (sPoints[s * D + d] - lo) / (hi - lo) * (float) length;
                    k = min(length, max(0, round_half_up(fminf(fmaxf(pos, -1.f), (float) length + 1.f))));
                }
                bool highFirst = before > middle;
                for (int i = 0; i < length; i++) {
                    bool high = highFirst ? i < k : i >= length - k;
                    sSteps[(first + i) * G + r] = high ? hi : lo;
                }
                before = sSteps[(start[s + 1] - 1) * G + r];
            }
        }
        __syncthreads();
        float* o = out + (long long) b * R * D;
        for (int e = threadIdx.x; e < R * D; e += blockDim.x) {
            int s = e / D, d = e - s * D, r = rank[d];
            float v;
            if (r >= 0) {
                int m = (int) (((long long) (s + 1) * T + R - 1) / R) - 1; // ceil((s + 1) T / R) - 1
                v = sSteps[min(T - 1, max(0, m)) * G + r];
            } else {
                const float* row = basis + (long long) s * N;
                v = 0.f;
                for (int i = 0; i < N; i++) v = fmaf(row[i], sPoints[i * D + d], v);
            }
            o[e] = v;
        }
        __syncthreads(); // before the next chunk overwrites sPoints and sSteps
    }
}
