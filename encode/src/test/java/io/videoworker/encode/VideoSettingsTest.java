package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VideoSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        VideoSettings s = VideoSettings.of(1024, 768);
        assertThat(s.crf()).isEqualTo(VideoSettings.DEFAULT_CRF).isEqualTo(30);
        assertThat(s.preset()).isEqualTo("fast");
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
        assertThatThrownBy(() -> VideoSettings.of(10, 10).withCrf(52)).hasMessageContaining("crf");
        assertThatThrownBy(() -> VideoSettings.of(10, 10).withPreset("turbo")).hasMessageContaining("turbo");
        assertThatThrownBy(() -> VideoSettings.of(10, 10).withKeyframeIntervalFrames(0))
                .hasMessageContaining("keyframeIntervalFrames");
        assertThatThrownBy(() -> VideoSettings.of(16384, 16384)).hasMessageContaining("macroblocks");
    }
}
