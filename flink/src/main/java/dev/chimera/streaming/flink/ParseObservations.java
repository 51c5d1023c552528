package dev.chimera.streaming.flink;

import dev.chimera.streaming.record.DeadLetter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The input file's lines as observations: the header (line 0, checked before the job was submitted)
 * is skipped; a data line's input index is its position among the data lines; a malformed line is
 * a dead letter (to {@link ForecastPipeline#DEAD_LETTERS}) naming its line number (from 1, as an
 * editor shows it) and what was expected, and the stream goes on.
 */
public final class ParseObservations extends ProcessFunction<SourceLine, SeriesObservation> {
    private static final long serialVersionUID = 1L;

    private final ObservationCsv format;

    public ParseObservations(ObservationCsv format) {
        this.format = format;
    }

    @Override
    public void processElement(SourceLine line, Context ctx, Collector<SeriesObservation> out) {
        if (line.number == 0) {
            return;
        }
        long index = line.number - 1;
        try {
            out.collect(new SeriesObservation(index, format.parse(line.text)));
        } catch (ObservationCsv.MalformedLine e) {
            DeadLetter letter = new DeadLetter(index, "line " + (line.number + 1) + ": " + e.getMessage(), line.text);
            ctx.output(ForecastPipeline.DEAD_LETTERS, RecordLines.deadLetter(letter));
        }
    }
}
