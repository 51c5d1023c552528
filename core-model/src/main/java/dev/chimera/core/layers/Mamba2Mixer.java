package dev.chimera.core.layers;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.ssd.SsdScan;
import dev.chimera.core.ssd.SsdShape;
import dev.chimera.core.tensor.Tensor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * The Mamba2 block exactly as REFERENCE §2 (state-spaces/mamba, modules/mamba2.py):
 * in_proj -> [z | xBC | dt]; causal depthwise conv + SiLU on xBC, split into x, B, C;
 * dt = softplus(dt + dt_bias); A = -exp(A_log); y = SSD(x, dt, A, B, C) + D x;
 * gated RMSNorm(y, z); out_proj. Training uses {@link SsdScan}'s chunked forward and backward;
 * inference keeps a conv state (convDim, dConv) and an SSM state (nheads, headdim, dstate).
 */
public final class Mamba2Mixer implements Mixer {
    private static final double DT_MIN = 1e-3;
    private static final double DT_MAX = 0.1;
    private static final double DT_FLOOR = 1e-4;

    private final int d;
    private final int dInner;
    private final int nheads;
    private final int headdim;
    private final int ngroups;
    private final int dstate;
    private final int convDim;
    private final int dProj;
    private final Linear inProj;
    private final CausalConv1d conv;
    private final GatedRmsNorm norm;
    private final Linear outProj;
    private final String dtBiasName;
    private final String aLogName;
    private final String dName;
    private final SsdScan scan;
    private final ComputePool pool;
    private Tensor dtBias;   // (nheads)
    private Tensor dDtBias;
    private Tensor aLog;     // (nheads)
    private Tensor dALog;
    private Tensor skipD;    // (nheads)
    private Tensor dSkipD;

    public Mamba2Mixer(Parameters.Builder b, String prefix, ModelConfig c, ComputePool pool) {
        this.d = c.dModel();
        this.dInner = c.dInner();
        this.nheads = c.mambaHeads();
        this.headdim = c.headdim();
        this.ngroups = c.ngroups();
        this.dstate = c.dState();
        this.convDim = c.convDim();
        this.dProj = 2 * dInner + 2 * ngroups * dstate + nheads;
        this.inProj = new Linear(b, prefix + ".in_proj", d, dProj, false);
        this.conv = new CausalConv1d(b, prefix + ".conv1d", convDim, c.dConv());
        this.dtBiasName = prefix + ".dt_bias";
        this.aLogName = prefix + ".A_log";
        this.dName = prefix + ".D";
        b.add(dtBiasName, false, nheads);
        b.add(aLogName, false, nheads);
        b.add(dName, false, nheads);
        this.norm = new GatedRmsNorm(b, prefix + ".norm", dInner, ngroups);
        this.outProj = new Linear(b, prefix + ".out_proj", dInner, d, false);
        this.scan = new SsdScan(pool, c.chunkSize());
        this.pool = pool;
    }

    @Override
    public void bind(Parameters p) {
        inProj.bind(p);
        conv.bind(p);
        norm.bind(p);
        outProj.bind(p);
        dtBias = p.value(dtBiasName);
        dDtBias = p.grad(dtBiasName);
        aLog = p.value(aLogName);
        dALog = p.grad(aLogName);
        skipD = p.value(dName);
        dSkipD = p.grad(dName);
    }

    public Linear outputProjection() {
        return outProj;
    }

    /**
     * Mamba2's initialisation of the parameters that are not plain matrices: dt0 log-uniform in
     * [1e-3, 0.1] (floor 1e-4), dt_bias = softplus^-1(dt0); A_log = ln U(1, 16); D = 1; the conv
     * uniform in +-1/sqrt(dConv) (PyTorch's default); the norm scale 1.
     */
    public void initialise(SplittableRandom random) {
        for (int h = 0; h < nheads; h++) {
            double dt0 = Math.exp(random.nextDouble() * (Math.log(DT_MAX) - Math.log(DT_MIN)) + Math.log(DT_MIN));
            dt0 = Math.max(dt0, DT_FLOOR);
            dtBias.set((float) (dt0 + Math.log(-Math.expm1(-dt0))), h);
            aLog.set((float) Math.log(1 + 15 * random.nextDouble()), h);
            skipD.set(1f, h);
        }
        conv.initialise(random);
        norm.initialise();
    }

