package dev.chimera.timeseries.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.timeseries.baseline.QuantileLevels;
import dev.chimera.timeseries.data.Scaler;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.data.Split;
import dev.chimera.timeseries.eval.BaselineEvaluation;
import dev.chimera.timeseries.eval.MethodResult;
import dev.chimera.timeseries.eval.Metrics;
import dev.chimera.timeseries.eval.Windows;
import dev.chimera.timeseries.model.ModelEvaluation;
import dev.chimera.timeseries.model.TsModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera ts eval}: the model and every baseline on the test part's windows by the standard
 * protocol (z-scores fitted on the train part, windows sliding by one, all channels), per horizon
 * and averaged.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Scores a model and the baselines on the test part: MSE, MAE (and WQL, coverage for quantile methods).")
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model trained by 'ts train'.")
    Path model;

    @Mixin
    TableOptions data;

    @Mixin
    Horizons horizonOption;

    @Mixin
    BaselineOptions baselineOptions;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        Progress progress = new Progress(spec.commandLine().getErr(), System.console() != null, "");
        int[] horizons = horizonOption.checked(spec);
        try (ComputePool pool = new ComputePool(compute.threads())) {
            TsModel m = TsModel.open(model, compute.backend(pool));
            SeriesTable table = data.read();
            ModelData.requireSameStep(m, table, data.file());
            Split split = data.split(table, m.settings().lookback(), m.settings().segment());
            Scaler scaler = Scaler.fit(table, split);
            List<MethodResult> results = new ArrayList<>();
            results.add(evaluateModel(m, table, scaler, split, horizons, progress));
            BaselineEvaluation baselines = new BaselineEvaluation(pool, m.settings().lookback(), horizons,
                    QuantileLevels.defaults());
            results.addAll(baselines.evaluateAll(baselineOptions.baselines(pool), scaler.scale(table.values()), split));
            Reports.print(spec.commandLine().getOut(), table.name(), results, json.enabled());
        }
        return 0;
    }

    private MethodResult evaluateModel(TsModel m, SeriesTable table, Scaler scaler, Split split, int[] horizons,
                                       Progress progress) {
        long t0 = System.nanoTime();
        ModelEvaluation evaluation = new ModelEvaluation(m, table, scaler, split, 256);
        Progress.Step step = progress.step("forecasting test windows", evaluation.origins(Windows.Part.TEST, horizons, 1)
                * (long) table.seriesCount(), "sequences");
        Map<Integer, Metrics> byHorizon = evaluation.evaluate(Windows.Part.TEST, horizons,
                m.settings().fourier() ? QuantileLevels.defaults() : new double[0], 1, step::update);
        step.done();
        Metrics[] metrics = new Metrics[horizons.length];
        int[] windows = new int[horizons.length];
        for (int k = 0; k < horizons.length; k++) {
            metrics[k] = byHorizon.get(horizons[k]);
            windows[k] = Windows.test(split, m.settings().lookback(), horizons[k]).count();
        }
        return new MethodResult("model", horizons.clone(), metrics, windows, 0, (System.nanoTime() - t0) / 1e9);
    }
}
