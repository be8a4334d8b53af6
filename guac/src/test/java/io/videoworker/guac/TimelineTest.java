package io.videoworker.guac;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimelineTest {
    private static Rec start() {
        return new Rec().op("mouse", 1, 1, 0, 900).op("size", 0, 4, 4)
                .png(0xC, -1, 0, 0, 1, 1, 0xFFFFFFFF).op("cursor", 0, 0, -1, 0, 0, 1, 1);
    }

    private static Rec draw(Rec r, int color) {
        return r.png(0xC, 0, 0, 0, 4, 4, color);
    }

    @Test
    void timelineStartsAtTheFirstSyncNotAtAnEarlierMouse() {
        Recorder r = Recorder.play(draw(start(), 0xFF112233).sync(1000).sync(1500));
        assertThat(r.shows).containsExactly(0L);
        assertThat(r.end).isEqualTo(500);
    }

    @Test
    void framesOnlyWhenSomethingChanged() {
        Rec rec = draw(start(), 0xFF000001).sync(1000).sync(2000).sync(3000);
        draw(rec, 0xFF000002).sync(3500).sync(4000).op("mouse", 2, 2, 0, 4100).sync(4200);
        Recorder r = Recorder.play(rec);
        assertThat(r.shows).containsExactly(0L, 2500L, 3200L);
    }

    @Test
    void outOfOrderTimestampsAreClampedNotDropped() {
        Rec rec = draw(start(), 0xFF000001).sync(1000);
        draw(rec, 0xFF000002).sync(1100);
        draw(rec, 0xFF000003).sync(1098);
        draw(rec, 0xFF000004).sync(1200);
        Recorder r = Recorder.play(rec);
        assertThat(r.shows).containsExactly(0L, 100L, 100L, 200L);
    }

    @Test
    void aJumpFarAheadIsABrokenClockAndLeftOut() {
        Rec rec = draw(start(), 0xFF000001).sync(1000);
        draw(rec, 0xFF000002).sync(1000 + SessionPlayer.MAX_GAP_MS); // a long gap, but possible
        draw(rec, 0xFF000003).sync(99_999_999_999_999_999L); // the fuzz found these made years of keyframes
        draw(rec, 0xFF000004).sync(99_999_999_999_999_999L + 40);
        Recorder r = Recorder.play(rec);
        long gap = SessionPlayer.MAX_GAP_MS;
        assertThat(r.shows).containsExactly(0L, gap, gap, gap + 40); // as a late stamp: same time
        assertThat(r.warnings.counts()).containsEntry("clock", 1);
    }

    @Test
    void aStrayStampFarAheadDoesNotStopTheTimeline() {
        // a damaged digit in one sync: the clock comes back where it was, and the timeline goes on from there
        Rec rec = draw(start(), 0xFF000001).sync(4_790_000);
        draw(rec, 0xFF000002).sync(4_791_000);
        draw(rec, 0xFF000003).sync(9_791_000); // 4790... with its first digit damaged: 83 minutes ahead
        draw(rec, 0xFF000004).sync(4_792_000);
        draw(rec, 0xFF000005).sync(4_793_000);
        Recorder r = Recorder.play(rec);
        assertThat(r.shows).containsExactly(0L, 1000L, 1000L, 2000L, 3000L);
        assertThat(r.end).isEqualTo(3000);
        assertThat(r.warnings.counts()).containsEntry("clock", 2);
    }

    @Test
    void aTimelineLongerThanAWeekIsRefused() {
        Rec rec = draw(start(), 0xFF000001).sync(0);
        for (long t = SessionPlayer.MAX_GAP_MS; t <= SessionPlayer.MAX_DURATION_MS + SessionPlayer.MAX_GAP_MS;
             t += SessionPlayer.MAX_GAP_MS) {
            rec.sync(t);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Recorder.play(rec))
                .isInstanceOf(RecordingException.class).hasMessageContaining("part0")
                .hasMessageContaining("the timeline passes 168 hours");
    }

    @Test
    void burstsAreCoalescedToTheCapWithoutDrift() {
        Rec rec = draw(start(), 0xFF000000).sync(0);
        for (int i = 1; i <= 100; i++) {
            draw(rec, 0xFF000000 | i).sync(i * 5L); // 200 fps for half a second
        }
        rec.sync(2000);
        Recorder r = Recorder.play(PlayerOptions.DEFAULT.withMaxFps(20), rec);
        // at most one picture per 50 ms slot, and the burst's final state shown when it happened, not later
        for (int i = 1; i < r.shows.size(); i++) {
            assertThat(r.shows.get(i) - r.shows.get(i - 1)).isGreaterThanOrEqualTo(50);
        }
        assertThat(r.shows.size()).isBetween(10, 12);
        assertThat(r.shows.get(r.shows.size() - 1)).isLessThanOrEqualTo(550);
        assertThat(r.pixel(0, 0)).isEqualTo(0xFF000000 | 100);
    }

    @Test
    void aWaitingPictureIsShownInItsSlotEvenIfTheNextSyncIsLate() {
        Rec rec = draw(start(), 0xFF000001).sync(0);
        draw(rec, 0xFF000002).sync(10); // within the 33 ms slot: waits
        draw(rec, 0xFF000003).sync(1000); // next frame much later
        Recorder r = Recorder.play(PlayerOptions.DEFAULT, rec);
        assertThat(r.shows).containsExactly(0L, 34L, 1000L);
    }

    @Test
    void partsShareOneTimelineAndEachRestatesTheScreen() {
        Rec p0 = draw(start(), 0xFFFF0000).sync(5000).sync(6000).op("disconnect");
        Rec p1 = draw(new Rec().op("mouse", 1, 1, 0, 5500).op("size", 0, 4, 4), 0xFF00FF00).sync(6200).sync(7000);
        Recorder r = Recorder.play(p0, p1);
        assertThat(r.shows).containsExactly(0L, 1200L);
        assertThat(r.end).isEqualTo(2000);
        assertThat(r.pixel(3, 3)).isEqualTo(0xFF00FF00);
    }

    @Test
    void audioBlobsAreTimedAtTheLatestSync() {
        String pcm = java.util.Base64.getEncoder().encodeToString(new byte[4 * 441]); // 441 stereo frames
        Rec rec = draw(start(), 0xFF000001)
                .op("audio", 1, "audio/L16;rate=44100,channels=2").sync(1000)
                .op("blob", 1, pcm).sync(1500).op("blob", 1, pcm).op("blob", 7, pcm).sync(1600);
        Recorder r = Recorder.play(rec);
        assertThat(r.audioFrames).isEqualTo(441 * 3);
        assertThat(r.audioTimes).containsExactly(0L, 500L, 500L);
        assertThat(r.warnings.counts()).containsKey("blob without stream");
    }
}
