package io.videoworker.guac.display;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DamageTest {

    @Test
    void separateChangesStaySeparate() {
        Damage d = new Damage();
        d.add(10, 10, 5, 5);
        d.add(100, 50, 3, 2);
        assertThat(d.clipped(200, 100)).containsExactly(10, 10, 5, 5, 100, 50, 3, 2);
    }

    @Test
    void overlappingOrTouchingRectanglesMerge() {
        Damage d = new Damage();
        d.add(0, 0, 10, 10);
        d.add(5, 5, 10, 10);
        d.add(15, 0, 5, 2); // touches the union's right edge
        assertThat(d.clipped(100, 100)).containsExactly(0, 0, 20, 15);
    }

    @Test
    void aRectangleBridgingTwoJoinsThemAll() {
        Damage d = new Damage();
        d.add(0, 0, 4, 4);
        d.add(20, 0, 4, 4);
        d.add(3, 1, 18, 1);
        assertThat(d.clipped(100, 100)).containsExactly(0, 0, 24, 4);
    }

    @Test
    void clippingDropsWhatIsOutside() {
        Damage d = new Damage();
        assertThat(d.isEmpty()).isTrue();
        assertThat(d.clipped(10, 10)).isNull();
        d.add(-5, -5, 10, 10);
        d.add(50, 50, 10, 10);
        assertThat(d.clipped(10, 10)).containsExactly(0, 0, 5, 5);
        d.clear();
        d.add(50, 50, 10, 10);
        assertThat(d.isEmpty()).isFalse();
        assertThat(d.clipped(10, 10)).isNull();
        d.addAll(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2);
        assertThat(d.clipped(10, 10)).containsExactly(0, 0, 10, 10);
    }

    @Test
    void manyChangesKeepAtMostMaxDisjointRectanglesCoveringThemAll() {
        Random random = new Random(1);
        int size = 64;
        for (int round = 0; round < 200; round++) {
            Damage d = new Damage();
            boolean[] changed = new boolean[size * size];
            for (int n = random.nextInt(30); n >= 0; n--) {
                int x = random.nextInt(size);
                int y = random.nextInt(size);
                int w = 1 + random.nextInt(8);
                int h = 1 + random.nextInt(8);
                d.add(x, y, w, h);
                for (int row = y; row < Math.min(size, y + h); row++) {
                    for (int col = x; col < Math.min(size, x + w); col++) {
                        changed[row * size + col] = true;
                    }
                }
            }
            int[] rects = d.clipped(size, size);
            assertThat(rects.length).isLessThanOrEqualTo(4 * Damage.MAX);
            int[] cover = new int[size * size];
            for (int i = 0; i < rects.length; i += 4) {
                for (int row = rects[i + 1]; row < rects[i + 1] + rects[i + 3]; row++) {
                    for (int col = rects[i]; col < rects[i] + rects[i + 2]; col++) {
                        cover[row * size + col]++;
                    }
                }
            }
            for (int p = 0; p < cover.length; p++) {
                assertThat(cover[p]).as("round %d, pixel %d,%d", round, p % size, p / size)
                        .isLessThanOrEqualTo(1).isGreaterThanOrEqualTo(changed[p] ? 1 : 0);
            }
        }
    }
}
