package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VideoSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        VideoSettings s = VideoSettings.of(1024, 768);
        assertThat(s.x264()).isEqualTo(X264Options.DEFAULT);
        assertThat(s.lossless()).isFalse();
        assertThat(s.keyframeIntervalFrames()).isEqualTo(150);
    }

    @Test
    void oddSizesArePaddedUpToEven() {
        VideoSettings s = VideoSettings.of(101, 75);
        assertThat(s.outputWidth()).isEqualTo(102);
        assertThat(s.outputHeight()).isEqualTo(76);
        assertThat(VideoSettings.of(1, 1).outputWidth()).isEqualTo(2);
    }

    @Test
    void rejectsBadValuesWithClearMessages() {
        assertThatThrownBy(() -> VideoSettings.of(0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x10");
        assertThatThrownBy(() -> X264Options.DEFAULT.withCrf(52)).hasMessageContaining("crf");
        assertThatThrownBy(() -> X264Options.DEFAULT.withPreset("turbo")).hasMessageContaining("turbo");
        assertThatThrownBy(() -> new X264Options("fast", "zerolatency", 30, "")).hasMessageContaining("zerolatency");
        for (String bad : new String[] {"ref", "ref=1:", "=1", ":ref=1"}) {
            assertThatThrownBy(() -> new X264Options("fast", "", 30, bad)).as(bad).hasMessageContaining("key=value");
        }
        for (String bad : new String[] {"ref=1;x", "ref=$(x)", "ref=", "ref=abc", "me=fast", "psy-rd=1"}) {
            assertThatThrownBy(() -> new X264Options("fast", "", 30, bad)).as(bad).hasMessageContaining("takes");
        }
        // typos and options that would break keyframe placement or decode times are refused by name
        for (String bad : new String[] {"nosuch=1", "bframes=2", "keyint=250", "crf=20", "ref =1"}) {
            assertThatThrownBy(() -> new X264Options("fast", "", 30, bad)).as(bad).hasMessageContaining("is not one of");
        }
        assertThat(new X264Options("veryfast", "ssim", 28, "ref=1:me=dia:psy-rd=0.5,0").toString())
                .isEqualTo("--preset veryfast --tune ssim --crf 28 ref=1:me=dia:psy-rd=0.5,0");
        assertThatThrownBy(() -> VideoSettings.of(10, 10).withKeyframeIntervalFrames(0))
                .hasMessageContaining("keyframeIntervalFrames");
        assertThatThrownBy(() -> VideoSettings.of(16384, 16384)).hasMessageContaining("macroblocks");
    }
}