    private final class Saved implements Mixer.Activations {
        final int batch;
        final int seqlen;
        final SsdShape shape;
        final Tensor proj;      // (rows, dProj) in_proj output: [z | xBC | dt]
        final Tensor z;         // (rows, dInner)
        final Tensor xbc;       // (batch, T, convDim) before the conv
        final Tensor conved;    // (batch, T, convDim) after the conv, before SiLU
        final Tensor activated; // (batch, T, convDim) silu(conved)
        final Tensor x;         // (batch, T, nheads, headdim)
        final Tensor bmat;      // (batch, T, ngroups, dstate)
        final Tensor cmat;      // (batch, T, ngroups, dstate)
        final Tensor dtPre;     // (batch, T, nheads) dt + dt_bias
        final Tensor dt;        // (batch, T, nheads) softplus(dtPre)
        final Tensor a;         // (nheads) -exp(A_log)
        final Tensor y;         // (batch, T, nheads, headdim)
        final Tensor normed;    // (rows, dInner)
        final Tensor rstd;      // (rows * ngroups)
        // training only: the scan's chunk-boundary states and backward scratch
        final Tensor chunkStates;
        final Tensor dNormed;
        final Tensor dy;
        final Tensor dz;
        final Tensor dx;
        final Tensor ddt;
        final Tensor dB;
        final Tensor dC;
        final Tensor dA;        // (nheads)
        final Tensor dConved;   // (batch, T, convDim)
        final Tensor dXbc;      // (batch, T, convDim)
        final Tensor dProjOut;  // (rows, dProj)
        final Tensor workspace;

        /** Buffers for one (batch, T); {@code training} false leaves out what only backward needs. */
        Saved(int batch, int seqlen, boolean training) {
            this.batch = batch;
            this.seqlen = seqlen;
            int rows = batch * seqlen;
            shape = new SsdShape(batch, seqlen, nheads, headdim, ngroups, dstate);
            proj = Tensor.zeros(rows, dProj);
            z = Tensor.zeros(rows, dInner);
            xbc = Tensor.zeros(batch, seqlen, convDim);
            conved = Tensor.zeros(batch, seqlen, convDim);
            activated = Tensor.zeros(batch, seqlen, convDim);
            x = Tensor.zeros(batch, seqlen, nheads, headdim);
            bmat = Tensor.zeros(batch, seqlen, ngroups, dstate);
            cmat = Tensor.zeros(batch, seqlen, ngroups, dstate);
            dtPre = Tensor.zeros(batch, seqlen, nheads);
            dt = Tensor.zeros(batch, seqlen, nheads);
            a = Tensor.zeros(nheads);
            y = Tensor.zeros(batch, seqlen, nheads, headdim);
            normed = Tensor.zeros(rows, dInner);
            rstd = Tensor.zeros(rows * ngroups);
            chunkStates = training ? Tensor.zeros(scan.chunkStatesShape(shape)) : null;
            dNormed = training ? Tensor.zeros(rows, dInner) : null;
            dy = training ? Tensor.zeros(batch, seqlen, nheads, headdim) : null;
            dz = training ? Tensor.zeros(rows, dInner) : null;
            dx = training ? Tensor.zeros(batch, seqlen, nheads, headdim) : null;
            ddt = training ? Tensor.zeros(batch, seqlen, nheads) : null;
            dB = training ? Tensor.zeros(batch, seqlen, ngroups, dstate) : null;
            dC = training ? Tensor.zeros(batch, seqlen, ngroups, dstate) : null;
            dA = training ? Tensor.zeros(nheads) : null;
            dConved = training ? Tensor.zeros(batch, seqlen, convDim) : null;
            dXbc = training ? Tensor.zeros(batch, seqlen, convDim) : null;
            dProjOut = training ? Tensor.zeros(rows, dProj) : null;
            workspace = training ? Tensor.zeros(scan.backwardWorkspaceSize(shape)) : null;
        }
    }

    @Override
    public Mixer.Activations allocate(int batch, int seqlen) {
        return new Saved(batch, seqlen, true);
    }

    @Override
    public void forward(Kernels k, Tensor out, Tensor input, Mixer.Activations activations) {
        forward(k, out, input, (Saved) activations, null);
    }

