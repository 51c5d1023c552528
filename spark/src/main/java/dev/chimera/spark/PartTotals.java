package dev.chimera.spark;

import dev.chimera.genomics.Scorer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a part file holds: its records, their bases, the positions the model ran (units) and, for
 * scores, the scored bases and the sum of the log-likelihoods. A part writes them into its Parquet
 * footer, so the job's summary is the sum over the parts' footers whether a part was written by
 * this run or an earlier one.
 */
final class PartTotals {
    private static final String RECORDS = "records";
    private static final String BASES = "bases";
    private static final String UNITS = "units";
    private static final String SCORED = "scored_bases";
    private static final String LOG_LIKELIHOOD = "log_likelihood";

    long records;
    long bases;
    long units;
    long scoredBases;
    double logLikelihood;

    /** Counts a record of {@code bases} bases that took {@code units} units. */
    void addRecord(long bases, long units) {
        records++;
        this.bases += bases;
        this.units += units;
    }

    void addScore(Scorer.Score s) {
        scoredBases += s.scored();
        logLikelihood += s.logLikelihood();
    }

    void add(PartTotals o) {
        records += o.records;
        bases += o.bases;
        units += o.units;
        scoredBases += o.scoredBases;
        logLikelihood += o.logLikelihood;
    }

    /** -log_likelihood / (ln 2 * scored): bits per scored base, NaN when nothing was scored. */
    double bitsPerBase() {
        return scoredBases == 0 ? Double.NaN : -logLikelihood / (Math.log(2) * scoredBases);
    }

    /** The footer entries; a score's log-likelihood is written exactly (Double.toString reads back the same double). */
    Map<String, String> metadata(TaskSettings.Kind kind) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RECORDS, Long.toString(records));
        m.put(BASES, Long.toString(bases));
        m.put(UNITS, Long.toString(units));
        if (kind == TaskSettings.Kind.SCORE) {
            m.put(SCORED, Long.toString(scoredBases));
            m.put(LOG_LIKELIHOOD, Double.toString(logLikelihood));
        }
        return m;
    }

    /** The totals a part's footer holds; {@code file} names it in the message if an entry is missing. */
    static PartTotals of(Map<String, String> footer, TaskSettings.Kind kind, Path file) {
        PartTotals t = new PartTotals();
        t.records = Long.parseLong(entry(footer, RECORDS, file));
        t.bases = Long.parseLong(entry(footer, BASES, file));
        t.units = Long.parseLong(entry(footer, UNITS, file));
        if (kind == TaskSettings.Kind.SCORE) {
            t.scoredBases = Long.parseLong(entry(footer, SCORED, file));
            t.logLikelihood = Double.parseDouble(entry(footer, LOG_LIKELIHOOD, file));
        }
        return t;
    }

    private static String entry(Map<String, String> footer, String key, Path file) {
        String v = footer.get(key);
        if (v == null) {
            throw new IllegalStateException(file + ": the part file's footer has no '" + key + "'");
        }
        return v;
    }
}
