package io.hiq.jack.spool;

import io.hiq.jack.publisher.EncodedTree;
import io.hiq.tree.TreeLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The framing of one spooled tree: {@code [int length][int crc32c][u16 idLength][id UTF-8][B4 JSON]},
 * length and checksum over what follows them (the body). The length is bounded by
 * {@link #MAX_BODY}, so that a corrupt length field never makes a reader allocate more than one
 * legitimate record; the checksum tells a torn or flipped record from a good one.
 */
final class SpoolRecord {
    /** Length and checksum. */
    static final int HEADER = 8;
    /** Longest id kept (the u16 field). */
    static final int MAX_ID = 0xFFFF;
    /** Largest body: the longest id and the largest tree anything publishes ({@link TreeLimits}). */
    static final int MAX_BODY = 2 + MAX_ID + TreeLimits.MAX_ENCODED_BYTES;

    private SpoolRecord() {}

    /**
     * The framed record of {@code tree}, ready to write.
     *
     * @throws IllegalArgumentException when the tree is larger than {@link TreeLimits#MAX_ENCODED_BYTES}
     */
    static ByteBuffer frame(EncodedTree tree) {
        if (tree.size() > TreeLimits.MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("tree " + tree.id() + ": " + tree.size() + " bytes, more than the limit of "
                    + TreeLimits.MAX_ENCODED_BYTES);
        }
        byte[] id = tree.id().getBytes(StandardCharsets.UTF_8);
        int idLen = Math.min(id.length, MAX_ID);
        int len = 2 + idLen + tree.size();
        ByteBuffer buf = ByteBuffer.allocate(HEADER + len);
        buf.putInt(len).putInt(0).putShort((short) idLen).put(id, 0, idLen).put(tree.json());
        buf.putInt(4, checksum(buf, HEADER, len));
        buf.flip();
        return buf;
    }

    /** True when {@code len} can be the length of a record. */
    static boolean plausibleLength(int len) {
        return len >= 2 && len <= MAX_BODY;
    }

    /** CRC32C of {@code len} bytes of {@code buf} from {@code off} (positions untouched). */
    static int checksum(ByteBuffer buf, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(off + len).position(off));
        return (int) crc.getValue();
    }

    /**
     * True when the body at {@code off} matches {@code sum}: CRC32C, or the plain CRC32 of spools
     * written before the checksum changed (so that an upgrade replays them instead of skipping them).
     */
    static boolean matches(ByteBuffer buf, int off, int len, int sum) {
        if (checksum(buf, off, len) == sum) return true;
        CRC32 legacy = new CRC32();
        legacy.update(buf.duplicate().limit(off + len).position(off));
        return (int) legacy.getValue() == sum;
    }
}
