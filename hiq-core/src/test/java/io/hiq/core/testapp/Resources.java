package io.hiq.core.testapp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Methods that use a known amount of each resource, for the metric tests. */
public class Resources {
    public static final List<byte[]> KEEP = new ArrayList<>();
    public static ByteBuffer touched;

    /** Allocates about {@code mb} megabytes on this thread. */
    public static int allocate(int mb) {
        int sum = 0;
        for (int i = 0; i < mb; i++) {
            byte[] b = new byte[1 << 20];
            b[i % b.length] = 1;
            sum += b[0];
            KEEP.add(b);
        }
        KEEP.clear();
        return sum;
    }

    /** Writes {@code bytes} bytes to a new file. */
    public static void writeFile(Path file, int bytes) throws IOException {
        Files.write(file, new byte[bytes]);
    }

    /** Sends {@code bytes} bytes to itself over loopback TCP. */
    public static long loopback(int bytes) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket peer = server.accept()) {
            OutputStream out = client.getOutputStream();
            InputStream in = peer.getInputStream();
            byte[] chunk = new byte[64 * 1024];
            long received = 0;
            for (int sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk);
                int want = chunk.length, got = 0;
                while (got < want) {
                    int n = in.read(new byte[want - got]);
                    if (n < 0) throw new IOException("closed");
                    got += n;
                }
                received += got;
            }
            return received;
        }
    }

    /** Touches {@code mb} megabytes of fresh native memory, so resident memory grows. */
    public static void touchNative(int mb) {
        touched = ByteBuffer.allocateDirect(mb << 20);
        for (int i = 0; i < touched.capacity(); i += 4096) touched.put(i, (byte) 1);
    }

    /** Runs full collections over a heap with live data. */
    public static void collect() {
        List<int[]> live = new ArrayList<>();
        for (int i = 0; i < 200; i++) live.add(new int[16 * 1024]);
        for (int i = 0; i < 3; i++) System.gc();
        if (live.size() != 200) throw new AssertionError();
    }
}
