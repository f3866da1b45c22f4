package org.lvmsync.bindings;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves hand-written bindings against the C compiler: collects every constant (public
 * static no-argument int/long method with an upper-case name, as jextract emits them) of
 * the header classes and every size and field offset of the struct classes, writes a C
 * program printing the same expressions, compiles it with gcc against the system headers,
 * runs it and compares each value.
 */
final class CLayoutChecker {
    private static final Pattern CONSTANT = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** Where gcc finds system headers here: the libc headers live under the machine's multiarch triplet. */
    private static final List<String> SYSTEM_INCLUDES = systemIncludes();

    private final List<String> includes = new ArrayList<>();
    private final List<String> libraries = new ArrayList<>();
    private final Map<String, Long> expected = new LinkedHashMap<>();

    CLayoutChecker include(String header) {
        includes.add(header);
        return this;
    }

    CLayoutChecker link(String library) {
        libraries.add(library);
        return this;
    }

    CLayoutChecker constantsOf(Class<?> headerClass) throws ReflectiveOperationException {
        for (Method m : headerClass.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())
                    && m.getParameterCount() == 0 && CONSTANT.matcher(m.getName()).matches()
                    && (m.getReturnType() == int.class || m.getReturnType() == long.class)) {
                expected.put(m.getName(), ((Number) m.invoke(null)).longValue());
            }
        }
        return this;
    }

    /**
     * Every public static final int/long field with an upper-case name of a hand-written
     * constants class (the ioctl numbers jextract cannot generate), under the C macro of
     * the same name.
     */
    CLayoutChecker fieldsOf(Class<?> constants) throws ReflectiveOperationException {
        for (java.lang.reflect.Field f : constants.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod)
                    && CONSTANT.matcher(f.getName()).matches()
                    && (f.getType() == int.class || f.getType() == long.class)) {
                expected.put(f.getName(), ((Number) f.get(null)).longValue());
            }
        }
        return this;
    }

    /** Size and every named field offset of {@code structClass}, as {@code struct cName}. */
    CLayoutChecker struct(String cName, Class<?> structClass) throws ReflectiveOperationException {
        return type("struct " + cName, structClass);
    }

    /** As {@link #struct}, for a typedef of an anonymous struct ({@code typedef struct {...} cName}). */
    CLayoutChecker typedefStruct(String cName, Class<?> structClass) throws ReflectiveOperationException {
        return type(cName, structClass);
    }

    private CLayoutChecker type(String cType, Class<?> structClass) throws ReflectiveOperationException {
        GroupLayout layout = (GroupLayout) structClass.getMethod("layout").invoke(null);
        expected.put("sizeof(" + cType + ")", (Long) structClass.getMethod("sizeof").invoke(null));
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member.name().isEmpty()) {
                continue; // padding
            }
            String field = member.name().get();
            long offset = (Long) structClass.getMethod(field + "$offset").invoke(null);
            assertEquals(layout.byteOffset(MemoryLayout.PathElement.groupElement(field)), offset,
                    structClass.getSimpleName() + "." + field + "$offset() disagrees with its own layout");
            expected.put("offsetof(" + cType + ", " + field + ")", offset);
            if (member.byteSize() > 0) { // flexible array members have no size in C
                expected.put("sizeof(((" + cType + " *)0)->" + field + ")", member.byteSize());
            }
        }
        return this;
    }

    /** Extra C expression whose value must equal {@code value}. */
    CLayoutChecker expression(String cExpression, long value) {
        expected.put(cExpression, value);
        return this;
    }

    void verify(Path workDir) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc"), "gcc is not installed: cannot prove the bindings' layouts");
        for (String header : includes) {
            assumeTrue(SYSTEM_INCLUDES.stream().anyMatch(d -> Files.exists(Path.of(d, header))),
                    "/usr/include/" + header + " is missing (install the -dev package providing it)");
        }
        Files.createDirectories(workDir);
        Path source = workDir.resolve("layout.c");
        Path binary = workDir.resolve("layout");
        Files.writeString(source, program(), StandardCharsets.US_ASCII);
        List<String> gcc = new ArrayList<>(List.of("gcc", "-Wall", "-o", binary.toString(), source.toString()));
        gcc.addAll(libraries);
        String compiled = run(gcc);
        Map<String, Long> actual = parse(run(List.of(binary.toString())));
        List<String> wrong = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Long c = actual.get(e.getKey());
            if (!e.getValue().equals(c)) {
                wrong.add(e.getKey() + ": Java " + e.getValue() + ", C " + c);
            }
        }
        assertEquals(List.of(), wrong, "bindings disagree with the C headers (gcc said: " + compiled + ")");
        assertEquals(expected.size(), actual.size());
    }

    private String program() {
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n");
        for (String header : includes) {
            c.append("#include <").append(header).append(">\n");
        }
        c.append("int main(void) {\n");
        for (String expr : expected.keySet()) {
            c.append("    printf(\"%s\\t%lld\\n\", \"").append(expr).append("\", (long long)(").append(expr).append("));\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (!line.isEmpty()) {
                int tab = line.lastIndexOf('\t');
                values.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
            }
        }
        return values;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    private static List<String> systemIncludes() {
        List<String> dirs = new ArrayList<>(List.of("/usr/include", "/usr/local/include"));
        try {
            String triplet = run(List.of("gcc", "-print-multiarch")).strip();
            if (!triplet.isEmpty()) {
                dirs.add("/usr/include/" + triplet);
            }
        } catch (IOException | InterruptedException | AssertionError noGcc) {
            // verify() skips without gcc
        }
        return dirs;
    }
}
