package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.TestModels;
import dev.chimera.genomics.classify.ClassifyModel;
import dev.chimera.genomics.classify.LabelledSet;
import dev.chimera.genomics.cli.DnaCli.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dna classify train/eval/predict}: the commands against each other and the saved directory, and bad input. */
class ClassifyCommandTest {
    @TempDir
    static Path shared;
    static Path pretrained;
    static Path trainFa;
    static Path testFa;
    static Path classifier;
    static Run trainRun;

    @TempDir
    Path dir;

    /** GC-rich ('gc') or AT-rich ('at') records of 20 to 40 bases, labels in the headers. */
    static String labelled(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            boolean gc = i % 2 == 0;
            sb.append(">r").append(i).append(" label=").append(gc ? "gc" : "at").append('\n');
            int length = 20 + random.nextInt(21);
            for (int j = 0; j < length; j++) {
                boolean strong = random.nextDouble() < (gc ? 0.75 : 0.25);
                sb.append(strong ? (random.nextBoolean() ? 'C' : 'G') : (random.nextBoolean() ? 'A' : 'T'));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @BeforeAll
    static void train() throws IOException {
        pretrained = TestModels.save(shared.resolve("pretrained"), DnaModel.info(64), 3);
        trainFa = Files.writeString(shared.resolve("train.fa"), labelled(1, 48));
        testFa = Files.writeString(shared.resolve("test.fa"), labelled(2, 20));
        classifier = shared.resolve("clf");
        trainRun = DnaCli.run("classify", "train", "--model", pretrained.toString(), "--train", trainFa.toString(),
                "--eval", testFa.toString(), "--out", classifier.toString(), "--task", "gc-at", "--steps", "6",
                "--batch", "8", "--threads", "2", "--json");
        assertEquals(0, trainRun.code(), trainRun.err());
    }

    private static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void evalReportsEveryMethodWithExactlyTheKeysAndAgreesWithTrain() throws IOException {
        List<String> trained = lines(trainRun.out());
        assertTrue(trained.get(0).contains("\"op\":\"dna-classify-train\""), trained.get(0));
        Run eval = DnaCli.run("classify", "eval", "--model", classifier.toString(), "--test", testFa.toString(),
                "--threads", "2", "--json");
        assertEquals(0, eval.code(), eval.err());
        List<String> rows = lines(eval.out());
        assertEquals(trained.subList(1, trained.size()), rows, "train --eval and eval print the same scores");
        ObjectMapper json = new ObjectMapper();
        List<String> methods = new ArrayList<>();
        for (String row : rows) {
            JsonNode node = json.readTree(row);
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            assertEquals(List.of("task", "method", "accuracy", "f1", "mcc"), keys);
            assertEquals("gc-at", node.get("task").asText());
            methods.add(node.get("method").asText());
        }
        assertEquals(List.of("finetune", "kmer-logreg", "cnn"), methods);
        Run table = DnaCli.run("classify", "eval", "--model", classifier.toString(), "--test", testFa.toString(),
                "--threads", "2");
        assertTrue(table.out().contains("method        accuracy  macro F1       MCC"), table.out());
    }

    @Test
    void predictWritesTheSavedModelsProbabilitiesAsTsvAndArrow() throws IOException {
        Path tsv = dir.resolve("p.tsv");
        Path arrow = dir.resolve("p.arrow");
        for (Path out : List.of(tsv, arrow)) {
            Run r = DnaCli.run("classify", "predict", "--model", classifier.toString(), "--fasta", testFa.toString(),
                    "--out", out.toString(), "--threads", "2");
            assertEquals(0, r.code(), r.err());
        }
        LabelledSet test;
        double[][] p;
        try (ComputePool pool = new ComputePool(2)) {
            ClassifyModel m = ClassifyModel.open(classifier, new VectorBackend(pool));
            assertEquals(List.of("at", "gc"), m.labels());
            test = LabelledSet.against(testFa.toString(), "--test", m.labels());
            p = m.main().probabilities(test.examples());
        }
        List<String> rows = Files.readAllLines(tsv);
        assertEquals("id\tlabel\tp_at\tp_gc", rows.get(0));
        ArrowRows table = ArrowRows.read(arrow);
        assertEquals(List.of("id", "label", "p_at", "p_gc"), table.columns());
        assertEquals("finetune", table.metadata().get("method"));
        int correct = 0;
        for (int i = 0; i < test.examples().size(); i++) {
            String predicted = p[i][1] > p[i][0] ? "gc" : "at";
            assertEquals(String.format(Locale.ROOT, "r%d\t%s\t%.6g\t%.6g", i, predicted, p[i][0], p[i][1]),
                    rows.get(i + 1));
            List<Object> row = table.rows().get(i);
            assertEquals(List.of("r" + i, predicted), row.subList(0, 2));
            assertArrayEquals(p[i], new double[] {(Double) row.get(2), (Double) row.get(3)}, 0.0);
            correct += predicted.equals(test.labels().get(test.examples().get(i).label())) ? 1 : 0;
        }
        double accuracy = new ObjectMapper().readTree(lines(trainRun.out()).get(1)).get("accuracy").asDouble();
        assertEquals(accuracy, (double) correct / test.examples().size(), 1e-6);
    }

    @Test
    void badInputIsOneLineNamingWhatIsWrong() throws IOException {
        Path single = Files.writeString(dir.resolve("single.fa"), ">a label=x\nACGT\n>b label=x\nACGT\n");
        assertError(1, "dna classify train: error: --train " + single + ": all 2 records are of class 'x'",
                "classify", "train", "--model", pretrained.toString(), "--train", single.toString(), "--out",
                dir.resolve("o1").toString());
        Path unknown = Files.writeString(dir.resolve("unknown.fa"), ">a label=gc\nACGT\n>b label=cpg\nACGT\n");
        assertError(1, "dna classify eval: error: " + unknown + ": record 2 'b': label 'cpg' is not one of the "
                + "model's classes (at, gc)", "classify", "eval", "--model", classifier.toString(), "--test",
                unknown.toString());
        assertError(1, "dna classify eval: error: --model " + pretrained + " holds a Chimera model of another kind "
                + "(task dna-lm)", "classify", "eval", "--model", pretrained.toString(), "--test", testFa.toString());
        assertError(1, "dna classify train: error: --out " + classifier + " is not empty; choose a new or empty "
                + "directory", "classify", "train",
                "--model", pretrained.toString(), "--train", trainFa.toString(), "--out", classifier.toString());
        assertError(2, "--method must be finetune or echo-probe", "classify", "train", "--model",
                pretrained.toString(), "--train", trainFa.toString(), "--out", dir.resolve("o3").toString(),
                "--method", "cnn");
        assertError(2, "expected a .tsv or .arrow file name", "classify", "predict", "--model", classifier.toString(),
                "--fasta", testFa.toString(), "--out", dir.resolve("p.csv").toString());
        assertTrue(Files.notExists(dir.resolve("p.csv")));
    }

    /** GC- or AT-rich records of 20 to 140 bases (most longer than the pretrained model's 63), ids {@code prefix}N. */
    static String labelledLong(long seed, int n, String prefix) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            boolean gc = i % 2 == 0;
            sb.append('>').append(prefix).append(i).append(" label=").append(gc ? "gc" : "at").append('\n');
            int length = 20 + random.nextInt(121);
            for (int j = 0; j < length; j++) {
                boolean strong = random.nextDouble() < (gc ? 0.7 : 0.3);
                sb.append(strong ? (random.nextBoolean() ? 'C' : 'G') : (random.nextBoolean() ? 'A' : 'T'));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static long longerThan(Path fasta, int maxBases) {
        return dev.chimera.genomics.FastaSource.readAll(fasta).stream().filter(r -> r.bases().length > maxBases)
                .count();
    }

    @Test
    void recordsLongerThanTheContextAreReadByTheirCentralBases() throws IOException {
        Path longTrain = Files.writeString(dir.resolve("long-train.fa"), labelledLong(11, 24, "t"));
        Path longTest = Files.writeString(dir.resolve("long-test.fa"), labelledLong(12, 10, "e"));
        long trainLonger = longerThan(longTrain, 63);
        long testLonger = longerThan(longTest, 63);
        assertTrue(trainLonger >= 10 && testLonger >= 3, trainLonger + " " + testLonger);
        String longest = labelledLong(13, 1, "x").lines().toList().get(1);
        String record = longest + "ACGTTGCA".repeat(10);  // > 63 bases whatever the draw
        int from = (record.length() - 63) / 2;
        Path predictFa = Files.writeString(dir.resolve("predict.fa"), ">long\n" + record + "\n>crop\n"
                + record.substring(from, from + 63) + "\n>short\nACGTACGTAC\n");
        for (String method : List.of("finetune", "echo-probe")) {
            Path clf = dir.resolve("clf-" + method);
            Run train = DnaCli.run("classify", "train", "--model", pretrained.toString(), "--train",
                    longTrain.toString(), "--eval", longTest.toString(), "--out", clf.toString(), "--method", method,
                    "--steps", "2", "--batch", "8", "--threads", "2", "--json");
            assertEquals(0, train.code(), train.err());
            assertTrue(train.err().contains(String.format(Locale.ROOT, "--train: %d of 24 records are longer than 63 "
                    + "bases; %s reads their central 63 (the baselines read them whole)", trainLonger, method)),
                    train.err());
            assertTrue(train.err().contains(String.format(Locale.ROOT, "--eval: %d of 10 records are longer than 63 "
                    + "bases; %s reads their central 63 (the baselines read them whole)", testLonger, method)),
                    train.err());
            Run eval = DnaCli.run("classify", "eval", "--model", clf.toString(), "--test", longTest.toString(),
                    "--threads", "2", "--json");
            assertEquals(0, eval.code(), eval.err());
            assertEquals(List.of(String.format(Locale.ROOT, "--test: %d of 10 records are longer than 63 bases; %s "
                    + "reads their central 63 (the baselines read them whole)", testLonger, method)),
                    lines(eval.err()).stream().filter(l -> l.startsWith("--")).toList(), "said once");
            List<String> trained = lines(train.out());
            assertEquals(trained.subList(1, trained.size()), lines(eval.out()), "train --eval and eval agree");

            Path tsv = dir.resolve("p-" + method + ".tsv");
            Run predict = DnaCli.run("classify", "predict", "--model", clf.toString(), "--fasta", predictFa.toString(),
                    "--out", tsv.toString(), "--threads", "2");
            assertEquals(0, predict.code(), predict.err());
            assertEquals(List.of("--fasta: 1 of 3 records are longer than 63 bases; " + method + " reads their "
                    + "central 63"), lines(predict.err()).stream().filter(l -> l.startsWith("--")).toList());
            List<String> rows = Files.readAllLines(tsv);
            assertEquals(rows.get(2).replaceFirst("^crop", "long"), rows.get(1), "a long record reads as its crop");

            Path kmer = dir.resolve("k-" + method + ".tsv");
            Run baseline = DnaCli.run("classify", "predict", "--model", clf.toString(), "--fasta",
                    predictFa.toString(), "--out", kmer.toString(), "--method", "kmer-logreg");
            assertEquals(0, baseline.code(), baseline.err());
            assertTrue(lines(baseline.err()).stream().noneMatch(l -> l.startsWith("--")), baseline.err());
            rows = Files.readAllLines(kmer);
            assertTrue(!rows.get(2).replaceFirst("^crop", "long").equals(rows.get(1)), "the baseline reads it whole: "
                    + rows);
        }
    }

    private static void assertError(int code, String expected, String... args) {
        Run r = DnaCli.run(args);
        assertEquals(code, r.code(), r.err());
        List<String> err = lines(r.err());
        if (code == 1) {
            assertTrue(err.get(err.size() - 1).contains(expected), r.err());
            assertEquals(1, err.stream().filter(l -> l.contains("error")).count(), "one line: " + r.err());
        } else {
            assertTrue(err.get(0).contains(expected), r.err());  // then picocli's usage
        }
    }
}
