package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.ParamKind.I32;
import static dev.chimera.cuda.ParamKind.PTR;

import dev.chimera.core.ssd.SsdShape;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.Kernel;
import dev.chimera.cuda.KernelFamily;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Launches {@code ssd.cu}: the SSD scan of Mamba2 with the semantics of
 * {@link dev.chimera.core.backend.SsdScanOp} (its CPU implementation is {@link dev.chimera.core.ssd.SsdScan}):
 * the chunked forward pass (ssd_minimal's four steps), its backward pass and the recurrent step of decoding.
 * Layouts are {@link SsdShape}'s: x, y (batch, seqlen, nheads, headdim); dt (batch, seqlen, nheads); A, D
 * (nheads); B, C (batch, seqlen, ngroups, dstate); every state (headdim, dstate) per (sequence, head).
 * Arguments are device pointers at a tensor's first element; null where the CPU op takes null.
 *
 * <p>Differences from the CPU op, all in what the caller provides: the forward pass always needs the
 * chunk states (it builds the states between chunks there; an inference caller passes a scratch of
 * {@link #chunkStatesSize} floats) and a workspace of {@link #forwardWorkspaceSize} floats (each chunk's
 * C B^T, computed once per group of heads), and the backward workspace has its own size,
 * {@link #backwardWorkspaceSize}. The chunk states hold the same values as the CPU's: chunk c's holds the
 * state before its first step (chunk 0: h0). As there, dx, ddt, dB, dC and dh0 are overwritten and dA and
 * dD accumulated ({@code +=}).
 *
 * <p>Limits: chunk sizes 1 to {@value #MAX_CHUNK}, headdim and dstate up to {@value #MAX_WIDTH} (the
 * kernels pad them to 64 or 128: the _p64/_p128 and _n64/_n128 variants), nheads and batch up to 65,535.
 */
public final class SsdKernels {
    public static final KernelSignature CHUNK_STATE_N64 = chunkState("ssd_chunk_state_n64");
    public static final KernelSignature CHUNK_STATE_N128 = chunkState("ssd_chunk_state_n128");
    public static final KernelSignature CHUNK_DSTATE_N64 = chunkState("ssd_chunk_dstate_n64");
    public static final KernelSignature CHUNK_DSTATE_N128 = chunkState("ssd_chunk_dstate_n128");
    public static final KernelSignature CHUNK_CB = KernelSignature.of("ssd_chunk_cb",
            PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature CHUNK_SCAN_P64 = chunkScan("ssd_chunk_scan_p64");
    public static final KernelSignature CHUNK_SCAN_P128 = chunkScan("ssd_chunk_scan_p128");
    public static final KernelSignature BACKWARD_DX_P64 = backwardDx("ssd_chunk_scan_backward_dx_p64");
    public static final KernelSignature BACKWARD_DX_P128 = backwardDx("ssd_chunk_scan_backward_dx_p128");
    public static final KernelSignature BACKWARD_DB_N64 = backwardDb("ssd_chunk_scan_backward_db_n64");
    public static final KernelSignature BACKWARD_DB_N128 = backwardDb("ssd_chunk_scan_backward_db_n128");
    public static final KernelSignature BACKWARD_DC_N64 = backwardDc("ssd_chunk_scan_backward_l_n64");
    public static final KernelSignature BACKWARD_DC_N128 = backwardDc("ssd_chunk_scan_backward_l_n128");
    public static final KernelSignature STATE_PASS = KernelSignature.of("ssd_state_pass",
            PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, I32);
    public static final KernelSignature STATE_PASS_BACKWARD = KernelSignature.of("ssd_state_pass_backward",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, I32);
    public static final KernelSignature CHUNK_DT_BACKWARD = KernelSignature.of("ssd_chunk_dt_backward",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32);
    public static final KernelSignature PARAM_BACKWARD = KernelSignature.of("ssd_param_backward",
            PTR, PTR, PTR, PTR, I32, I32, I32);
    public static final KernelSignature GROUP_SUM = KernelSignature.of("ssd_group_sum",
            PTR, PTR, PTR, PTR, I32, I32, I32, I32);
    public static final KernelSignature STEP = KernelSignature.of("ssd_step",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32);

    /** The longest chunk: the kernels keep a chunk's decays in shared memory. */
    public static final int MAX_CHUNK = 256;
    /** The largest headdim and dstate. */
    public static final int MAX_WIDTH = 128;
    /** Threads per block of every kernel but the group sum. */
    static final int BLOCK = 256;
    /** Rows (steps, or headdim rows of a state) per block of the tiled kernels. */
    static final int TILE = 64;

    /** Every kernel of the family, each loaded once. */
    static final List<KernelSignature> ALL = List.of(CHUNK_STATE_N64, CHUNK_STATE_N128, CHUNK_DSTATE_N64,
            CHUNK_DSTATE_N128, CHUNK_CB, CHUNK_SCAN_P64, CHUNK_SCAN_P128, BACKWARD_DX_P64, BACKWARD_DX_P128,
            BACKWARD_DB_N64, BACKWARD_DB_N128, BACKWARD_DC_N64, BACKWARD_DC_N128, STATE_PASS, STATE_PASS_BACKWARD,
            CHUNK_DT_BACKWARD, PARAM_BACKWARD, GROUP_SUM, STEP);

    private final Map<KernelSignature, Kernel> kernels = new HashMap<>();

    public SsdKernels(CudaDevice device) {
        for (KernelSignature k : ALL) {
            kernels.put(k, device.kernel(KernelFamily.SSD, k));
        }
    }

    private static KernelSignature chunkState(String name) {
        return KernelSignature.of(name, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32);
    }

    private static KernelSignature chunkScan(String name) {
        return KernelSignature.of(name, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32);
    }

    private static KernelSignature backwardDx(String name) {
        return KernelSignature.of(name, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR,
                I32, I32, I32, I32, I32, I32);
    }

    private static KernelSignature backwardDb(String name) {
        return KernelSignature.of(name, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32);
    }

    private static KernelSignature backwardDc(String name) {
        return KernelSignature.of(name, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32);
    }

    // ------------------------------------------------------------------ sizes and launch geometry

    /** Fails unless the kernels take shape {@code s} with chunks of {@code chunk} steps (see the class limits). */
    public static void check(SsdShape s, int chunk) {
        if (chunk < 1 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("SSD chunk size must be 1 to " + MAX_CHUNK + ", got " + chunk);
        }
        if (s.headdim() > MAX_WIDTH || s.dstate() > MAX_WIDTH) {
            throw new IllegalArgumentException("SSD headdim and dstate must be at most " + MAX_WIDTH + ", got headdim "
                    + s.headdim() + ", dstate " + s.dstate() + " in " + s);
        }
        if (s.nheads() > 65_535 || s.batch() > 65_535) {
            throw new IllegalArgumentException("SSD nheads and batch must be at most 65,535, got " + s);
        }
        if ((long) s.batch() * s.seqlen() * s.nheads() * Math.max(s.headdim(), s.dstate()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SSD operands of " + s + " exceed 2^31 - 1 elements");
        }
    }

    /** Chunks of a sequence, the last possibly shorter: ceil(seqlen / chunk). */
    public static int nchunks(int seqlen, int chunk) {
        return (seqlen + chunk - 1) / chunk;
    }

    /** The padded width a kernel variant handles for a headdim or dstate of {@code d}: 64 or 128. */
    public static int width(int d) {
        return d <= TILE ? TILE : MAX_WIDTH;
    }

    /** Shape of the chunk states, as the CPU op's: (batch, nheads, nchunks, headdim, dstate). */
    public static int[] chunkStatesShape(SsdShape s, int chunk) {
        return new int[] {s.batch(), s.nheads(), nchunks(s.seqlen(), chunk), s.headdim(), s.dstate()};
    }

    /** Floats of the chunk states. */
    public static long chunkStatesSize(SsdShape s, int chunk) {
        return (long) s.batch() * s.nheads() * nchunks(s.seqlen(), chunk) * s.stateSize();
    }

    /** Tiles of 64 steps per chunk of the tiled kernels: ceil(min(chunk, seqlen) / 64). */
    static int rowTiles(SsdShape s, int chunk) {
        return LaunchGeometry.blocks(Math.min(chunk, s.seqlen()), TILE);
    }

    /** Blocks of 256 state values of one (sequence, head) pair in the state passes. */
    static int stateSlices(SsdShape s) {
        return LaunchGeometry.blocks(s.stateSize(), BLOCK);
    }

    /**
     * Where the backward pass keeps its intermediates in the workspace (offsets in floats, in this order):
     * dstates (batch, nheads, nchunks, headdim, dstate): dL/d(state after chunk c); dcumL, dcumS, zs
     * (batch, nheads, seqlen each) and wpart (tiles, batch, nheads, seqlen; tiles = ceil(min(chunk, seqlen)
     * / 64)): the parts of dL/d(cumulative log-decay); tend (batch, nheads, nchunks, slices): parts of
     * &lt;dS_out, S_in&gt;; partA, partD (batch, nheads, nchunks): per-chunk parts of dA and dD; and, only when
     * ngroups &lt; nheads, dBh and dCh (batch, seqlen, nheads, dstate): each head's part of dB and dC, summed
     * over the group's heads afterwards (otherwise the kernels write dB and dC); last cb, the forward
     * workspace's C B^T tiles ({@link #forwardWorkspaceSize}).
     */
    public record BackwardWorkspace(long dstates, long dcumL, long dcumS, long zs, long wpart, long tend,
                                    long partA, long partD, long dBh, long dCh, long cb, long size) {

        /** The layout for shape {@code s} and chunks of {@code chunk} steps. */
        public static BackwardWorkspace of(SsdShape s, int chunk) {
            long pairs = (long) s.batch() * s.nheads();
            long nc = nchunks(s.seqlen(), chunk);
            long rows = pairs * s.seqlen();
            long dstates = 0;
            long dcumL = dstates + pairs * nc * s.stateSize();
            long dcumS = dcumL + rows;
            long zs = dcumS + rows;
            long wpart = zs + rows;
            long tend = wpart + rowTiles(s, chunk) * rows;
            long partA = tend + pairs * nc * stateSlices(s);
            long partD = partA + pairs * nc;
            long dBh = partD + pairs * nc;
            long perHead = s.headsPerGroup() > 1 ? rows * s.dstate() : 0;
            long dCh = dBh + perHead;
            long cb = dCh + perHead;
            return new BackwardWorkspace(dstates, dcumL, dcumS, zs, wpart, tend, partA, partD, dBh, dCh, cb,
                    cb + forwardWorkspaceSize(s, chunk));
        }
    }

    /**
     * Floats of workspace {@link #forward} needs: C_l.B_s for the 64 x 64 tiles of every chunk with s's
     * tile at most l's, once per group, as (batch, ngroups, nchunks, qp, qp) with qp = 64 ceil(min(chunk,
     * seqlen) / 64).
     */
    public static long forwardWorkspaceSize(SsdShape s, int chunk) {
        long qp = (long) rowTiles(s, chunk) * TILE;
        return (long) s.batch() * s.ngroups() * nchunks(s.seqlen(), chunk) * qp * qp;
    }

    /** Floats of workspace {@link #backward} needs (see {@link BackwardWorkspace}). */
    public static long backwardWorkspaceSize(SsdShape s, int chunk) {
        return BackwardWorkspace.of(s, chunk).size();
    }

    /** ssd_chunk_state / ssd_chunk_dstate: one block per chunk and 64 rows of headdim, per head and sequence. */
    public static LaunchGeometry stateGrid(SsdShape s, int chunk) {
        long x = (long) nchunks(s.seqlen(), chunk) * LaunchGeometry.blocks(s.headdim(), TILE);
        return new LaunchGeometry(Math.toIntExact(x), s.nheads(), s.batch(), BLOCK, 1, 1, 0);
    }

    /** The chunk scan and its backward kernels: one block per 64 steps of a chunk, per head and sequence. */
    public static LaunchGeometry tileGrid(SsdShape s, int chunk) {
        long x = (long) nchunks(s.seqlen(), chunk) * rowTiles(s, chunk);
        return new LaunchGeometry(Math.toIntExact(x), s.nheads(), s.batch(), BLOCK, 1, 1, 0);
    }

    /** ssd_chunk_cb: one block per pair of 64-step tiles (s's tile at most l's) of a chunk, per group and sequence. */
    public static LaunchGeometry cbGrid(SsdShape s, int chunk) {
        int tiles = rowTiles(s, chunk);
        long x = (long) nchunks(s.seqlen(), chunk) * tiles * (tiles + 1) / 2;
        return new LaunchGeometry(Math.toIntExact(x), s.ngroups(), s.batch(), BLOCK, 1, 1, 0);
    }

    /** The state passes: one block per 256 state values, per head and sequence; chunks in sequence. */
    public static LaunchGeometry passGrid(SsdShape s) {
        return new LaunchGeometry(stateSlices(s), s.nheads(), s.batch(), BLOCK, 1, 1, 0);
    }

    /** ssd_chunk_dt_backward: one block per chunk, head and sequence. */
    public static LaunchGeometry chunkGrid(SsdShape s, int chunk) {
        return new LaunchGeometry(nchunks(s.seqlen(), chunk), s.nheads(), s.batch(), BLOCK, 1, 1, 0);
    }

    /** ssd_group_sum: a grid-stride loop over dB's n values, blocks of 256, at most 4,096 of them. */
    public static LaunchGeometry groupSumGrid(long n) {
        return new LaunchGeometry(Math.min(4096, LaunchGeometry.blocks(n, BLOCK)), 1, 1, BLOCK, 1, 1, 0);
    }

    /** ssd_step: a warp per row of a head's state, eight rows per block, per head and sequence. */
    public static LaunchGeometry stepGrid(int n, int nheads, int headdim) {
        return new LaunchGeometry(nheads, n, LaunchGeometry.blocks(headdim, BLOCK / 32), BLOCK, 1, 1, 0);
    }

    /** The variant of ssd_chunk_state (ssd_chunk_dstate for the backward pass) for shape {@code s}. */
    static KernelSignature chunkStateSignature(SsdShape s, boolean backward) {
        if (width(s.dstate()) == TILE) {
            return backward ? CHUNK_DSTATE_N64 : CHUNK_STATE_N64;
        }
        return backward ? CHUNK_DSTATE_N128 : CHUNK_STATE_N128;
    }

    /** The variant of ssd_chunk_scan for shape {@code s}. */
    static KernelSignature forwardScanSignature(SsdShape s) {
        return width(s.headdim()) == TILE ? CHUNK_SCAN_P64 : CHUNK_SCAN_P128;
    }

    /** The variant of ssd_chunk_scan_backward_dx for shape {@code s}. */
    static KernelSignature backwardDxSignature(SsdShape s) {
        return width(s.headdim()) == TILE ? BACKWARD_DX_P64 : BACKWARD_DX_P128;
    }

    /** The variant of ssd_chunk_scan_backward_db for shape {@code s}. */
    static KernelSignature backwardDbSignature(SsdShape s) {
        return width(s.dstate()) == TILE ? BACKWARD_DB_N64 : BACKWARD_DB_N128;
    }

    /** The variant of ssd_chunk_scan_backward_l for shape {@code s}. */
    static KernelSignature backwardDcSignature(SsdShape s) {
        return width(s.dstate()) == TILE ? BACKWARD_DC_N64 : BACKWARD_DC_N128;
    }

    // ------------------------------------------------------------------ launches

    /**
     * y, the final state hFinal (null if not wanted) and the chunk states (required here, see the class
     * comment) from x, dt, A, B, C, D and the initial state h0 (null: zeros), as SsdScanOp.forward with
     * chunks of {@code chunk} steps; workspace: {@link #forwardWorkspaceSize} floats. Four launches: each
     * chunk's own state contribution (into chunkStates), the pass over chunks that turns them into the
     * states before each chunk, each chunk's C B^T, and the outputs.
     */
    public void forward(SsdShape s, int chunk, DevicePointer y, DevicePointer hFinal, DevicePointer chunkStates,
                        DevicePointer x, DevicePointer dt, DevicePointer A, DevicePointer B, DevicePointer C,
                        DevicePointer D, DevicePointer h0, DevicePointer workspace) {
        check(s, chunk);
        requireRoom("y", y, (long) s.batch() * s.seqlen() * s.nheads() * s.headdim());
        requireRoom("chunkStates", chunkStates, chunkStatesSize(s, chunk));
        requireRoom("workspace", workspace, forwardWorkspaceSize(s, chunk));
        requireInputs(s, x, dt, A, B, C, D);
        long states = (long) s.batch() * s.nheads() * s.stateSize();
        if (hFinal != null) {
            requireRoom("hFinal", hFinal, states);
        }
        if (h0 != null) {
            requireRoom("h0", h0, states);
        }
        int T = s.seqlen();
        int H = s.nheads();
        int P = s.headdim();
        int G = s.ngroups();
        int N = s.dstate();
        kernel(chunkStateSignature(s, false)).launch(stateGrid(s, chunk), chunkStates, x, dt, A, B, T, H, P, G, N,
                chunk);
        kernel(STATE_PASS).launch(passGrid(s), chunkStates, orElse(hFinal, chunkStates), orElse(h0, chunkStates), dt,
                A, T, H, P, N, chunk, flag(h0), flag(hFinal));
        kernel(CHUNK_CB).launch(cbGrid(s, chunk), workspace, B, C, T, G, N, chunk);
        kernel(forwardScanSignature(s)).launch(tileGrid(s, chunk), y, x, dt, A, C, D, chunkStates, workspace,
                T, H, P, G, N, chunk);
    }

    /**
     * Gradients from dy and dhFinal (null: the final state does not reach the loss), given the forward
     * inputs and the chunk states {@link #forward} saved, as SsdScanOp.backward: dx, ddt, dB, dC and dh0
     * (null if not wanted) overwritten, dA and dD accumulated. workspace: at least
     * {@link #backwardWorkspaceSize} floats, nothing kept between calls.
     */
    public void backward(SsdShape s, int chunk, DevicePointer dx, DevicePointer ddt, DevicePointer dA,
                         DevicePointer dB, DevicePointer dC, DevicePointer dD, DevicePointer dh0, DevicePointer dy,
                         DevicePointer dhFinal, DevicePointer x, DevicePointer dt, DevicePointer A, DevicePointer B,
                         DevicePointer C, DevicePointer D, DevicePointer chunkStates, DevicePointer workspace) {
        check(s, chunk);
        long xs = (long) s.batch() * s.seqlen() * s.nheads() * s.headdim();
        long bcs = (long) s.batch() * s.seqlen() * s.ngroups() * s.dstate();
        long states = (long) s.batch() * s.nheads() * s.stateSize();
        requireRoom("dx", dx, xs);
        requireRoom("ddt", ddt, (long) s.batch() * s.seqlen() * s.nheads());
        requireRoom("dA", dA, s.nheads());
        requireRoom("dB", dB, bcs);
        requireRoom("dC", dC, bcs);
        requireRoom("dD", dD, s.nheads());
        requireRoom("dy", dy, xs);
        requireRoom("chunkStates", chunkStates, chunkStatesSize(s, chunk));
        requireInputs(s, x, dt, A, B, C, D);
        if (dh0 != null) {
            requireRoom("dh0", dh0, states);
        }
        if (dhFinal != null) {
            requireRoom("dhFinal", dhFinal, states);
        }
        BackwardWorkspace w = BackwardWorkspace.of(s, chunk);
        requireRoom("workspace", workspace, w.size());
        int T = s.seqlen();
        int H = s.nheads();
        int P = s.headdim();
        int G = s.ngroups();
        int N = s.dstate();
        boolean perHead = s.headsPerGroup() > 1;
        DevicePointer dstates = at(workspace, w.dstates());
        DevicePointer dcumL = at(workspace, w.dcumL());
        DevicePointer dcumS = at(workspace, w.dcumS());
        DevicePointer zs = at(workspace, w.zs());
        DevicePointer wpart = at(workspace, w.wpart());
        DevicePointer tend = at(workspace, w.tend());
        DevicePointer partA = at(workspace, w.partA());
        DevicePointer partD = at(workspace, w.partD());
        DevicePointer dBh = perHead ? at(workspace, w.dBh()) : dB;
        DevicePointer dCh = perHead ? at(workspace, w.dCh()) : dC;
        DevicePointer cb = at(workspace, w.cb());
        kernel(chunkStateSignature(s, true)).launch(stateGrid(s, chunk), dstates, dy, dt, A, C, T, H, P, G, N,
                chunk);
        kernel(STATE_PASS_BACKWARD).launch(passGrid(s), dstates, orElse(dh0, dstates), tend,
                orElse(dhFinal, dstates), chunkStates, dt, A, T, H, P, N, chunk, flag(dhFinal), flag(dh0));
        kernel(CHUNK_CB).launch(cbGrid(s, chunk), cb, B, C, T, G, N, chunk);
        LaunchGeometry tiles = tileGrid(s, chunk);
        kernel(backwardDxSignature(s)).launch(tiles, dx, ddt, dcumS, wpart, dy, x, dt, A, B, D, dstates, cb,
                T, H, P, G, N, chunk);
        kernel(backwardDbSignature(s)).launch(tiles, dBh, zs, dy, x, dt, A, B, C, dstates, T, H, P, G, N, chunk);
        kernel(backwardDcSignature(s)).launch(tiles, dCh, dcumL, dy, x, dt, A, B, C, chunkStates,
                T, H, P, G, N, chunk);
        kernel(CHUNK_DT_BACKWARD).launch(chunkGrid(s, chunk), ddt, partA, partD, dcumL, wpart, dcumS, zs, tend, dy,
                x, dt, A, T, H, P, N, chunk);
        kernel(PARAM_BACKWARD).launch(new LaunchGeometry(H, 1, 1, BLOCK, 1, 1, 0), dA, dD, partA, partD,
                s.batch(), H, nchunks(T, chunk));
        if (perHead) {
            kernel(GROUP_SUM).launch(groupSumGrid(bcs), dB, dC, dBh, dCh, s.batch() * T, H, G, N);
        }
    }

    /**
     * One recurrent step for n sequences, as SsdScanOp.step: y (n, nheads, headdim) from x (n, nheads,
     * headdim), dt (n, nheads), A and D (nheads), B and C (n, ngroups, dstate). {@code states} holds the n
     * sequences' states contiguously, (n, nheads, headdim, dstate): the CPU op's {@code states[i]} is the
     * window of nheads * headdim * dstate floats at {@code states + i * nheads * headdim * dstate}; each is
     * updated in place.
     */
    public void step(int n, int nheads, int headdim, int ngroups, int dstate, DevicePointer y, DevicePointer states,
                     DevicePointer x, DevicePointer dt, DevicePointer A, DevicePointer B, DevicePointer C,
                     DevicePointer D) {
        SsdShape s = new SsdShape(n, 1, nheads, headdim, ngroups, dstate);
        check(s, 1);
        long xs = (long) n * nheads * headdim;
        requireRoom("y", y, xs);
        requireRoom("states", states, (long) n * nheads * s.stateSize());
        requireInputs(s, x, dt, A, B, C, D);
        kernel(STEP).launch(stepGrid(n, nheads, headdim), y, states, x, dt, A, B, C, D, nheads, headdim, ngroups,
                dstate);
    }

    private Kernel kernel(KernelSignature signature) {
        return kernels.get(signature);
    }

    private static void requireInputs(SsdShape s, DevicePointer x, DevicePointer dt, DevicePointer A,
                                      DevicePointer B, DevicePointer C, DevicePointer D) {
        long rows = (long) s.batch() * s.seqlen();
        requireRoom("x", x, rows * s.nheads() * s.headdim());
        requireRoom("dt", dt, rows * s.nheads());
        requireRoom("A", A, s.nheads());
        requireRoom("B", B, rows * s.ngroups() * s.dstate());
        requireRoom("C", C, rows * s.ngroups() * s.dstate());
        requireRoom("D", D, s.nheads());
    }

    /** Fails unless p has at least n elements from its offset on. */
    static void requireRoom(String name, DevicePointer p, long n) {
        if (p == null) {
            throw new IllegalArgumentException("SSD: " + name + " must not be null");
        }
        p.requireRoom("SSD: " + name, n);
    }

    private static DevicePointer at(DevicePointer p, long offset) {
        return p.buffer().at(p.offset() + offset);
    }

    /** An optional operand: the pointer, or a valid one the kernel does not read (its flag is 0). */
    private static DevicePointer orElse(DevicePointer p, DevicePointer stand) {
        return p != null ? p : stand;
    }

    private static int flag(DevicePointer p) {
        return p != null ? 1 : 0;
    }
}
