package io.videoworker.encode;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what a test needs from an H.264 track as our MP4s store it (avcC, 4-byte NAL lengths):
 * for each packet, whether it holds an IDR slice and that slice's idr_pic_id.
 */
final class H264Slices {
    /** One packet: {@code idrPicId} is -1 when it holds no IDR slice. */
    record Slice(int idrPicId) {
    }

    private final int log2MaxFrameNum;

    H264Slices(byte[] avcC) {
        // avcC: version, profile, compat, level, lengthSize, numSps, spsLength(2), sps...
        int spsLength = ((avcC[6] & 0xff) << 8) | (avcC[7] & 0xff);
        Bits sps = new Bits(unescape(avcC, 8 + 1, spsLength - 1)); // after the NAL header byte
        int profile = sps.u(8);
        sps.u(16); // constraint flags, level
        sps.ue(); // seq_parameter_set_id
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44) {
            if (sps.ue() == 3) { // chroma_format_idc
                sps.u(1);
            }
            sps.ue(); // bit_depth_luma_minus8
            sps.ue(); // bit_depth_chroma_minus8
            sps.u(1); // qpprime_y_zero_transform_bypass_flag
            if (sps.u(1) != 0) {
                throw new IllegalStateException("scaling matrices in the SPS: not expected from x264's defaults");
            }
        }
        log2MaxFrameNum = sps.ue() + 4;
    }

    Slice read(byte[] packet) {
        for (int i = 0; i + 4 <= packet.length; ) {
            int len = ((packet[i] & 0xff) << 24) | ((packet[i + 1] & 0xff) << 16) | ((packet[i + 2] & 0xff) << 8) | (packet[i + 3] & 0xff);
            int type = packet[i + 4] & 0x1f;
            if (type == 5) {
                Bits b = new Bits(unescape(packet, i + 5, Math.min(len - 1, 64)));
                b.ue(); // first_mb_in_slice
                b.ue(); // slice_type
                b.ue(); // pic_parameter_set_id
                b.u(log2MaxFrameNum); // frame_num (x264 codes frames only: no field flags)
                return new Slice(b.ue());
            }
            i += 4 + len;
        }
        return new Slice(-1);
    }

    static List<Slice> of(Mp4Probe probe) {
        H264Slices reader = new H264Slices(probe.videoExtradata());
        List<Slice> out = new ArrayList<>();
        for (byte[] p : probe.videoPacketBytes()) {
            out.add(reader.read(p));
        }
        return out;
    }

    /** Drops the emulation-prevention bytes (00 00 03 → 00 00). */
    private static byte[] unescape(byte[] b, int from, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int zeros = 0;
        for (int i = from; i < from + length && i < b.length; i++) {
            if (zeros >= 2 && b[i] == 3) {
                zeros = 0;
                continue;
            }
            zeros = b[i] == 0 ? zeros + 1 : 0;
            out.write(b[i]);
        }
        return out.toByteArray();
    }

    private static final class Bits {
        private final byte[] b;
        private int pos;

        Bits(byte[] b) {
            this.b = b;
        }

        int u(int n) {
            int v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 1) | ((b[pos >> 3] >> (7 - (pos & 7))) & 1);
                pos++;
            }
            return v;
        }

        int ue() {
            int zeros = 0;
            while (u(1) == 0) {
                zeros++;
            }
            return (1 << zeros) - 1 + u(zeros);
        }
    }
}
