package dev.chimera.timeseries.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.timeseries.eval.BaselineEvaluation;
import dev.chimera.timeseries.eval.EvaluationRow;
import dev.chimera.timeseries.eval.MethodResult;
import java.io.PrintWriter;
import java.util.List;

/** How {@code ts eval} and {@code ts baseline} print results: a table, or one JSON object per row. */
final class Reports {
    private Reports() {
    }

    static void print(PrintWriter out, String dataset, List<MethodResult> results, boolean json) {
        if (!json) {
            out.print(BaselineEvaluation.table(results));
            out.flush();
            return;
        }
        for (MethodResult r : results) {
            for (EvaluationRow row : r.rows()) {
                JsonLine line = new JsonLine().put("dataset", dataset).put("method", row.method());
                if (row.horizon().equals("avg")) {
                    line.put("horizon", "avg");
                } else {
                    line.put("horizon", Long.parseLong(row.horizon()));
                }
                out.println(line.put("mse", row.mse(), 6).put("mae", row.mae(), 6).put("wql", row.wql(), 6)
                        .put("coverage", row.coverage(), 4).put("crps", row.crps(), 6).put("windows", row.windows()));
            }
        }
        out.flush();
    }
}
