package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.RowViews;
import dev.chimera.core.backend.SsdScanOp;
import dev.chimera.core.kernel.Activation;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
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
 * gated RMSNorm(y, z); out_proj. Training uses the backend's chunked scan forward and backward;
 * inference keeps a conv state (convDim, dConv) and an SSM state (nheads, headdim, dstate) per
 * sequence.
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
    private final SsdScanOp scan;
    private final Backend backend;
    private Tensor dtBias;   // (nheads)
    private Tensor dDtBias;
    private Tensor aLog;     // (nheads)
    private Tensor dALog;
    private Tensor skipD;    // (nheads)
    private Tensor dSkipD;

    public Mamba2Mixer(Parameters.Builder b, String prefix, ModelConfig c, Backend backend) {
        this.d = c.dModel();
        this.dInner = c.dInner();
        this.nheads = c.mambaHeads();
        this.headdim = c.headdim();
        this.ngroups = c.ngroups();
        this.dstate = c.dState();
        this.convDim = c.convDim();
        this.dProj = 2 * dInner + 2 * ngroups * dstate + nheads;
        this.inProj = new Linear(b, prefix + ".in_proj", d, dProj, false);
        this.conv = new CausalConv1d(b, prefix + ".conv1d", convDim, c.dConv(), backend);
        this.dtBiasName = prefix + ".dt_bias";
        this.aLogName = prefix + ".A_log";
        this.dName = prefix + ".D";
        b.add(dtBiasName, false, nheads);
        b.add(aLogName, false, nheads);
        b.add(dName, false, nheads);
        this.norm = new GatedRmsNorm(b, prefix + ".norm", dInner, ngroups);
        this.outProj = new Linear(b, prefix + ".out_proj", dInner, d, false);
        this.scan = backend.ssdScan(c.chunkSize());
        this.backend = backend;
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

    // ------------------------------------------------------------ training

    /** The buffers of one forward over (batch, T); with {@code training}, backward's too. */
    private final class Saved implements Mixer.Activations {
        final int batch;
        final int seqlen;
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
        final Tensor dALogStep; // (nheads) dA * A, before it is added into dA_log
        final Tensor dConved;   // (batch, T, convDim)
        final Tensor dXbc;      // (batch, T, convDim)
        final Tensor dProjOut;  // (rows, dProj)
        final Tensor workspace;

        Saved(Allocator alloc, int batch, int seqlen) {
            this.batch = batch;
            this.seqlen = seqlen;
            int rows = batch * seqlen;
            SsdShape shape = new SsdShape(batch, seqlen, nheads, headdim, ngroups, dstate);
            proj = alloc.take("proj", rows, dProj);
            z = alloc.take("z", rows, dInner);
            xbc = alloc.take("xbc", batch, seqlen, convDim);
            conved = alloc.take("conved", batch, seqlen, convDim);
            activated = alloc.take("activated", batch, seqlen, convDim);
            x = alloc.take("x", batch, seqlen, nheads, headdim);
            bmat = alloc.take("B", batch, seqlen, ngroups, dstate);
            cmat = alloc.take("C", batch, seqlen, ngroups, dstate);
            dtPre = alloc.take("dt_pre", batch, seqlen, nheads);
            dt = alloc.take("dt", batch, seqlen, nheads);
            a = alloc.take("A", nheads);
            y = alloc.take("y", batch, seqlen, nheads, headdim);
            normed = alloc.take("normed", rows, dInner);
            rstd = alloc.take("rstd", rows * ngroups);
            chunkStates = alloc.take("chunk_states", scan.chunkStatesShape(shape));
            dNormed = alloc.take("d_normed", rows, dInner);
            dy = alloc.take("dy", batch, seqlen, nheads, headdim);
            dz = alloc.take("dz", rows, dInner);
            dx = alloc.take("dx", batch, seqlen, nheads, headdim);
            ddt = alloc.take("ddt", batch, seqlen, nheads);
            dB = alloc.take("dB", batch, seqlen, ngroups, dstate);
            dC = alloc.take("dC", batch, seqlen, ngroups, dstate);
            dA = alloc.take("dA", nheads);
            dALogStep = alloc.take("dA_log", nheads);
            dConved = alloc.take("d_conved", batch, seqlen, convDim);
            dXbc = alloc.take("d_xbc", batch, seqlen, convDim);
            dProjOut = alloc.take("d_proj", rows, dProj);
            workspace = alloc.take("scan_workspace", scan.backwardWorkspaceSize(shape));
        }
    }

    @Override
    public Mixer.Activations allocate(Allocator alloc, int batch, int seqlen) {
        return new Saved(alloc, batch, seqlen);
    }

    @Override
    public void forward(Backend k, Tensor out, Tensor input, Mixer.Activations activations) {
        Saved s = (Saved) activations;
        int rows = s.batch * s.seqlen;
        project(k, s.proj, s.z, s.xbc.view(rows, convDim), s.dtPre.view(rows, nheads), input);
        conv.forward(s.conved, s.xbc);
        k.activation(Activation.SILU, s.activated, s.conved);
        splitXbc(k, s.x.view(rows, dInner), s.bmat.view(rows, ngroups * dstate), s.cmat.view(rows, ngroups * dstate),
                s.activated.view(rows, convDim));
        timeSteps(k, s.dt, s.dtPre, s.a);
        scan.forward(s.y, null, s.chunkStates, s.x, s.dt, s.a, s.bmat, s.cmat, skipD, null);
        norm.forward(k, s.normed, s.rstd, s.y.view(rows, dInner), s.z);
        outProj.forward(k, out, s.normed);
    }

    @Override
    public void backward(Backend k, Tensor dInput, Tensor dOut, Tensor input, Mixer.Activations activations) {
        Saved s = (Saved) activations;
        int rows = s.batch * s.seqlen;
        outProj.backward(k, s.dNormed, dOut, s.normed, false);
        norm.backward(k, s.dy.view(rows, dInner), s.dz, s.dNormed, s.y.view(rows, dInner), s.z, s.rstd);
        k.fill(s.dA, 0f);
        scan.backward(s.dx, s.ddt, s.dA, s.dB, s.dC, dSkipD, null, s.dy, null, s.x, s.dt, s.a, s.bmat, s.cmat, skipD,
                s.chunkStates, s.workspace);
        // A = -exp(A_log): dA_log = dA * A.
        k.mul(s.dALogStep, s.dA, s.a);
        k.add(dALog, dALog, s.dALogStep);
        // dt = softplus(dtPre): d(dtPre) = ddt * sigmoid(dtPre), kept in ddt; dt_bias collects it over rows.
        k.activationBackward(Activation.SOFTPLUS, s.ddt, s.ddt, s.dtPre);
        Tensor ddtRows = s.ddt.view(rows, nheads);
        k.addColumnSums(dDtBias, ddtRows);
        Tensor dConvedRows = s.dConved.view(rows, convDim);
        k.copyColumns(dConvedRows, 0, s.dx.view(rows, dInner), 0, dInner);
        k.copyColumns(dConvedRows, dInner, s.dB.view(rows, ngroups * dstate), 0, ngroups * dstate);
        k.copyColumns(dConvedRows, dInner + ngroups * dstate, s.dC.view(rows, ngroups * dstate), 0,
                ngroups * dstate);
        k.activationBackward(Activation.SILU, s.dConved, s.dConved, s.conved);
        conv.backward(s.dXbc, s.dConved, s.xbc);
        k.copyColumns(s.dProjOut, 0, s.dz, 0, dInner);
        k.copyColumns(s.dProjOut, dInner, s.dXbc.view(rows, convDim), 0, convDim);
        k.copyColumns(s.dProjOut, dInner + convDim, ddtRows, 0, nheads);
        inProj.backward(k, dInput, s.dProjOut, input, false);
    }

    /** in_proj of input (rows, d) into proj, split into z (rows, dInner), xBC (rows, convDim) and dt (rows, nheads). */
    private void project(Backend k, Tensor proj, Tensor z, Tensor xbc, Tensor dtPre, Tensor input) {
        inProj.forward(k, proj, input);
        k.copyColumns(z, 0, proj, 0, dInner);
        k.copyColumns(xbc, 0, proj, dInner, convDim);
        k.copyColumns(dtPre, 0, proj, dInner + convDim, nheads);
    }

    /** x (rows, dInner), B and C (rows, G*N) from the activated conv output (rows, convDim) = [x | B | C]. */
    private void splitXbc(Backend k, Tensor x, Tensor bmat, Tensor cmat, Tensor activated) {
        k.copyColumns(x, 0, activated, 0, dInner);
        k.copyColumns(bmat, 0, activated, dInner, ngroups * dstate);
        k.copyColumns(cmat, 0, activated, dInner + ngroups * dstate, ngroups * dstate);
    }

    /** dt = softplus(dtPre + dt_bias) (dtPre, of dt's shape, gets the bias added) and a = -exp(A_log). */
    private void timeSteps(Backend k, Tensor dt, Tensor dtPre, Tensor a) {
        k.addRowVector(dtPre, dtBias);
        k.activation(Activation.SOFTPLUS, dt, dtPre);
        k.activation(Activation.EXP, a, aLog);
        k.scale(a, -1f, a);
    }

    // ------------------------------------------------------------ recurrent inference

    /** One sequence's conv state (convDim, dConv) and SSM state (nheads, headdim, dstate). */
    static final class State implements Mixer.State {
        final Tensor conv;
        final Tensor ssm;

        State(Tensor conv, Tensor ssm) {
            this.conv = conv;
            this.ssm = ssm;
        }

        @Override
        public Mixer.State copy() {
            return new State(conv.copy(), ssm.copy());
        }

        @Override
        public void copyFrom(Mixer.State other) {
            State o = (State) other;
            conv.copyFrom(o.conv);
            ssm.copyFrom(o.ssm);
        }

        @Override
        public void write(DataOutput out) throws IOException {
            for (Tensor t : new Tensor[] {conv, ssm}) {
                float[] v = t.data();
                for (int i = 0; i < t.size(); i++) {
                    out.writeFloat(v[t.offset() + i]);
                }
            }
        }

        @Override
        public void read(DataInput in) throws IOException {
            for (Tensor t : new Tensor[] {conv, ssm}) {
                float[] v = t.data();
                for (int i = 0; i < t.size(); i++) {
                    v[t.offset() + i] = in.readFloat();
                }
            }
        }
    }

    @Override
    public Mixer.State newState(int capacity) {
        return new State(backend.allocate(convDim, conv.width()), backend.allocate(nheads, headdim, dstate));
    }

    /**
     * Inference buffers: a prefill of up to maxBatch x maxLength positions uses them whole, a step of
     * n sequences uses the first n rows through views made here, so that it allocates nothing.
     */
    private final class Workspace implements Mixer.Workspace {
        final int maxRows;
        final Tensor proj;      // (maxRows, dProj)
        final Tensor z;         // (maxRows, dInner)
        final Tensor xbc;       // (maxRows, convDim)
        final Tensor conved;    // (maxRows, convDim), SiLU applied in place
        final Tensor x;         // (maxRows, dInner) = (maxRows, nheads, headdim)
        final Tensor bmat;      // (maxRows, ngroups * dstate)
        final Tensor cmat;      // (maxRows, ngroups * dstate)
        final Tensor dtPre;     // (maxRows, nheads)
        final Tensor dt;        // (maxRows, nheads)
        final Tensor a;         // (nheads)
        final Tensor y;         // (maxRows, dInner) = (maxRows, nheads, headdim)
        final Tensor normed;    // (maxRows, dInner)
        final Tensor rstd;      // (maxRows * ngroups)
        final Tensor h0;        // (maxBatch, nheads, headdim, dstate): states gathered for a prefill
        final Tensor hFinal;    // (maxBatch, nheads, headdim, dstate)
        final RowViews stepProj;
        final RowViews stepZ;
        final RowViews stepXbc;
        final RowViews stepConved;
        final RowViews stepX2;
        final RowViews stepX3;
        final RowViews stepB2;
        final RowViews stepB3;
        final RowViews stepC2;
        final RowViews stepC3;
        final RowViews stepDtPre;
        final RowViews stepDt;
        final RowViews stepY2;
        final RowViews stepY3;
        final RowViews stepNormed;
        final RowViews stepRstd;
        final Tensor[] convStates;  // (maxBatch) the step's states, gathered without allocating
        final Tensor[] ssmStates;

        Workspace(Allocator alloc, int maxBatch, int maxLength) {
            maxRows = maxBatch * maxLength;
            int gn = ngroups * dstate;
            proj = alloc.take("proj", maxRows, dProj);
            z = alloc.take("z", maxRows, dInner);
            xbc = alloc.take("xbc", maxRows, convDim);
            conved = alloc.take("conved", maxRows, convDim);
            x = alloc.take("x", maxRows, dInner);
            bmat = alloc.take("B", maxRows, gn);
            cmat = alloc.take("C", maxRows, gn);
            dtPre = alloc.take("dt_pre", maxRows, nheads);
            dt = alloc.take("dt", maxRows, nheads);
            a = alloc.take("A", nheads);
            y = alloc.take("y", maxRows, dInner);
            normed = alloc.take("normed", maxRows, dInner);
            rstd = alloc.take("rstd", maxRows * ngroups);
            h0 = alloc.take("h0", maxBatch, nheads, headdim, dstate);
            hFinal = alloc.take("h_final", maxBatch, nheads, headdim, dstate);
            stepProj = new RowViews(proj, maxBatch, dProj);
            stepZ = new RowViews(z, maxBatch, dInner);
            stepXbc = new RowViews(xbc, maxBatch, convDim);
            stepConved = new RowViews(conved, maxBatch, convDim);
            stepX2 = new RowViews(x, maxBatch, dInner);
            stepX3 = new RowViews(x, maxBatch, nheads, headdim);
            stepB2 = new RowViews(bmat, maxBatch, gn);
            stepB3 = new RowViews(bmat, maxBatch, ngroups, dstate);
            stepC2 = new RowViews(cmat, maxBatch, gn);
            stepC3 = new RowViews(cmat, maxBatch, ngroups, dstate);
            stepDtPre = new RowViews(dtPre, maxBatch, nheads);
            stepDt = new RowViews(dt, maxBatch, nheads);
            stepY2 = new RowViews(y, maxBatch, dInner);
            stepY3 = new RowViews(y, maxBatch, nheads, headdim);
            stepNormed = new RowViews(normed, maxBatch, dInner);
            stepRstd = new RowViews(rstd, maxBatch * ngroups);
            convStates = new Tensor[maxBatch];
            ssmStates = new Tensor[maxBatch];
        }
    }

    @Override
    public Mixer.Workspace allocateWorkspace(Allocator alloc, int maxBatch, int maxLength) {
        return new Workspace(alloc, maxBatch, maxLength);
    }

    @Override
    public void prefill(Backend k, Tensor out, Tensor input, Mixer.State[] states, int[] lengths, Mixer.Workspace ws) {
        Workspace w = (Workspace) ws;
        int n = input.dim(0);
        int seqlen = input.dim(1);
        int rows = n * seqlen;
        Tensor proj = w.proj.slice(0, rows);
        Tensor z = w.z.slice(0, rows);
        Tensor xbc = w.xbc.slice(0, rows);
        Tensor conved = w.conved.slice(0, rows);
        Tensor dtPre = w.dtPre.slice(0, rows);
        Tensor dt = w.dt.slice(0, rows);
        project(k, proj, z, xbc, dtPre, input.view(rows, d));
        for (int i = 0; i < n; i++) {
            int from = i * seqlen;
            if (lengths[i] > 0) {
                conv.prefill(conved.slice(from, from + lengths[i]), ((State) states[i]).conv,
                        xbc.slice(from, from + lengths[i]));
            }
            if (lengths[i] < seqlen) {
                // Padding rows get zeros, not what an earlier call left here: nothing stale reaches the scan.
                k.fill(conved.slice(from + lengths[i], from + seqlen), 0f);
            }
        }
        k.activation(Activation.SILU, conved, conved);
        Tensor x = w.x.slice(0, rows);
        Tensor bmat = w.bmat.slice(0, rows);
        Tensor cmat = w.cmat.slice(0, rows);
        splitXbc(k, x, bmat, cmat, conved);
        timeSteps(k, dt, dtPre, w.a);
        // Padding leaves the state where the sequence ended: with dt = 0 a step decays by exp(0) = 1 and adds nothing.
        for (int i = 0; i < n; i++) {
            if (lengths[i] < seqlen) {
                k.fill(dt.slice(i * seqlen + lengths[i], (i + 1) * seqlen), 0f);
            }
        }
        Tensor h0 = w.h0.slice(0, n);
        Tensor hFinal = w.hFinal.slice(0, n);
        for (int i = 0; i < n; i++) {
            k.copy(h0.select(i), ((State) states[i]).ssm);
        }
        Tensor y = w.y.slice(0, rows);
        scan.forward(y.view(n, seqlen, nheads, headdim), hFinal, null, x.view(n, seqlen, nheads, headdim),
                dt.view(n, seqlen, nheads), w.a, bmat.view(n, seqlen, ngroups, dstate),
                cmat.view(n, seqlen, ngroups, dstate), skipD, h0);
        for (int i = 0; i < n; i++) {
            k.copy(((State) states[i]).ssm, hFinal.select(i));
        }
        Tensor normed = w.normed.slice(0, rows);
        norm.forward(k, normed, w.rstd.slice(0, rows * ngroups), y, z);
        outProj.forward(k, out.view(rows, d), normed);
    }

    @Override
    public void step(Backend k, Tensor out, Tensor input, Mixer.State[] states, Mixer.Workspace ws) {
        Workspace w = (Workspace) ws;
        int n = input.dim(0);
        for (int i = 0; i < n; i++) {
            w.convStates[i] = ((State) states[i]).conv;
            w.ssmStates[i] = ((State) states[i]).ssm;
        }
        Tensor z = w.stepZ.rows(n);
        Tensor xbc = w.stepXbc.rows(n);
        Tensor conved = w.stepConved.rows(n);
        Tensor dtPre = w.stepDtPre.rows(n);
        Tensor dt = w.stepDt.rows(n);
        project(k, w.stepProj.rows(n), z, xbc, dtPre, input);
        conv.step(conved, w.convStates, xbc);
        k.activation(Activation.SILU, conved, conved);
        splitXbc(k, w.stepX2.rows(n), w.stepB2.rows(n), w.stepC2.rows(n), conved);
        timeSteps(k, dt, dtPre, w.a);
        scan.step(w.stepY3.rows(n), w.ssmStates, w.stepX3.rows(n), dt, w.a, w.stepB3.rows(n), w.stepC3.rows(n), skipD);
        Tensor normed = w.stepNormed.rows(n);
        norm.forward(k, normed, w.stepRstd.rows(n * ngroups), w.stepY2.rows(n), z);
        outProj.forward(k, out, normed);
    }
}
