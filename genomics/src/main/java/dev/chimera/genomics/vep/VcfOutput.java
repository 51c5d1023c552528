package dev.chimera.genomics.vep;

import dev.chimera.core.checkpoint.AtomicFiles;
import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.variantcontext.writer.Options;
import htsjdk.variant.variantcontext.writer.VariantContextWriter;
import htsjdk.variant.variantcontext.writer.VariantContextWriterBuilder;
import htsjdk.variant.vcf.VCFHeader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A VCF written by htsjdk's {@link VariantContextWriter}, all or nothing: {@code OUT.vcf.gz} is
 * bgzipped with a tabix index made on the fly ({@code OUT.vcf.gz.tbi}, what bcftools and IGV read),
 * any other name is plain text. Everything goes to a temporary folder beside OUT and is forced to disk;
 * {@link #commit} renames the VCF and then its index into place (each rename atomic), {@link #close}
 * without a commit deletes it all, so a failure leaves no partial output.
 *
 * <p>Records must come sorted (contigs in blocks, positions non-decreasing): tabix requires it and
 * htsjdk's index creator fails otherwise.
 */
public final class VcfOutput implements Closeable {
    private final Path out;
    private final Path temporaryFolder;
    private final List<Path> written = new ArrayList<>();
    private final VariantContextWriter writer;
    private boolean closed;

    private VcfOutput(Path out, VCFHeader header, SAMSequenceDictionary dictionary) throws IOException {
        this.out = out.toAbsolutePath();
        this.temporaryFolder = AtomicFiles.createUnique(this.out.getParent(), "." + out.getFileName() + ".", ".tmp",
                true);
        Path temporary = temporaryFolder.resolve(out.getFileName());
        written.add(temporary);
        VariantContextWriterBuilder builder = new VariantContextWriterBuilder().setOutputPath(temporary)
                .setReferenceDictionary(dictionary).clearOptions().setOption(Options.ALLOW_MISSING_FIELDS_IN_HEADER);
        if (bgzipped(out)) {
            builder.setOutputFileType(VariantContextWriterBuilder.OutputType.BLOCK_COMPRESSED_VCF)
                    .setOption(Options.INDEX_ON_THE_FLY);
            written.add(temporaryFolder.resolve(out.getFileName() + ".tbi"));
        } else {
            builder.setOutputFileType(VariantContextWriterBuilder.OutputType.VCF);
        }
        try {
            this.writer = builder.build();
            writer.writeHeader(header);
        } catch (RuntimeException e) {
            AtomicFiles.deleteRecursively(temporaryFolder);
            throw e;
        }
    }

    /** Starts writing {@code out} (bgzipped and indexed when it ends in .gz) with this header. */
    public static VcfOutput create(Path out, VCFHeader header, SAMSequenceDictionary dictionary) throws IOException {
        return new VcfOutput(out, header, dictionary);
    }

    /** Whether {@code out} is written bgzipped with a tabix index. */
    public static boolean bgzipped(Path out) {
        return out.getFileName().toString().endsWith(".gz");
    }

    /** The index that comes with {@code out}, or null for plain text. */
    public static Path index(Path out) {
        return bgzipped(out) ? out.resolveSibling(out.getFileName() + ".tbi") : null;
    }

    public void add(VariantContext variant) {
        writer.add(variant);
    }

    /** Finishes the VCF and its index, forces them to disk and renames them into place. */
    public void commit() throws IOException {
        writer.close();
        closed = true;
        for (Path p : written) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        AtomicFiles.move(written.get(0), out);
        if (written.size() > 1) {
            AtomicFiles.move(written.get(1), index(out));
        }
        AtomicFiles.deleteRecursively(temporaryFolder);
    }

    /** Without a {@link #commit}: drops everything written. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                writer.close();
            } catch (RuntimeException e) {
                // the output is being dropped; what failed before is what gets reported
            }
        }
        if (Files.exists(temporaryFolder)) {
            AtomicFiles.deleteRecursively(temporaryFolder);
        }
    }
}
