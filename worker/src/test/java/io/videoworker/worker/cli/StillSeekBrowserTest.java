package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.Chromium;
import io.videoworker.worker.TestRecordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Still pictures cost nothing per second (issue 14): one hour and 24 hours of a still 1024×768
 * noise picture, then a solid colour for the second half, convert to MP4s under 5 MB of the
 * right length, and Debian's Chromium seeks into them (inside the first picture's one long
 * sample, into the second's, and near the end) and shows the right picture each time.
 */
class StillSeekBrowserTest {
    static final int BLUE = 0x2080C0;

    @TempDir
    Path dir;

    @Test
    void anHourAndADayOfStillPicturesAreSmallAndSeekable() throws Exception {
        Chromium.require("STILL PICTURE SEEK TEST");
        Path page = Files.writeString(dir.resolve("seek.html"), """
                <!doctype html><meta charset="utf-8"><video id="v" muted preload="auto"></video><canvas id="c"></canvas>
                <script>
                // seeks, waits until the frame is shown, and samples a grid of its pixels as [r,g,b,...]
                const within = (what, ms, p) => Promise.race([p, new Promise((_, no) => setTimeout(() => no(what
                    + ' timed out (readyState ' + document.getElementById('v').readyState + ', can play h264: '
                    + document.getElementById('v').canPlayType('video/mp4; codecs="avc1.64001f"') + ')'), ms))]);
                async function sample(src, seconds) {
                  const v = document.getElementById('v');
                  if (!v.src.endsWith(src)) {
                    v.src = src;
                    await within('loading', 10000, new Promise((ok, fail) => { v.onloadeddata = ok;
                        v.onerror = () => fail('cannot play: ' + (v.error && v.error.message)); }));
                  }
                  v.currentTime = seconds;
                  await within('seeking', 10000, new Promise(ok => v.addEventListener('seeked', ok, {once: true})));
                  await new Promise(ok => setTimeout(ok, 300)); // the sought frame on screen
                  const c = document.getElementById('c');
                  c.width = v.videoWidth; c.height = v.videoHeight;
                  const g = c.getContext('2d', {willReadFrequently: true});
                  g.drawImage(v, 0, 0);
                  const out = [];
                  for (let y = 40; y < c.height; y += 90) for (let x = 40; x < c.width; x += 90) {
                    const p = g.getImageData(x, y, 1, 1).data; out.push(p[0], p[1], p[2]);
                  }
                  return {duration: v.duration, time: v.currentTime, pixels: out};
                }
                </script>
                """);
        WebDriver browser = Chromium.start("--allow-file-access-from-files", "--autoplay-policy=no-user-gesture-required");
        try {
            browser.get(page.toUri().toString());
            for (long hours : List.of(1L, 24L)) {
                long ms = hours * 3_600_000;
                Path recording = Files.write(dir.resolve(hours + "h.replay.gz"),
                        TestRecordings.twoStills(1024, 768, 594_000, ms, BLUE, hours));
                Path mp4 = dir.resolve(hours + "h.mp4");
                Cli r = Cli.run("convert", recording.toString(), "-o", mp4.toString());
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(Files.size(mp4)).as(hours + " h of two pictures").isLessThan(5L << 20);
                Mp4Info info = Mp4Probe.info(mp4);
                assertThat(info.durationMs()).as(hours + " h").isCloseTo(ms, within(50L));

                Map<String, Object> first = sample(browser, mp4, ms / 4 / 1000.0);
                assertThat(((Number) first.get("duration")).doubleValue()).as("the browser's length").isCloseTo(ms / 1000.0, within(1.0));
                assertThat(spread(first)).as("a quarter in: the noise picture").isGreaterThan(40);
                for (double at : List.of(ms * 3 / 4 / 1000.0, ms / 1000.0 - 60)) {
                    Map<String, Object> second = sample(browser, mp4, at);
                    assertThat(spread(second)).as("at %.0f s: the solid colour", at).isLessThan(6);
                    assertThat(mean(second)).as("at %.0f s: that colour", at).containsExactly(new double[] {0x20, 0x80, 0xC0}, within(12.0));
                }
                System.out.printf("still seek: %d h of stills -> %,d B, %d frames; Chromium seeks at 1/4, 3/4 and the end%n",
                        hours, Files.size(mp4), info.videoFrames());
            }
        } finally {
            browser.quit();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sample(WebDriver browser, Path mp4, double seconds) {
        Object r = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "sample(arguments[0], arguments[1]).then(done, e => done({error: String(e)}));",
                mp4.getFileName().toString(), seconds);
        Map<String, Object> result = (Map<String, Object>) r;
        assertThat(result).as("the browser's answer").doesNotContainKey("error");
        return result;
    }

    /** The mean of each channel over the sampled pixels. */
    private static double[] mean(Map<String, Object> sample) {
        List<?> p = (List<?>) sample.get("pixels");
        double[] m = new double[3];
        for (int i = 0; i < p.size(); i++) {
            m[i % 3] += ((Number) p.get(i)).doubleValue();
        }
        for (int c = 0; c < 3; c++) {
            m[c] /= p.size() / 3.0;
        }
        return m;
    }

    /** The standard deviation of the sampled values around their channel's mean: ≈ 0 for one colour, large for noise. */
    private static double spread(Map<String, Object> sample) {
        List<?> p = (List<?>) sample.get("pixels");
        double[] m = mean(sample);
        double sum = 0;
        for (int i = 0; i < p.size(); i++) {
            double d = ((Number) p.get(i)).doubleValue() - m[i % 3];
            sum += d * d;
        }
        return Math.sqrt(sum / p.size());
    }
}
