package io.hiq.jack;

import io.hiq.core.runtime.Settings;
import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.HiQExtension;
import io.hiq.jack.kafka.KafkaProducerConfig;
import io.hiq.jack.kafka.KafkaTreePublisher;
import io.hiq.jack.log.JackLog;
import io.hiq.jack.oci.OciStreamingPublisher;
import io.hiq.jack.pipeline.JackPipeline;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.spool.SpoolLockedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

/**
 * LumberJack ({@code JACK=1}): publishes every completed tree, B4-encoded and batched, to Kafka
 * (default) or OCI Streaming ({@code HIQ_OCI_STREAMING=1}), appends it to the rotated jack log
 * (unless {@code NO_JACK_LOG}), and spools what cannot be delivered under
 * {@code $HIQ_HOME/spool/} for replay (see {@link JackPipeline}).
 *
 * <p>Bad settings (unreadable {@code HIQ_KAFKA_PROPS}, missing {@code OCI_STM_OCID}, an OCI profile
 * that is not in the config file…) print one line {@code hiq: jack: …} on stderr; Jack then runs
 * without a publisher: trees still go to the jack log and the spool (replayed by a later run that
 * has a working configuration and the same {@code HIQ_HOME}).
 */
public final class JackExtension implements HiQExtension {
    private JackPipeline pipeline;

    @Override
    public String name() { return "jack"; }

    @Override
    public boolean start(HiQContext context) {
        Settings s = context.settings();
        if (!s.flag("JACK")) return false;
        JackSettings js = JackSettings.from(s, JackExtension::error);
        JackCounters counters = new JackCounters(context.counters());
        try {
            io.hiq.jack.files.PrivateDirectories.create(js.home()); // owner-only when Jack creates it
        } catch (IOException | RuntimeException e) {
            // reported below when the jack log or the spool cannot be opened
        }
        JackLog log = openLog(js);
        DiskSpool spool = openSpool(js, counters);
        if (spool == null) {
            if (log != null) log.close();
            return false;
        }
        context.counters().register("JackSpoolPending", spool::pending);
        Supplier<TreePublisher> publisher = publisherFactory(s, context.pid(), js.inflightBytes());
        pipeline = new JackPipeline(publisher, spool, log, counters, js.queueCapacity(),
                TimeUnit.MILLISECONDS.toNanos(js.flushTimeoutMs())).start();
        context.addTreeSink(pipeline);
        return true;
    }

    /** The running pipeline (tests, diagnostics); null before {@link #start}. */
    public JackPipeline pipeline() { return pipeline; }

    private static JackLog openLog(JackSettings js) {
        if (js.jackLog() == null) return null;
        try {
            if (js.jackLogConfig() != null) return JackLog.configure(js.jackLogConfig(), js.jackLog());
            return JackLog.open(js.jackLog(), js.jackLogMaxSize(), js.jackLogMaxFiles(), 1000);
        } catch (IOException | RuntimeException e) {
            error("cannot open the jack log " + (js.jackLogConfig() != null ? js.jackLogConfig() : js.jackLog())
                    + ": " + e.getMessage() + "; trees are published without it");
            return null;
        }
    }

