package dev.chimera.spark;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of one JVM (an executor, or the driver in local mode): each model directory is read
 * and checked once, the first time a task asks for it, and kept for every later task and job.
 * A {@link Decoder} holds per-sequence state, so each task running at a time borrows one of its
 * own; returned decoders wait for the next task, so an executor makes as many as it runs tasks at
 * once, whatever the number of partitions.
 */
final class ModelCache {
    private static final Map<Path, DnaModel> MODELS = new ConcurrentHashMap<>();
    private static final Map<DecoderKey, Queue<Lease>> IDLE = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelCache() {
    }

    /** What makes one decoder fit for another task: the job, its pooling and centre do not. */
    private record DecoderKey(String model, String span, int maxLength, int threads, String device) {
        DecoderKey(TaskSettings s) {
            this(s.model(), s.span(), s.maxLength(), s.threads(), s.device());
        }
    }

    /** A decoder of the settings' model, span and device; close the lease to hand it back. */
    static Lease borrow(TaskSettings settings) {
        DecoderKey key = new DecoderKey(settings);
        Queue<Lease> idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
        Lease lease = idle.poll();
        return lease != null ? lease : new Lease(key, idle);
    }

    /** The model of {@code directory}, read the first time it is asked for in this JVM. */
    static DnaModel model(Path directory) {
        return MODELS.computeIfAbsent(directory.toAbsolutePath().normalize(), dir -> {
            LOADS.incrementAndGet();
            try {
                return DnaModel.open(dir);
            } catch (IOException e) {
                throw new UserException("--model " + dir + ": " + e.getMessage(), e);
            }
        });
    }

    /** How many times this JVM has read a model directory. */
    static int loads() {
        return LOADS.get();
    }

    /** The config a model runs with: the spans {@code --span} chooses from those it was trained with and its context. */
    static ModelConfig inferenceConfig(DnaModel model, String span) {
        return InferenceSpan.parse(span).apply(model.config(), model.context());
    }

    /**
     * A decoder and the compute pool it runs on, lent to one task at a time. A task that finishes
     * calls {@link #reusable()} before closing it, and the decoder goes back for the next task; one
     * that fails (or is killed) mid-record closes it unmarked, and the decoder and its pool are
     * dropped rather than trusted again.
     */
    static final class Lease implements AutoCloseable {
        private final Queue<Lease> home;
        private final ComputePool pool;
        private final Decoder decoder;
        private boolean reusable;

        private Lease(DecoderKey s, Queue<Lease> home) {
            this.home = home;
            DnaModel model = model(Path.of(s.model()));
            ModelConfig config = inferenceConfig(model, s.span());
            this.pool = new ComputePool(s.threads());
            try {
                this.decoder = model.decoder(config, s.maxLength(), backend(s.device(), pool));
            } catch (IOException e) {
                pool.close();
                throw new UserException("--model " + s.model() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        }

        Decoder decoder() {
            return decoder;
        }

        /** The task is done with the decoder and left it fit for the next one. */
        void reusable() {
            reusable = true;
        }

        @Override
        public void close() {
            if (reusable) {
                reusable = false;
                home.offer(this);
            } else {
                pool.close();
            }
        }
    }

    /** The backend of {@code device}, as {@code --device} makes it on the driver. */
    private static Backend backend(String device, ComputePool pool) {
        try {
            return Backends.forDevice(device, pool);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserException("--device " + device + ": " + e.getMessage(), e);
        }
    }
}
