import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Build step (pom.xml, package phase, JDK 24+): rewrites the class files of the shaded jar
 * that are older than Java 6 (class-file version below 50) as version 52 (Java 8) with
 * stack maps.
 *
 * <p>Why: picocli is compiled for Java 5, and the JVM's AOT cache and CDS archives skip
 * such classes ("Old class has been linked"), so every run loaded, verified (with the old
 * type-inferring verifier) and linked picocli's 174 classes from the jar, and every class
 * of ours that implements one of its interfaces with them. Under an emulated CPU that was
 * seconds of each start. Nothing else changes: the same bytecode, with the frames the
 * new verifier wants computed by the JDK's own class-file library.
 *
 * <p>Usage: {@code java scripts/build/RaiseClassVersion.java JAR} (rewrites JAR in place).
 */
public final class RaiseClassVersion {
    /** Java 8: the verifier checks the frames and has no old verifier to fall back on, so a wrong frame cannot hide. */
    private static final int TARGET = 52;
    private static final int JAVA_6 = 50;

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java RaiseClassVersion.java JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".raised");
        List<String> raised = new ArrayList<>();
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             JarFile in = new JarFile(jar.toFile());
             JarOutputStream target = new JarOutputStream(Files.newOutputStream(out))) {
            // frames need the common supertype of two classes: the JDK's own, then the jar's
            // (always generated: the version is raised only at the end of each class)
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
            for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                byte[] bytes = read(in, entry);
                if (entry.getName().endsWith(".class")) {
                    byte[] newer = raise(cf, bytes, entry.getName());
                    if (newer != bytes) {
                        raised.add(entry.getName());
                        bytes = newer;
                    }
                }
                JarEntry copy = new JarEntry(entry.getName());
                copy.setTime(entry.getTime());
                target.putNextEntry(copy);
                target.write(bytes);
                target.closeEntry();
            }
        }
        verify(out, raised);
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.err.println("RaiseClassVersion: " + raised.size() + " class files of " + jar.getFileName()
                + " raised to version " + TARGET + " with stack maps");
    }

    /** The class at version 52 with its frames, or {@code bytes} itself when it is new enough already. */
    private static byte[] raise(ClassFile cf, byte[] bytes, String name) {
        ClassModel model = cf.parse(bytes);
        if (model.majorVersion() >= JAVA_6) {
            return bytes;
        }
        // rebuilding every method body (not copying it) is what makes the library compute frames
        ClassTransform transform = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                .andThen(ClassTransform.endHandler(b -> b.withVersion(TARGET, 0)));
        try {
            return cf.transformClass(model, transform);
        } catch (IllegalArgumentException | IllegalStateException ex) {
            throw new IllegalStateException(name + ": cannot compute its stack maps: " + ex.getMessage(), ex);
        }
    }

    /**
     * Loads and initializes every rewritten class from the new jar, which links it: the
     * verifier checks each frame here, in the build, rather than in a user's run.
     */
    private static void verify(Path jar, List<String> names) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            for (String name : names) {
                String binary = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                try {
                    Class.forName(binary, true, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    Files.deleteIfExists(jar);
                    throw new IllegalStateException(name + " does not load after its version was raised: " + e, e);
                }
            }
        }
    }

    private static byte[] read(JarFile jar, JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toByteArray();
        }
    }

    private RaiseClassVersion() {
    }
}