    /** The forward pass; with {@code st} it continues that sequence's conv and SSM states and advances them. */
    private void forward(Kernels k, Tensor out, Tensor input, Saved s, State st) {
        int rows = s.batch * s.seqlen;
        inProj.forward(k, s.proj, input);
        Columns.copy(s.z, 0, s.proj, 0, dInner, rows);
        Columns.copy(s.xbc, 0, s.proj, dInner, convDim, rows);
        Columns.copy(s.dtPre, 0, s.proj, dInner + convDim, nheads, rows);
        if (st == null) {
            conv.forward(s.conved, s.xbc, s.batch, s.seqlen);
        } else {
            conv.prefillChunk(s.conved, s.xbc.select(0), s.seqlen, st.conv);
        }
        k.activation(Activation.SILU, s.activated, s.conved);
        splitXbc(s.x, s.bmat, s.cmat, s.activated, rows);
        addDtBias(s.dtPre, rows);
        k.activation(Activation.SOFTPLUS, s.dt, s.dtPre);
        minusExp(s.a);
        Tensor ssm = st == null ? null : st.ssm;
        scan.forward(s.y, ssm, s.chunkStates, s.x, s.dt, s.a, s.bmat, s.cmat, skipD, ssm);
        norm.forward(k, s.normed, s.rstd, s.y.view(rows, dInner), s.z);
        outProj.forward(k, out, s.normed);
    }

