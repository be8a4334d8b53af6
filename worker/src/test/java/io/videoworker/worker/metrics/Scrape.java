package io.videoworker.worker.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text-format scrape read back: sample name and labels to value. */
public final class Scrape {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final Map<String, Double> samples = new LinkedHashMap<>();
    public final String text;

    public Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.put(key(m.group(1), labels), Double.parseDouble(m.group(3)));
        }
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels;
    }

    /** The sample's value, or null when absent; {@code labels} as name, value pairs (all of the sample's labels). */
    public Double value(String name, String... labels) {
        Map<String, String> l = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return samples.get(key(name, l));
    }

    /** Whether any sample of this name is present (whatever its labels). */
    public boolean has(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name + "{}") || k.startsWith(name + "{"));
    }

    /** The sum of every sample of this name (whatever its labels). */
    public double sum(String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{")).mapToDouble(Map.Entry::getValue).sum();
    }
}
