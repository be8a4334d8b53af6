package io.videoworker.guac;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was skipped or damaged while rendering. Each kind is logged once and counted; the first
 * messages are kept for reports (the CLI's --json, the task log). Damaged stretches of the
 * recording are listed one by one (the first {@value #LISTED_DAMAGE}), each with its place.
 */
public final class Warnings {
    private static final Logger LOG = LoggerFactory.getLogger(Warnings.class);
    private static final int KEEP = 50;
    /** Kinds and messages quote the input; a hostile one must not fill the heap through them. */
    private static final int MAX_KINDS = 1000;
    private static final int MAX_TEXT = 500;
    /** Damaged stretches listed on their own; the rest are counted. */
    public static final int LISTED_DAMAGE = 100;
    private static final String DAMAGE = "damaged data";

    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<String> messages = new ArrayList<>();
    private final List<String> damage = new ArrayList<>();

    /** Records a warning of a kind (e.g. "unknown opcode foo"); logs the first of each kind. */
    public void add(String kind, String message) {
        kind = clip(kind, 100);
        if (counts.size() >= MAX_KINDS && !counts.containsKey(kind)) {
            kind = "other";
        }
        int n = counts.merge(kind, 1, Integer::sum);
        message = clip(message, MAX_TEXT);
        if (n == 1) {
            LOG.warn(message);
            if (messages.size() < KEEP) {
                messages.add(message);
            }
        }
    }

    /** Records a damaged stretch of the recording that was skipped; each is logged and listed. */
    public void damage(String message) {
        int n = counts.merge(DAMAGE, 1, Integer::sum);
        if (n <= LISTED_DAMAGE) {
            message = clip(message, MAX_TEXT);
            LOG.warn(message);
            damage.add(message);
        }
    }

    /** How many damaged stretches were skipped. */
    public int damaged() {
        return counts.getOrDefault(DAMAGE, 0);
    }

    /** The first damaged stretch's message, or null. */
    public String firstDamage() {
        return damage.isEmpty() ? null : damage.get(0);
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    public Map<String, Integer> counts() {
        return Collections.unmodifiableMap(counts);
    }

    /**
     * The first message of each kind, with a repeat count where it happened more than once; each
     * damaged stretch on its own, where it came first.
     */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getKey().equals(DAMAGE)) {
                out.addAll(damage);
                if (e.getValue() > damage.size()) {
                    out.add((e.getValue() - damage.size()) + " more damaged stretches skipped (" + e.getValue()
                            + " in all; the first " + damage.size() + " are listed)");
                }
                continue;
            }
            if (i < messages.size()) {
                String m = messages.get(i);
                out.add(e.getValue() > 1 ? m + " (" + e.getValue() + " times)" : m);
            }
            i++;
        }
        return out;
    }
}
