package dev.chimera.robotics.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.robotics.data.Trajectories;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness on seeded smooth and noisy data: BEAST beats binning on tokens and MSE, no C0 jumps; the metrics. */
class TokenizerHarnessTest {

    private static TokenizerHarness.Settings settings(int chunk) {
        return new TokenizerHarness.Settings(chunk, 0, 4, 1e-6, Continuity.C0, 0);
    }

    @Test
    void beastBeatsBinningOnTokensAndMseOnSmoothAndNoisyData() {
        for (double noise : new double[] {0.0, 0.01}) {
            Trajectories data = Synthetic.smooth(21, 10, 160, 6, 1, 20, noise);
            TokenizerHarness.Report report = TokenizerHarness.run(data, settings(20));
            assertEquals(8, report.trainEpisodes());
            assertEquals(2, report.testEpisodes());
            assertTrue(report.heldOut());
            TokenizerHarness.Score beast = report.scores().get(0);
            TokenizerHarness.Score binning = report.scores().get(1);
            TokenizerHarness.Score fast = report.scores().get(2);
            assertEquals(List.of("beast", "binning", "fast"), report.scores().stream().map(TokenizerHarness.Score::method)
                    .toList());
            assertEquals(140.0, binning.tokensPerChunk(), 0.0);
            assertEquals(report.beast().tokensPerChunk(6, 1), beast.tokensPerChunk(), 0.0);
            assertTrue(beast.tokensPerChunk() < binning.tokensPerChunk() / 2, "tokens " + beast.tokensPerChunk());
            assertTrue(beast.mse() < binning.mse(), "noise " + noise + ": beast " + beast.mse() + " binning "
                    + binning.mse());
            assertEquals(0.0, beast.boundaryJump(), 0.0);
            assertTrue(binning.boundaryJump() > 0 && fast.boundaryJump() > 0);
            assertTrue(fast.tokensPerChunk() < binning.tokensPerChunk());
            assertTrue(beast.encodeUs() > 0 && beast.decodeUs() > 0 && Double.isFinite(report.dataJerkRms()));
        }
    }

    @Test
    void noisierDataTakesMoreControlPointsThanHalfOfTAndStillBeatsBinning() {
        // 5% noise: no N up to T/2 = 15 gets the training error under half of binning's
        Trajectories data = Synthetic.smooth(22, 10, 300, 6, 0, 30, 0.05);
        TokenizerHarness.Report report = TokenizerHarness.run(data, settings(30));
        TokenizerHarness.Score beast = report.scores().get(0);
        TokenizerHarness.Score binning = report.scores().get(1);
        assertEquals(27, report.beast().controlPoints());
        assertTrue(beast.tokensPerChunk() < binning.tokensPerChunk(), "tokens " + beast.tokensPerChunk());
        assertTrue(beast.mse() < binning.mse(), "beast " + beast.mse() + " binning " + binning.mse());
    }

    @Test
    void fewerThanFiveEpisodesAreFittedAndMeasuredOnTheSameOnes() {
        Trajectories data = Synthetic.smooth(1, 3, 50, 2, 0, 10, 0.0);
        TokenizerHarness.Report report = TokenizerHarness.run(data, new TokenizerHarness.Settings(10, 4, 4, 1e-6,
                Continuity.C1, 0));
        assertFalse(report.heldOut());
        assertEquals(3, report.trainEpisodes());
        assertEquals(3, report.testEpisodes());
        assertEquals(4, report.beast().controlPoints());
        assertEquals(3, report.beast().degree(), "degree lowered to N - 1");
        assertEquals(2 * 2, report.scores().get(0).tokensPerChunk(), 0.0);
    }

    @Test
    void jerkOfACubicIsSixAndGrippersAreLeftOut() {
        // x = t^3 sampled at 25 Hz: the third difference times rate^3 is exactly 6 per s^3
        double[][] x = new double[30][2];
        for (int t = 0; t < 30; t++) {
            double s = t / 25.0;
            x[t][0] = s * s * s;
            x[t][1] = t % 2;
        }
        boolean[] measured = TokenizerHarness.measuredDof(new boolean[] {false, true});
        assertEquals(6.0, TokenizerHarness.jerkRms(List.<double[][]>of(x), measured, 25.0), 1e-6);
        assertTrue(TokenizerHarness.measuredDof(new boolean[] {true})[0], "only grippers: all are measured");
    }
}
