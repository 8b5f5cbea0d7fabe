package io.hiq.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The agent's own, child-first class loader for the extensions (LMK, Jack, exporters) and their
 * libraries (logback, SLF4J, Kafka, …), unpacked once from {@code META-INF/hiq/ext/} of the agent
 * jar into {@code $HIQ_HOME/agent/<jar fingerprint>/}.
 *
 * <p>Why not relocate them like core's libraries: a standard {@code logback.xml} names classes
 * ({@code ch.qos.logback.core.rolling.RollingFileAppender}); relocation would break every such file.
 * Child-first loading keeps the application's own versions of the same libraries out of HiQ's way,
 * and HiQ's out of the application's. HiQ core ({@code io.hiq.core}, {@code io.hiq.tree},
 * {@code io.hiq.shaded}) is always taken from the parent, so extensions and instrumented code share
 * one runtime. Logging configuration files are never looked up in the application's class path.
 */
final class ExtensionClassLoader extends URLClassLoader {
    private static final String EXT_PREFIX = "META-INF/hiq/ext/";
    private static final Set<String> OWN_ONLY_RESOURCES = Set.of(
            "logback.xml", "logback-test.xml", "logback.groovy", "logback.scmo",
            "log4j2.xml", "log4j.properties", "simplelogger.properties");

    static { ClassLoader.registerAsParallelCapable(); }

    private ExtensionClassLoader(URL[] urls, ClassLoader parent) {
        super("hiq-extensions", urls, parent);
    }

    /** Builds the loader from the jar holding {@code anchor}; null (reported) when that fails. */
    static ClassLoader fromAgentJar(Class<?> anchor, Path home, PrintStream err) {
        try {
            Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = unpack(jar, home.resolve("agent"));
            List<URL> urls = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                    if (p.toString().endsWith(".jar")) urls.add(p.toUri().toURL());
                }
            }
            Path conf = dir.resolve("conf");
            if (Files.isDirectory(conf)) urls.add(0, conf.toUri().toURL());
            if (urls.isEmpty()) return null;
            return new ExtensionClassLoader(urls.toArray(new URL[0]), anchor.getClassLoader());
        } catch (Exception e) {
            err.println("hiq: cannot load the agent's extensions (LMK, Jack, exporters are off): " + e);
            return null;
        }
    }

    /** Unpacks the nested jars once per agent jar version; concurrent JVMs race safely (atomic rename). */
    private static Path unpack(Path jar, Path root) throws IOException {
        String fingerprint = Long.toHexString(Files.size(jar)) + "-" + Long.toHexString(Files.getLastModifiedTime(jar).toMillis());
        Path target = root.resolve(fingerprint);
        if (Files.isRegularFile(target.resolve(".complete"))) return target;
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, "unpack-");
        try (JarFile jf = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (!e.getName().startsWith(EXT_PREFIX) || e.isDirectory()) continue;
                Path out = tmp.resolve(e.getName().substring(EXT_PREFIX.length())).normalize();
                if (!out.startsWith(tmp)) continue; // never write outside the target directory
                Files.createDirectories(out.getParent());
                try (InputStream in = jf.getInputStream(e)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createFile(tmp.resolve(".complete"));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        } catch (IOException e) {
            // another JVM won the race: use its copy
            if (!Files.isRegularFile(target.resolve(".complete"))) throw e;
            deleteQuietly(tmp);
        }
        return target;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    private static boolean parentOnly(String name) {
        return name.startsWith("io.hiq.core.") || name.startsWith("io.hiq.tree.") || name.startsWith("io.hiq.shaded.")
                || name.equals("io.hiq.HiQ") || name.startsWith("java.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (parentOnly(name)) return super.loadClass(name, resolve); // parent-first, the standard order
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException notOurs) {
                    c = getParent().loadClass(name);
                }
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        if (own != null || OWN_ONLY_RESOURCES.contains(name)) return own;
        return getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        Set<URL> all = new LinkedHashSet<>(Collections.list(findResources(name)));
        if (!OWN_ONLY_RESOURCES.contains(name) && !name.startsWith("META-INF/services/")) {
            all.addAll(Collections.list(getParent().getResources(name)));
        }
        return Collections.enumeration(all);
    }

}
