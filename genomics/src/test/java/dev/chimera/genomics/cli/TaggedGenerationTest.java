package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.DnaTags;
import dev.chimera.genomics.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tagged pretraining end to end: a tiny model trained on two synthetic genomes of GC 20 % and 80 %
 * with a tag each generates, given a tag, sequences of that genome's composition.
 */
class TaggedGenerationTest {
    @TempDir
    static Path dir;
    static Path low;
    static Path high;
    static Path model;
    static DnaCli.Run training;

    /** Independent bases with P(G) = P(C) = gc / 2, two records. */
    static String genome(long seed, double gc, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int record = 0; record < 2; record++) {
            sb.append(">r").append(record + 1).append('\n');
            for (int i = 0; i < n / 2; i++) {
                boolean strong = r.nextDouble() < gc;
                sb.append(strong ? (r.nextBoolean() ? 'G' : 'C') : (r.nextBoolean() ? 'A' : 'T'));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @BeforeAll
    static void train() throws IOException {
        low = Files.writeString(dir.resolve("low.fa"), genome(1, 0.2, 8_000));
        high = Files.writeString(dir.resolve("high.fa"), genome(2, 0.8, 8_000));
        model = dir.resolve("run");
        training = DnaCli.run("pretrain", "--fasta", "low=" + low, "--fasta", "high=" + high, "--config", "tiny",
                "--steps", "120", "--context", "32", "--batch", "8", "--lr", "1e-2", "--warmup", "2",
                "--eval-every", "60", "--eval-batches", "1", "--log-every", "60", "--threads", "1", "--seed", "3",
                "--out", model.toString(), "--json");
    }

    private static double gc(String fasta) {
        long strong = 0;
        long bases = 0;
        for (String line : fasta.lines().filter(l -> !l.startsWith(">")).toList()) {
            for (char c : line.toCharArray()) {
                strong += c == 'G' || c == 'C' ? 1 : 0;
                bases++;
            }
        }
        return (double) strong / bases;
    }

    private static DnaCli.Run generate(String... extra) {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--length",
                "30", "--num", "40", "--seed", "5", "--threads", "1"));
        args.addAll(List.of(extra));
        return DnaCli.run(args.toArray(new String[0]));
    }

    @Test
    void theModelRecordsItsTagsInTheTokenizerAndVocabulary() throws IOException {
        assertEquals(0, training.code(), training.err());
        DnaModel m = DnaModel.open(model);
        assertEquals(List.of("low", "high"), m.tags().names());
        assertEquals(11, m.config().tokenVocab(), "9 ids and 2 tags");
        Map<String, String> info = m.checkpoint().trainerState().info();
        assertEquals("nucleotide-v1:A,C,G,T,N,PAD,BOS,SEP,MASK,tag:low,tag:high", info.get("tokenizer"));
        assertEquals("low=" + low.toAbsolutePath() + ";high=" + high.toAbsolutePath(), info.get("pretrain.fasta"));
        // 10 % of each of the 4 records of 4,000 bases held out, all scored after BOS and their tag.
        assertTrue(training.out().contains("\"held_out_bases\":1600,"), training.out());
        assertTrue(training.err().contains("training windows of 32 positions (BOS, tag + 30 bases in, 31 predicted)"),
                training.err());
    }

    /**
     * Each tag's samples have its genome's GC: 1,200 bases per tag, so sampling noise alone is
     * about 0.012; a model that ignored the tag would give both about 0.5. The sequences stay within
     * the training context (BOS, tag + 30 bases = 32 positions): beyond it this tiny model has never
     * been trained and drifts away from the tag's composition.
     */
    @Test
    void eachTagGeneratesItsGenomesComposition() {
        DnaCli.Run a = generate("--tag", "low");
        DnaCli.Run b = generate("--tag", "high");
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        assertTrue(a.out().startsWith(">generated_1 model=" + model + " step=120 tag=low length=30"), a.out());
        double gcLow = gc(a.out());
        double gcHigh = gc(b.out());
        String figures = String.format(Locale.ROOT, "GC with tag low %.3f, with tag high %.3f", gcLow, gcHigh);
        assertEquals(0.2, gcLow, 0.08, figures);
        assertEquals(0.8, gcHigh, 0.08, figures);
    }

