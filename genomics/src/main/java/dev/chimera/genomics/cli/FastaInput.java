package dev.chimera.genomics.cli;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.runtime.BatchRun;
import dev.chimera.runtime.Progress;
import java.nio.file.Path;
import java.util.Locale;

/** A FASTA/FASTQ file as the input of a batch run: its records in order, each with its tokens. */
final class FastaInput implements BatchRun.Input<FastaInput.Tokenized> {
    private final Path fasta;
    private final OnInvalid onInvalid;
    private final NucleotideTokenizer tokenizer;

    /** A record and its tokens ({@code --on-invalid} applied); its size is its number of tokens (bases). */
    record Tokenized(SequenceRecord record, byte[] tokens) implements BatchRun.Record {
        @Override
        public String id() {
            return record.id();
        }

        @Override
        public String where() {
            return record.where();
        }

        @Override
        public long size() {
            return tokens.length;
        }
    }

    FastaInput(Path fasta, OnInvalid onInvalid) {
        this.fasta = fasta;
        this.onInvalid = onInvalid;
        this.tokenizer = new NucleotideTokenizer(onInvalid);
    }

    @Override
    public String name() {
        return fasta.toString();
    }

    @Override
    public BatchRun.Pass<Tokenized> open() {
        FastaSource source = FastaSource.open(fasta);
        return new BatchRun.Pass<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Tokenized next() {
                SequenceRecord r = source.next();
                return new Tokenized(r, tokenizer.encode(r));
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    /** After the checking pass: how many characters --on-invalid mask or skip took care of. */
    @Override
    public void checked(Progress notes) {
        if (tokenizer.invalidCount() > 0) {
            notes.note(String.format(Locale.ROOT, "%s %,d invalid characters (--on-invalid %s)",
                    onInvalid == OnInvalid.MASK ? "read as N" : "dropped", tokenizer.invalidCount(),
                    onInvalid.name().toLowerCase(Locale.ROOT)));
        }
    }
}
