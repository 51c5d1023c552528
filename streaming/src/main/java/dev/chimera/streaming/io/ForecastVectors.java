package dev.chimera.streaming.io;

import dev.chimera.streaming.record.ForecastRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;

/** Forecasts in and out of the vectors of a batch of {@link ArrowSchemas#forecasts()}, one row each. */
final class ForecastVectors {

    private ForecastVectors() {
    }

    /** Fills rows 0 to {@code records.size() - 1} of {@code root}, whose vectors are allocated. */
    static void fill(VectorSchemaRoot root, List<ForecastRecord> records) {
        VarCharVector series = (VarCharVector) root.getVector("series");
        BigIntVector inputIndex = (BigIntVector) root.getVector("input_index");
        BigIntVector timestamp = (BigIntVector) root.getVector("timestamp");
        IntVector horizon = (IntVector) root.getVector("horizon");
        IntVector channels = (IntVector) root.getVector("channels");
        ListVector point = (ListVector) root.getVector("point");
        ListVector levels = (ListVector) root.getVector("levels");
        ListVector quantiles = (ListVector) root.getVector("quantiles");
        for (int row = 0; row < records.size(); row++) {
            ForecastRecord f = records.get(row);
            series.setSafe(row, f.series().getBytes(StandardCharsets.UTF_8));
            inputIndex.setSafe(row, f.inputIndex());
            timestamp.setSafe(row, f.timestamp());
            horizon.setSafe(row, f.horizon());
            channels.setSafe(row, f.channels());
            setDoubles(point, row, f.point());
            setDoubles(levels, row, f.levels());
            int first = quantiles.startNewValue(row);
            for (int q = 0; q < f.quantiles().length; q++) {
                setDoubles((ListVector) quantiles.getDataVector(), first + q, f.quantiles()[q]);
            }
            quantiles.endValue(row, f.quantiles().length);
        }
    }

    /** The forecast in row {@code row} of a loaded batch. */
    static ForecastRecord read(VectorSchemaRoot root, int row) {
        ListVector quantileLists = (ListVector) root.getVector("quantiles");
        int first = quantileLists.getElementStartIndex(row);
        double[][] quantiles = new double[quantileLists.getElementEndIndex(row) - first][];
        for (int q = 0; q < quantiles.length; q++) {
            quantiles[q] = doubles((ListVector) quantileLists.getDataVector(), first + q);
        }
        return new ForecastRecord(
                new String(((VarCharVector) root.getVector("series")).get(row), StandardCharsets.UTF_8),
                inputIndex(root, row),
                ((BigIntVector) root.getVector("timestamp")).get(row),
                ((IntVector) root.getVector("horizon")).get(row),
                ((IntVector) root.getVector("channels")).get(row),
                doubles((ListVector) root.getVector("point"), row),
                doubles((ListVector) root.getVector("levels"), row),
                quantiles);
    }

    /** The input index the forecast in row {@code row} answers. */
    static long inputIndex(VectorSchemaRoot root, int row) {
        return ((BigIntVector) root.getVector("input_index")).get(row);
    }

    private static void setDoubles(ListVector list, int row, double[] values) {
        int first = list.startNewValue(row);
        Float8Vector items = (Float8Vector) list.getDataVector();
        for (int i = 0; i < values.length; i++) {
            items.setSafe(first + i, values[i]);
        }
        list.endValue(row, values.length);
    }

    private static double[] doubles(ListVector list, int row) {
        Float8Vector items = (Float8Vector) list.getDataVector();
        int first = list.getElementStartIndex(row);
        double[] values = new double[list.getElementEndIndex(row) - first];
        for (int i = 0; i < values.length; i++) {
            values[i] = items.get(first + i);
        }
        return values;
    }
}
