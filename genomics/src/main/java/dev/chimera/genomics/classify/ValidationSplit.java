package dev.chimera.genomics.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, stratified split of a training set's indices into a part to fit on and a part to
 * choose settings on (a regulariser, an epoch): in every class with at least two records, a
 * fraction of its records, at least one, goes to validation; a class of one record stays in the
 * fitting part. Used by the baselines, so they choose their settings on training data only.
 */
public record ValidationSplit(int[] fit, int[] validation) {
    /** The fraction of each class held out. */
    public static final double FRACTION = 0.2;

    public static ValidationSplit of(int[] labels, int classes, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> fit = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        for (List<Integer> members : byClass) {
            for (int i = members.size() - 1; i > 0; i--) {  // Fisher-Yates
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            int held = members.size() < 2 ? 0 : Math.max(1, (int) Math.round(FRACTION * members.size()));
            validation.addAll(members.subList(0, held));
            fit.addAll(members.subList(held, members.size()));
        }
        return new ValidationSplit(sorted(fit), sorted(validation));
    }

    private static int[] sorted(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