    private static DiskSpool openSpool(JackSettings js, JackCounters counters) {
        long segment = Math.max(64 * 1024, Math.min(64L * 1024 * 1024, js.spoolMaxSize() / 8));
        io.hiq.jack.spool.SpoolEvents dropped = new io.hiq.jack.spool.SpoolEvents() {
            @Override
            public void dropped(long n) {
                counters.failed.addAndGet(n);
                counters.spoolDropped.addAndGet(n);
                error("SPOOL FULL (" + js.spoolMaxSize() + " bytes, HIQ_JACK_SPOOL_MAX_SIZE): dropped the oldest segment, "
                        + n + " undelivered trees LOST from the spool (still in the jack log if it is on)");
            }

            @Override
            public void corrupt(Path segmentFile, long offset, long bytes) {
                counters.spoolCorrupt.incrementAndGet();
            }
        };
        long fsync = js.fsyncNanos();
        try {
            DiskSpool main = DiskSpool.open(js.spoolDir(), js.spoolMaxSize(), segment, fsync, dropped);
            adoptOrphans(main);
            return main;
        } catch (SpoolLockedException e) {
            // another traced process shares this HIQ_HOME: a directory of our own, adopted later
            Path own = js.spoolDir().resolve("p" + ProcessHandle.current().pid());
            try {
                DiskSpool s = DiskSpool.open(own, js.spoolMaxSize(), segment, fsync, dropped);
                error("spool " + js.spoolDir() + " is used by another process; this one spools to " + own
                        + " (a later run with this HIQ_HOME replays it)");
                return s;
            } catch (IOException | RuntimeException e2) {
                error("cannot open the spool " + own + ": " + e2 + "; Jack is off");
                return null;
            }
        } catch (IOException | RuntimeException e) {
            Path fallback;
            try {
                // a name nobody can guess, owner-only: never a predictable /tmp path another user could prepare
                Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                fallback = java.nio.file.Files.createTempDirectory(tmp, "hiq-spool-",
                        io.hiq.jack.files.PrivateDirectories.ownerOnly(tmp));
            } catch (IOException | RuntimeException e2) {
                error("cannot open the spool " + js.spoolDir() + ": " + e + " nor a temporary one: " + e2 + "; Jack is off");
                return null;
            }
            error("cannot open the spool " + js.spoolDir() + ": " + e + "; spooling to " + fallback
                    + " for this run (not replayed by the next one)");
            try {
                return DiskSpool.open(fallback, js.spoolMaxSize(), segment, fsync, dropped);
            } catch (IOException | RuntimeException e2) {
                error("cannot open the spool " + fallback + " either: " + e2 + "; Jack is off");
                return null;
            }
        }
    }

    /** Takes over the spools other processes left in {@code spool/p<pid>/} when they ended. */
    private static void adoptOrphans(DiskSpool main) {
        try (java.nio.file.DirectoryStream<Path> ds = java.nio.file.Files.newDirectoryStream(main.directory(), "p[0-9]*")) {
            for (Path p : ds) {
                if (!java.nio.file.Files.isDirectory(p)) continue;
                int n = main.adopt(p);
                if (n > 0) error("adopted " + n + " spooled trees left in " + p + " by an earlier process");
            }
        } catch (IOException | RuntimeException e) {
            error("cannot adopt the spools left under " + main.directory() + ": " + e);
        }
    }

    /**
     * Checks the publisher's settings now (a bad one is reported at start) and returns what creates
     * the publisher later, on Jack's own thread.
     */
    private static Supplier<TreePublisher> publisherFactory(Settings s, long pid, long inflightBytes) {
        boolean oci = s.flag("HIQ_OCI_STREAMING");
        Supplier<TreePublisher> factory;
        try {
            if (oci) {
                Supplier<OciStreamingPublisher> f = OciStreamingPublisher.factory(s);
                factory = f::get;
            } else {
                Properties config = KafkaProducerConfig.build(s, pid);
                String topic = KafkaProducerConfig.topic(s);
                factory = () -> new KafkaTreePublisher(config, topic, inflightBytes);
            }
        } catch (JackConfigException e) {
            error(e.getMessage() + "; trees go to the jack log and the spool only");
            return () -> null;
        } catch (LinkageError e) {
            // the OCI SDK is the optional extension jar hiq-ext-oci.jar (the agent names it when missing)
            error("HIQ_OCI_STREAMING=1 but the OCI SDK is not on the extension class path"
                    + "; trees go to the jack log and the spool only");
            return () -> null;
        }
        String kind = oci ? "OCI Streaming" : "Kafka";
        return () -> {
            try {
                return factory.get();
            } catch (RuntimeException | LinkageError e) {
                // e.g. Kafka's ConfigException for a bootstrap address that does not resolve, or no
                // instance principal; never print the configuration: it may hold credentials
                Throwable root = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
                error(kind + " publisher: " + root.getClass().getSimpleName() + ": " + root.getMessage()
                        + "; trees go to the jack log and the spool only");
                return null;
            }
        };
    }

    static void error(String line) {
        io.hiq.jack.report.Stderr.line(line);
    }

    @Override
    public void close() {
        // the runtime flushed and closed the pipeline (our TreeSink) before calling this; closing
        // again is harmless and covers a runtime that did not
        if (pipeline != null) pipeline.close();
    }
}
