package dev.chimera.streaming.consumer;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.Checkout;
import dev.chimera.timeseries.model.TsModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** The checkout's shipped ETTh1 models, opened once per test JVM on one CPU thread. */
final class ShippedModels {
    private static final ComputePool POOL = new ComputePool(1);
    private static final Map<String, TsModel> OPEN = new HashMap<>();

    private ShippedModels() {
    }

    static synchronized TsModel get(String name) {
        return OPEN.computeIfAbsent(name, n -> {
            try {
                return TsModel.open(Checkout.shippedModel(n), Backends.forDevice("cpu", POOL).rowInvariant());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
