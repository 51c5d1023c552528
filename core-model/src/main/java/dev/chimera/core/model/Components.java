package dev.chimera.core.model;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.layers.Head;
import dev.chimera.core.layers.InputAdapter;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of input adapters and heads by name: the {@code kind} of a config's
 * {@code input} and {@code head} ({@link ComponentSpec}). The core registers its own (input
 * {@code tokens} and {@code continuous}; heads {@code softmax}, {@code fourier} and
 * {@code regression}); a domain module adds its components by listing a {@link Provider} in
 * {@code META-INF/services/dev.chimera.core.model.Components$Provider}, found on first use, or
 * by calling {@link #register} before it builds a model. A name can be registered once.
 */
public final class Components {

    /** What a factory needs to build its component into a decoder. */
    public record Context(Parameters.Builder parameters, int dModel, Backend backend, InputAdapter input) {
    }

    /** Makes input adapters of one kind. */
    public interface InputFactory {
        String kind();

        /** Checks the spec's settings, each error naming its field ({@link ComponentSpec#invalid}). */
        void validate(ComponentSpec spec);

        InputAdapter create(ComponentSpec spec, Context context);
    }

    /** Makes heads of one kind. */
    public interface HeadFactory {
        String kind();

        /** Checks the spec's settings against the model's input (a tied head needs a token input). */
        void validate(ComponentSpec spec, ComponentSpec input);

        /** {@code context.input()} is the model's input adapter, built before the head. */
        Head create(ComponentSpec spec, Context context);

        /** Forward FLOPs per position of a head of this spec on hidden states of width dModel (for MFU figures). */
        double flopsPerToken(ComponentSpec spec, int dModel);
    }

    /** A module's components, found through {@link ServiceLoader}. */
    public interface Provider {
        Iterable<InputFactory> inputs();

        Iterable<HeadFactory> heads();
    }

    private static final Map<String, InputFactory> INPUTS = new ConcurrentHashMap<>();
    private static final Map<String, HeadFactory> HEADS = new ConcurrentHashMap<>();

    static {
        register(new CoreComponents());
        for (Provider p : ServiceLoader.load(Provider.class)) {
            register(p);
        }
    }

    private Components() {
    }

    /** Registers every factory of a provider, or none of them if one of its names is taken by another factory. */
    public static synchronized void register(Provider provider) {
        for (InputFactory f : provider.inputs()) {
            if (INPUTS.containsKey(f.kind()) && INPUTS.get(f.kind()) != f) {
                throw new IllegalStateException("an input adapter named '" + f.kind() + "' is already registered");
            }
        }
        for (HeadFactory f : provider.heads()) {
            if (HEADS.containsKey(f.kind()) && HEADS.get(f.kind()) != f) {
                throw new IllegalStateException("a head named '" + f.kind() + "' is already registered");
            }
        }
        for (InputFactory f : provider.inputs()) {
            INPUTS.put(f.kind(), f);
        }
        for (HeadFactory f : provider.heads()) {
            HEADS.put(f.kind(), f);
        }
    }

    public static InputFactory input(ComponentSpec spec) {
        InputFactory f = INPUTS.get(spec.kind());
        if (f == null) {
            throw new IllegalArgumentException("model config: input.kind: '" + spec.kind()
                    + "' is not a registered input adapter (registered: " + new TreeMap<>(INPUTS).keySet()
                    + "); the module that provides it must be on the class path");
        }
        return f;
    }

    public static HeadFactory head(ComponentSpec spec) {
        HeadFactory f = HEADS.get(spec.kind());
        if (f == null) {
            throw new IllegalArgumentException("model config: head.kind: '" + spec.kind()
                    + "' is not a registered head (registered: " + new TreeMap<>(HEADS).keySet()
                    + "); the module that provides it must be on the class path");
        }
        return f;
    }
}
