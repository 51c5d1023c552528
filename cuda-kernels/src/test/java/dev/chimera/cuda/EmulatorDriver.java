package dev.chimera.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' stand-in for a GPU: the {@code cuda-emu} process (built from {@code src/test/emulator}
 * by the build where g++ is) runs the real {@code .cu} kernels on the CPU, a block's threads as
 * fibers meeting at barriers and shuffles, shared memory poisoned with NaN before each block, and
 * guard zones around every allocation checked after every launch. This class speaks its protocol
 * ({@code src/test/emulator/README.md}) over the process's stdin and stdout. Kernels with tensor-core
 * or asynchronous-copy instructions cannot be emulated; launching one is an error saying so.
 */
final class EmulatorDriver implements DeviceDriver {
    /** Where the build leaves the emulator. */
    static final Path BINARY = Path.of("target/cuda-emu/cuda-emu");

    private static final byte ALLOC = 1;
    private static final byte FREE = 2;
    private static final byte UPLOAD = 3;
    private static final byte DOWNLOAD = 4;
    private static final byte MEMSET32 = 5;
    private static final byte LAUNCH = 6;
    private static final byte SYNC = 7;
    private static final byte QUIT = 9;

    private final Process process;
    private final DataOutputStream out;
    private final DataInputStream in;

    private EmulatorDriver(Process process) {
        this.process = process;
        this.out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    }

    /** True where the build made the emulator. */
    static boolean built() {
        return Files.isExecutable(BINARY);
    }

    static EmulatorDriver start() {
        try {
            return new EmulatorDriver(new ProcessBuilder(BINARY.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
    }

    @Override
    public GpuInfo info() {
        return new GpuInfo("cuda-emu (kernels emulated on the CPU)", 8, 0, 0, 0, 1, 0, 0, 0);
    }

    @Override
    public synchronized long allocate(long bytes) {
        return call(() -> {
            out.writeByte(ALLOC);
            writeLong(bytes);
        }, "allocate " + bytes + " bytes", Long.BYTES).getLong();
    }

    @Override
    public synchronized void free(long address) {
        call(() -> {
            out.writeByte(FREE);
            writeLong(address);
        }, "free");
    }

    @Override
    public synchronized void upload(long address, float[] src, int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(src, 0, n);
        upload(address, b.array());
    }

    @Override
    public synchronized void upload(long address, int[] src, int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(src, 0, n);
        upload(address, b.array());
    }

    private void upload(long address, byte[] bytes) {
        call(() -> {
            out.writeByte(UPLOAD);
            writeLong(address);
            writeLong(bytes.length);
            out.write(bytes);
        }, "upload");
    }

    @Override
    public synchronized void download(float[] dst, int n, long address) {
        download(address, 4L * n).asFloatBuffer().get(dst, 0, n);
    }

    @Override
    public synchronized void downloadDoubles(double[] dst, int n, long address) {
        download(address, 8L * n).asDoubleBuffer().get(dst, 0, n);
    }

    private ByteBuffer download(long address, long bytes) {
        return call(() -> {
            out.writeByte(DOWNLOAD);
            writeLong(address);
            writeLong(bytes);
        }, "download", (int) bytes);
    }

    @Override
    public synchronized void memset32(long address, int bits, long count) {
        call(() -> {
            out.writeByte(MEMSET32);
            writeLong(address);
            writeInt(bits);
            writeLong(count);
        }, "memset");
    }

    @Override
    public Object function(KernelFamily family, String name) {
        return name;
    }

    @Override
    public synchronized void launch(Object function, LaunchGeometry g, Object[] args) {
        String name = (String) function;
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        call(() -> {
            out.writeByte(LAUNCH);
            writeShort(n.length);
            out.write(n);
            for (int v : new int[] {g.gridX(), g.gridY(), g.gridZ(), g.blockX(), g.blockY(), g.blockZ(), g.sharedBytes()}) {
                writeInt(v);
            }
            writeShort(args.length);
            for (Object a : args) {
                if (a instanceof Long address) {
                    out.writeByte(0);
                    writeLong(address);
                } else if (a instanceof Integer v) {
                    out.writeByte(1);
                    writeInt(v);
                } else {
                    out.writeByte(2);
                    writeInt(Float.floatToRawIntBits((Float) a));
                }
            }
        }, "launch " + name);
    }

    @Override
    public synchronized void synchronize() {
        call(() -> out.writeByte(SYNC), "synchronize");
    }

    @Override
    public synchronized void close() {
        try {
            out.writeByte(QUIT);
            out.flush();
        } catch (IOException ignored) {
            // the process is gone already
        }
        process.destroy();
    }

    private interface Request {
        void write() throws IOException;
    }

    private ByteBuffer call(Request request, String what) {
        return call(request, what, 0);
    }

    /** Sends a request and reads the status and {@code replyBytes} of payload (little-endian). */
    private ByteBuffer call(Request request, String what, int replyBytes) {
        try {
            request.write();
            out.flush();
            int status = in.read();
            if (status < 0) {
                throw new IllegalStateException("cuda-emu exited during " + what);
            }
            if (status != 0) {
                byte[] message = new byte[Integer.reverseBytes(in.readInt())];
                in.readFully(message);
                throw new IllegalStateException("cuda-emu: " + what + ": " + new String(message, StandardCharsets.UTF_8));
            }
            byte[] payload = new byte[replyBytes];
            in.readFully(payload);
            return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda-emu: " + what, e);
        }
    }

    private void writeLong(long v) throws IOException {
        out.writeLong(Long.reverseBytes(v));
    }

    private void writeInt(int v) throws IOException {
        out.writeInt(Integer.reverseBytes(v));
    }

    private void writeShort(int v) throws IOException {
        out.writeShort(Short.reverseBytes((short) v));
    }
}
