package io.hiq.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The agent's own, child-first class loader for the extensions (LMK, Jack, exporters) and their
 * libraries (logback, SLF4J, Kafka, …).
 *
 * <p>Two sources, in this order: the libraries stored in the agent jar itself, one directory per
 * library under {@code hiq/} (read in place: nothing is unpacked anywhere), then the
 * optional extension jars in the extension directory ({@code ext/} beside the agent jar, or
 * {@code HIQ_EXT_DIR}), read as a plain class path.
 *
 * <p>Why not relocate them like core's libraries: a standard {@code logback.xml} names classes
 * ({@code ch.qos.logback.core.rolling.RollingFileAppender}); relocation would break every such file.
 * Child-first loading keeps the application's own versions of the same libraries out of HiQ's way,
 * and HiQ's out of the application's. HiQ core ({@code io.hiq.core}, {@code io.hiq.tree},
 * {@code io.hiq.shaded}) is always taken from the parent, so extensions and instrumented code share
 * one runtime. Logging configuration files are never looked up in the application's class path.
 */
final class ExtensionClassLoader extends URLClassLoader {
    /** Where the agent jar keeps the libraries of LMK and Jack, one directory each. */
    static final String LIB_PREFIX = "hiq/";
    /** Looked up first, so that the agent's own {@code logback.xml} wins over any library's. */
    private static final String CONF_ROOT = LIB_PREFIX + "conf/";
    private static final Set<String> OWN_ONLY_RESOURCES = Set.of(
            "logback.xml", "logback-test.xml", "logback.groovy", "logback.scmo",
            "log4j2.xml", "log4j.properties", "simplelogger.properties");

    static { ClassLoader.registerAsParallelCapable(); }

    private final JarFile agentJar;
    private final String agentJarUrl; // "jar:file:/…/hiq-agent.jar!/"
    /** The libraries' directories, listed at first use (on the extensions' thread, not on the way to main). */
    private volatile List<String> roots;
    private final Object rootsLock = new Object(); // not the loader itself: class loading may hold that
    private final CodeSource codeSource;

    private ExtensionClassLoader(JarFile agentJar, URL agentJarFileUrl, URL[] extJars, ClassLoader parent) {
        super("hiq-extensions", extJars, parent);
        this.agentJar = agentJar;
        this.agentJarUrl = "jar:" + agentJarFileUrl.toExternalForm() + "!/";
        this.codeSource = new CodeSource(agentJarFileUrl, (CodeSigner[]) null);
    }

    /** The library directories; listing them walks every entry of the jar (~5 000), so only once and only when needed. */
    private List<String> roots() {
        List<String> r = roots;
        if (r == null) {
            synchronized (rootsLock) {
                r = roots;
                if (r == null) roots = r = List.copyOf(libraryRoots(agentJar));
            }
        }
        return r;
    }

    /**
     * Builds the loader over the jar holding {@code anchor} and the extension jars in {@code extDir}
     * (absent: none); null (reported) when that fails.
     */
    static ClassLoader fromAgentJar(Class<?> anchor, Path extDir, PrintStream err) { // ClassLoader: loading HiQAgent never loads this class
        try {
            Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            return open(jar, extDir, anchor.getClassLoader());
        } catch (Exception e) {
            err.println("hiq: cannot load the agent's extensions (LMK, Jack, exporters are off): " + e);
            return null;
        }
    }

    /** The loader over {@code jar}'s libraries and the extension jars in {@code extDir}. */
    static ExtensionClassLoader open(Path jar, Path extDir, ClassLoader parent) throws IOException {
        JarFile jf = new JarFile(jar.toFile()); // kept open for the JVM's life, like the class path's jars
        return new ExtensionClassLoader(jf, jar.toUri().toURL(), extensionJars(extDir), parent);
    }

    /** {@code hiq/<library>/} for every library in the jar, {@code conf/} first. */
    private static List<String> libraryRoots(JarFile jf) {
        Set<String> found = new TreeSet<>();
        Enumeration<JarEntry> entries = jf.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (!name.startsWith(LIB_PREFIX)) continue;
            int slash = name.indexOf('/', LIB_PREFIX.length());
            if (slash > 0) found.add(name.substring(0, slash + 1));
        }
        List<String> roots = new ArrayList<>();
        if (found.remove(CONF_ROOT)) roots.add(CONF_ROOT);
        roots.addAll(found);
        return roots;
    }

    /** The {@code *.jar} files in {@code dir}, by name; none when it does not exist. */
    static URL[] extensionJars(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) return new URL[0];
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                if (p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)) urls.add(p.toUri().toURL());
            }
        }
        return urls.toArray(new URL[0]);
    }

    /** The libraries found in the agent jar (diagnostics, tests). */
    List<String> libraryRoots() { return roots(); }

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
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/') + ".class";
        for (String root : roots()) {
            JarEntry e = agentJar.getJarEntry(root + path);
            if (e == null) continue;
            byte[] bytes;
            try (InputStream in = agentJar.getInputStream(e)) {
                bytes = in.readAllBytes();
            } catch (IOException io) {
                throw new ClassNotFoundException(name + " (cannot read " + root + path + ")", io);
            }
            definePackageOf(name);
            return defineClass(name, bytes, 0, bytes.length, codeSource);
        }
        return super.findClass(name); // the extension jars
    }

    private void definePackageOf(String className) {
        int dot = className.lastIndexOf('.');
        if (dot < 0) return;
        String pkg = className.substring(0, dot);
        if (getDefinedPackage(pkg) != null) return;
        try {
            definePackage(pkg, null, null, null, null, null, null, null);
        } catch (IllegalArgumentException definedMeanwhile) {
            // another thread defined it first: fine
        }
    }

    @Override
    public URL findResource(String name) {
        for (String root : roots()) {
            if (agentJar.getJarEntry(root + name) != null) return url(root + name);
        }
        return super.findResource(name);
    }

    @Override
    public Enumeration<URL> findResources(String name) throws IOException {
        List<URL> all = new ArrayList<>();
        for (String root : roots()) {
            if (agentJar.getJarEntry(root + name) != null) all.add(url(root + name));
        }
        all.addAll(Collections.list(super.findResources(name)));
        return Collections.enumeration(all);
    }

    private URL url(String entry) {
        try {
            return new URL(agentJarUrl + entry);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e); // the jar's own URL and an entry name: cannot happen
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

    @Override
    public InputStream getResourceAsStream(String name) {
        for (String root : roots()) {
            JarEntry e = agentJar.getJarEntry(root + name);
            if (e == null) continue;
            try {
                return agentJar.getInputStream(e); // straight from the open jar, no URL connection
            } catch (IOException io) {
                return null;
            }
        }
        return super.getResourceAsStream(name);
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            agentJar.close();
        }
    }
}
