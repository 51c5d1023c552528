package dev.chimera.streaming.cli;

import dev.chimera.streaming.queue.QueueEntry;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import java.util.Arrays;

/**
 * A queue entry as one line for people, as {@code stream tail} prints it without {@code --json}:
 * the index, the record type, then its fields as {@code name=value}, e.g.
 * {@code 81604378624 observation series=ETTh1 timestamp=2016-07-01T00:00:00Z values=[5.827, 2.009]}.
 * Every value is shown in full.
 */
final class RecordText {

    private RecordText() {
    }

    static String line(QueueEntry entry) {
        StringBuilder s = new StringBuilder().append(entry.index()).append(' ')
                .append(entry.record().type().eventName());
        if (entry.record() instanceof Observation o) {
            s.append(" series=").append(o.series())
                    .append(" timestamp=").append(RecordJson.timestamp(o.timestamp()))
                    .append(" values=").append(Arrays.toString(o.values()));
        } else if (entry.record() instanceof ForecastRecord f) {
            s.append(" series=").append(f.series())
                    .append(" timestamp=").append(RecordJson.timestamp(f.timestamp()))
                    .append(" input_index=").append(f.inputIndex())
                    .append(" horizon=").append(f.horizon())
                    .append(" channels=").append(f.channels())
                    .append(" point=").append(Arrays.toString(f.point()));
            for (int q = 0; q < f.levels().length; q++) {
                s.append(" q").append(f.levels()[q]).append('=').append(Arrays.toString(f.quantiles()[q]));
            }
        } else if (entry.record() instanceof DeadLetter d) {
            s.append(" input_index=").append(d.inputIndex()).append(" reason=").append(d.reason());
            if (d.raw() != null) {
                s.append(" raw=").append(d.raw().replace('\n', ' '));
            }
        }
        return s.toString();
    }
}
