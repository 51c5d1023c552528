package dev.chimera.cuda;

/**
 * A kernel launch's grid (blocks) and block (threads) dimensions and its dynamic shared memory in
 * bytes, checked against the limits every GPU this module targets (compute capability 8.0 and
 * later) has: at most 1,024 threads per block, 2^31 - 1 blocks in x, 65,535 in y and z, and 48 KiB
 * of dynamic shared memory without an opt-in (this module never opts in).
 */
public record LaunchGeometry(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes) {

    /** Dynamic shared memory a kernel may use without {@code cuFuncSetAttribute}. */
    public static final int MAX_SHARED_BYTES = 48 * 1024;

    public LaunchGeometry {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1) {
            throw new IllegalArgumentException("empty launch: grid " + gridX + "x" + gridY + "x" + gridZ
                    + ", block " + blockX + "x" + blockY + "x" + blockZ);
        }
        if (gridY > 65_535 || gridZ > 65_535) {
            throw new IllegalArgumentException("grid " + gridX + "x" + gridY + "x" + gridZ
                    + " exceeds 65,535 blocks in y or z");
        }
        if ((long) blockX * blockY * blockZ > 1024) {
            throw new IllegalArgumentException("block " + blockX + "x" + blockY + "x" + blockZ
                    + " has more than 1,024 threads");
        }
        if (sharedBytes < 0 || sharedBytes > MAX_SHARED_BYTES) {
            throw new IllegalArgumentException(sharedBytes + " bytes of dynamic shared memory (at most "
                    + MAX_SHARED_BYTES + ")");
        }
    }

    /** Threads per block of the grid-stride kernels (common.cuh's FOR_EACH). */
    public static final int STRIDE_BLOCK = 256;
    /** At most this many blocks for a grid-stride kernel: beyond it each thread loops, which costs nothing. */
    public static final int MAX_STRIDE_BLOCKS = 4096;

    /** A grid-stride launch over {@code n} elements: blocks of 256, at most 4,096 of them. */
    public static LaunchGeometry gridStride(long n) {
        return gridStride(n, MAX_STRIDE_BLOCKS);
    }

    /**
     * A grid-stride launch over {@code n} elements in at most {@code maxBlocks} blocks of 256 (a kernel that
     * leaves one partial sum per block keeps them few).
     */
    public static LaunchGeometry gridStride(long n, int maxBlocks) {
        return new LaunchGeometry(Math.min(maxBlocks, blocks(n, STRIDE_BLOCK)), 1, 1, STRIDE_BLOCK, 1, 1, 0);
    }

    /** One block of {@code block} threads per row, {@code rows} rows: the row kernels' launch. */
    public static LaunchGeometry perRow(int rows, int block, int sharedBytes) {
        return new LaunchGeometry(rows, 1, 1, block, 1, 1, sharedBytes);
    }

    /** ceil(n / per), at least 1: how many blocks of {@code per} cover {@code n}. */
    public static int blocks(long n, int per) {
        long b = Math.max(1, (n + per - 1) / per);
        if (b > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " threads need more than 2^31 - 1 blocks of " + per);
        }
        return (int) b;
    }

    /** Threads in one block. */
    public int threadsPerBlock() {
        return blockX * blockY * blockZ;
    }

    /** Threads in the whole launch. */
    public long threads() {
        return (long) gridX * gridY * gridZ * threadsPerBlock();
    }
}
