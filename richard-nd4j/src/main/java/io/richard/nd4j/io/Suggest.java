package io.richard.nd4j.io;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?" for misspelt keys, values and commands: the nearest candidate by edit distance. */
public final class Suggest {

    private Suggest() {
    }

    /**
     * The candidate nearest to {@code word}: one that starts with it (or that it starts with), else the one at
     * the smallest case-insensitive Levenshtein distance, if that distance is at most about half the word.
     */
    public static Optional<String> nearest(String word, Collection<String> candidates) {
        if (word.length() > 100) {
            return Optional.empty();                                 // not a misspelling of a name
        }
        String w = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int distance = levenshtein(w, c);
            if (!w.isEmpty() && (c.startsWith(w) || w.startsWith(c)) && Math.min(w.length(), c.length()) >= 3) {
                distance = Math.min(distance, 1);
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        if (best == null || bestDistance > Math.max(2, (word.length() + 1) / 2)) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /** The Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
    public static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