    @Override
    public void backward(Kernels k, Tensor dInput, Tensor dOut, Tensor input, Mixer.Activations activations) {
        Saved s = (Saved) activations;
        int rows = s.batch * s.seqlen;
        outProj.backward(k, s.dNormed, dOut, s.normed, false);
        norm.backward(k, s.dy.view(rows, dInner), s.dz, s.dNormed, s.y.view(rows, dInner), s.z, s.rstd);
        s.dA.fill(0f);
        scan.backward(s.dx, s.ddt, s.dA, s.dB, s.dC, dSkipD, null, s.dy, null, s.x, s.dt, s.a, s.bmat, s.cmat, skipD,
                s.chunkStates, s.workspace);
        // A = -exp(A_log): dA_log = dA * A.
        for (int h = 0; h < nheads; h++) {
            dALog.data()[dALog.offset() + h] += s.dA.at(h) * s.a.at(h);
        }
        // dt = softplus(dtPre): d(dtPre) = ddt * sigmoid(dtPre), kept in ddt; dt_bias collects it over rows.
        k.activationBackward(Activation.SOFTPLUS, s.ddt, s.ddt, s.dtPre);
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < nheads; h++) {
                dDtBias.data()[dDtBias.offset() + h] += s.ddt.at(r * nheads + h);
            }
        }
        joinXbc(s.dConved, s.dx, s.dB, s.dC, rows);
        k.activationBackward(Activation.SILU, s.dConved, s.dConved, s.conved);
        conv.backward(s.dXbc, s.dConved, s.xbc, s.batch, s.seqlen);
        Columns.copyInto(s.dProjOut, 0, s.dz, dInner, rows);
        Columns.copyInto(s.dProjOut, dInner, s.dXbc, convDim, rows);
        Columns.copyInto(s.dProjOut, dInner + convDim, s.ddt, nheads, rows);
        inProj.backward(k, dInput, s.dProjOut, input, false);
    }

    private void addDtBias(Tensor dtPre, int rows) {
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < nheads; h++) {
                dtPre.data()[dtPre.offset() + r * nheads + h] += dtBias.at(h);
            }
        }
    }

    private void minusExp(Tensor a) {
        for (int h = 0; h < nheads; h++) {
            a.set((float) -Math.exp(aLog.at(h)), h);
        }
    }

    /** x, B, C from the activated conv output (rows, convDim) = [x: dInner | B: G*N | C: G*N]. */
    private void splitXbc(Tensor x, Tensor bmat, Tensor cmat, Tensor xbc, int rows) {
        Columns.copy(x, 0, xbc, 0, dInner, rows);
        Columns.copy(bmat, 0, xbc, dInner, ngroups * dstate, rows);
        Columns.copy(cmat, 0, xbc, dInner + ngroups * dstate, ngroups * dstate, rows);
    }

    private void joinXbc(Tensor dXbc, Tensor dx, Tensor dB, Tensor dC, int rows) {
        Columns.copyInto(dXbc, 0, dx, dInner, rows);
        Columns.copyInto(dXbc, dInner, dB, ngroups * dstate, rows);
        Columns.copyInto(dXbc, dInner + ngroups * dstate, dC, ngroups * dstate, rows);
    }

    // ------------------------------------------------------------ recurrent inference

    /** One sequence's conv state (convDim, dConv) and SSM state (nheads, headdim, dstate). */
    static final class State implements Mixer.State {
        final float[] conv;
        final Tensor ssm;

        State(float[] conv, Tensor ssm) {
            this.conv = conv;
            this.ssm = ssm;
        }

        @Override
        public Mixer.State copy() {
            return new State(conv.clone(), ssm.copy());
        }

        @Override
        public void write(DataOutput out) throws IOException {
            for (float v : conv) {
                out.writeFloat(v);
            }
            for (int i = 0; i < ssm.size(); i++) {
                out.writeFloat(ssm.at(i));
            }
        }

        @Override
        public void read(DataInput in) throws IOException {
            for (int i = 0; i < conv.length; i++) {
                conv[i] = in.readFloat();
            }
            for (int i = 0; i < ssm.size(); i++) {
                ssm.data()[ssm.offset() + i] = in.readFloat();
            }
        }
    }

    @Override
    public Mixer.State newState(int maxLength) {
        return new State(new float[convDim * conv.width()], Tensor.zeros(1, nheads, headdim, dstate));
    }

    /** Prefill works through the prompt this many positions at a time, so its memory does not grow with T. */
    static final int PREFILL_CHUNK = 2048;

    @Override
    public void prefill(Kernels k, Tensor out, Tensor input, Mixer.State state) {
        State st = (State) state;
        int seqlen = input.dim(1);
        Tensor in = input.view(seqlen, d);
        Tensor o = out.view(seqlen, d);
        Saved s = null;
        for (int t0 = 0; t0 < seqlen; t0 += PREFILL_CHUNK) {
            int len = Math.min(PREFILL_CHUNK, seqlen - t0);
            if (s == null || s.seqlen != len) {
                s = new Saved(1, len, false);
            }
            forward(k, o.slice(t0, t0 + len).view(1, len, d), in.slice(t0, t0 + len).view(1, len, d), s, st);
        }
    }

    @Override
    public void step(Kernels k, Tensor out, Tensor input, Mixer.State[] states) {
        int n = states.length;
        Tensor proj = Tensor.zeros(n, dProj);
        Tensor z = Tensor.zeros(n, dInner);
        Tensor y = Tensor.zeros(n, dInner);
        Tensor normed = Tensor.zeros(n, dInner);
        Tensor a = Tensor.zeros(nheads);
        minusExp(a);
        inProj.forward(k, proj, input);
        Columns.copy(z, 0, proj, 0, dInner, n);
        pool.parallelFor(n, i -> stepOne(proj.select(i), y.select(i), a, (State) states[i]));
        norm.forward(k, normed, Tensor.zeros(n * ngroups), y, z);
        outProj.forward(k, out, normed);
    }

    /** The conv, SiLU, dt and SSM step of one sequence; y (dInner) receives the SSM output. */
    private void stepOne(Tensor proj, Tensor y, Tensor a, State st) {
        float[] xbc = new float[convDim];
        conv.step(xbc, 0, st.conv, 0, proj.data(), proj.offset() + dInner);
        for (int c = 0; c < convDim; c++) {
            xbc[c] = (float) Activation.SILU.apply(xbc[c]);
        }
        Tensor dt = Tensor.zeros(1, nheads);
        for (int h = 0; h < nheads; h++) {
            dt.set((float) Activation.SOFTPLUS.apply(proj.at(dInner + convDim + h) + dtBias.at(h)), 0, h);
        }
        int gn = ngroups * dstate;
        scan.step(y.view(1, nheads, headdim), st.ssm, Tensor.wrap(xbc, 0, 1, nheads, headdim), dt, a,
                Tensor.wrap(xbc, dInner, 1, ngroups, dstate), Tensor.wrap(xbc, dInner + gn, 1, ngroups, dstate), skipD);
    }
}
