package dev.chimera.runtime;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The Chimera checkout a command runs from: the folder with the {@code chimera} launcher and the
 * parent pom.xml, found above the running code (the launcher runs the jars it built) or else above
 * the working directory. The shipped models ({@code models/}), the genome cache ({@code cache/})
 * and the shared data next to the checkout ({@code ../shared/}) are found from it, wherever the
 * user's working directory is.
 */
public final class Checkout {
    private Checkout() {
    }

    /** The nearest folder at or above {@code start} holding the {@code chimera} launcher and a pom.xml, or null. */
    public static Path find(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("chimera")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return null;
    }

    /** The checkout above the running code, else above the working directory; null when neither is in one. */
    public static Path locate() {
        Path checkout = find(codeLocation());
        return checkout != null ? checkout : find(Paths.get("").toAbsolutePath());
    }

    /**
     * {@code <checkout>/models/<name>}, preferring a checkout that has it (the code's, then the
     * working directory's); fails with what to do when there is no checkout or no such model.
     */
    public static Path shippedModel(String name) {
        Path checkout = find(codeLocation());
        if (checkout == null || !Files.isDirectory(checkout.resolve("models").resolve(name))) {
            Path here = find(Paths.get("").toAbsolutePath());
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
            return Paths.get(Checkout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
