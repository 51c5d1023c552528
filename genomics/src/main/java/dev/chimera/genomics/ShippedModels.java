package dev.chimera.genomics;

import dev.chimera.runtime.UserException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The DNA models shipped in the repository's {@code models/} folder, found at the root of the
 * Chimera checkout the code runs from (or the working directory's), as {@link GenomeCache} finds
 * its {@code cache/}.
 */
public final class ShippedModels {
    /** The E. coli K-12 model trained by the command in {@code models/ecoli-hybrid/README.md}. */
    public static final String ECOLI = "ecoli-hybrid";

    private ShippedModels() {
    }

    /** {@code <checkout>/models/<name>}; fails with what to do when there is no checkout or no such model. */
    public static Path locate(String name) {
        Path checkout = GenomeCache.findCheckout(codeLocation());
        if (checkout == null || !Files.isDirectory(checkout.resolve("models").resolve(name))) {
            Path here = GenomeCache.findCheckout(Paths.get("").toAbsolutePath());
            checkout = here != null ? here : checkout;
        }
        if (checkout == null) {
            throw new UserException("cannot find the Chimera checkout (a folder with the 'chimera' launcher and "
                    + "pom.xml) above the program or the working directory, so not its models/" + name);
        }
        Path dir = checkout.resolve("models").resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new UserException(dir + " does not exist; the checkout should ship it (see README.md)");
        }
        return dir;
    }

    private static Path codeLocation() {
        try {
            return Paths.get(ShippedModels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