    @Test
    void anUnknownTagIsAOneLineErrorListingTheModelsTags() throws IOException {
        DnaCli.Run r = generate("--tag", "saureus");
        assertEquals(1, r.code());
        assertEquals("dna generate: error: --tag saureus: " + model + " has no such tag; its tags: low, high",
                r.err().strip());
        DnaCli.Run untagged = generate();
        assertEquals(0, untagged.code(), untagged.err());
        assertTrue(untagged.err().contains("note: " + model + " was trained with tags (low, high)"), untagged.err());

        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        TestModels.save(plain, DnaModel.info(8), 7);
        DnaCli.Run none = DnaCli.run("generate", "--model", plain.toString(), "--length", "5", "--tag", "low");
        assertEquals(1, none.code());
        assertEquals("dna generate: error: --tag low: " + plain + " was trained without tags", none.err().strip());
    }

    @Test
    void tagsAndUntaggedFilesDoNotMixAndTagsMustFitAConfigFile() throws IOException {
        DnaCli.Run mixed = DnaCli.run("pretrain", "--fasta", "low=" + low, "--fasta", high.toString(), "--config",
                "tiny", "--out", dir.resolve("mixed").toString());
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("--fasta: give one untagged file, or a tag to every file"), mixed.err());
        assertFalse(Files.exists(dir.resolve("mixed")));

        Path config = dir.resolve("nine.json");
        TestModels.tinyDnaConfig().write(config);  // the 9 ids of the untagged tokenizer
        DnaCli.Run small = DnaCli.run("pretrain", "--fasta", "low=" + low, "--fasta", "high=" + high, "--config",
                config.toString(), "--out", dir.resolve("small").toString());
        assertEquals(1, small.code());
        assertEquals("dna pretrain: error: --config " + config + ": a DNA model needs token input and a softmax head "
                + "over at least 11 ids (the nucleotide tokenizer's 9 and one per tag: low, high)", small.err().strip());
    }

    @Test
    void aTaggedRunResumesWithItsRecordedInputsAndRefusesOtherOnes() throws IOException {
        Path out = dir.resolve("resumed");
        DnaCli.Run first = DnaCli.run("pretrain", "--fasta", "low=" + low, "--fasta", "high=" + high, "--config",
                "tiny", "--steps", "4", "--stop-at", "2", "--context", "16", "--batch", "2", "--eval-every", "2",
                "--eval-batches", "1", "--threads", "1", "--out", out.toString());
        assertEquals(0, first.code(), first.err());
        DnaCli.Run other = DnaCli.run("pretrain", "--fasta", "low=" + low, "--out", out.toString(), "--resume");
        assertEquals(1, other.code());
        assertTrue(other.err().contains("--fasta is low=" + low.toAbsolutePath() + ", the run has low="
                + low.toAbsolutePath() + ";high=" + high.toAbsolutePath()), other.err());
        DnaCli.Run rest = DnaCli.run("pretrain", "--out", out.toString(), "--resume", "--threads", "1");
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.err().contains("data: low=" + low.toAbsolutePath() + ", last 0.1 of each record held out; high="),
                rest.err());
        assertEquals(List.of("low", "high"), DnaModel.open(out).tags().names());
        assertEquals(4, DnaModel.open(out).steps());
    }

    @Test
    void tagNamesRoundTripThroughTheTokenizerId() {
        DnaTags tags = DnaTags.of(List.of("ecoli", "S.aureus_2"));
        assertEquals(tags, DnaTags.fromTokenizerId(tags.tokenizerId()));
        assertEquals(9, tags.token("ecoli"));
        assertEquals(10, tags.token("S.aureus_2"));
        assertEquals(-1, tags.token("hpylori"));
        assertEquals(DnaTags.NONE, DnaTags.fromTokenizerId(DnaModel.TOKENIZER));
        assertEquals(DnaModel.TOKENIZER, DnaTags.NONE.tokenizerId(), "an untagged model records what it always did");
        for (String bad : new String[] {"nucleotide-v1:A,C,G,T", DnaModel.TOKENIZER + ",ecoli",
            DnaModel.TOKENIZER + ",tag:", DnaModel.TOKENIZER + ",tag:a,tag:a", DnaModel.TOKENIZER + ",tag:a=b"}) {
            assertEquals(null, DnaTags.fromTokenizerId(bad), bad);
        }
    }
}
