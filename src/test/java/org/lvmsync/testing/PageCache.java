package org.lvmsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How much of a file or block device sits in the page cache, by mincore(2) over a
 * read-only mapping (fincore(1) reports nothing for block devices). The kernel drops a
 * block device's cache when its last user closes it: hold it open around what is measured.
 */
public final class PageCache {
    private static final long PAGE = 4096;

    private PageCache() {
    }

    public static long residentPages(Path file) {
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return 0;
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long pages = (size + PAGE - 1) / PAGE;
            MemorySegment vec = arena.allocate(pages);
            int rc = (int) Mincore.HANDLE.invokeExact(map, size, vec);
            if (rc != 0) {
                throw new IOException("mincore on " + file + " returned " + rc);
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vec.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + file, e);
        } catch (Throwable t) {
            throw new AssertionError("mincore failed on " + file, t);
        }
    }

    /** Looked up on first use only. */
    private static final class Mincore {
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS));
    }
}
