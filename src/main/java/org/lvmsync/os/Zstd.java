package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.bindings.zstd.ZSTD_bounds;
import org.lvmsync.bindings.zstd.zstd_h;

/**
 * The system's libzstd ({@code libzstd.so.1}, in package libzstd1 on every Debian system),
 * through the generated bindings: what the library can do, and its error codes in words.
 * The contexts that compress and decompress are {@link ZstdCompressor} and
 * {@link ZstdDecompressor}, each owning its native context.
 *
 * <p>The library is loaded when first needed, so a stream without compressed records never
 * asks for it; {@link #require()} turns a missing library into one line naming the package.
 */
public final class Zstd {
    public static final String LIBRARY = "libzstd.so.1";
    /** Longest error name read from the library; its names are short static strings. */
    private static final long MAX_ERROR_NAME = 256;

    private Zstd() {
    }

    /** Fails with one actionable line when libzstd is missing; afterwards the bindings load. */
    public static void require() {
        try (Arena probe = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(LIBRARY, probe);
        } catch (IllegalArgumentException e) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT, "compression library " + LIBRARY
                    + " not found: install libzstd1 (Debian/Ubuntu) or libzstd (Fedora/RHEL)");
        }
    }

    /** The library's version as MAJOR*10000 + MINOR*100 + RELEASE, e.g. 10504 for 1.5.4. */
    public static int versionNumber() {
        require();
        return zstd_h.ZSTD_versionNumber();
    }

    public static int minLevel() {
        require();
        return zstd_h.ZSTD_minCLevel();
    }

    public static int maxLevel() {
        require();
        return zstd_h.ZSTD_maxCLevel();
    }

    public static int defaultLevel() {
        require();
        return zstd_h.ZSTD_defaultCLevel();
    }

    /** Whether this build of the library can compress one frame with worker threads. */
    public static boolean multithreaded() {
        require();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bounds = zstd_h.ZSTD_cParam_getBounds(arena, zstd_h.ZSTD_c_nbWorkers());
            return !isError(ZSTD_bounds.error(bounds)) && ZSTD_bounds.upperBound(bounds) > 0;
        }
    }

    static boolean isError(long result) {
        return zstd_h.ZSTD_isError(result) != 0;
    }

    static int errorCode(long result) {
        return zstd_h.ZSTD_getErrorCode(result);
    }

    /** The library's name of an error result, e.g. "Destination buffer is too small". */
    static String errorName(long result) {
        return CString.at(zstd_h.ZSTD_getErrorName(result), MAX_ERROR_NAME)
                .orElse("zstd error " + errorCode(result));
    }

    /** Throws a {@link ZstdException} for an error result, else returns it. */
    static long check(String operation, long result) throws ZstdException {
        if (isError(result)) {
            throw new ZstdException(operation, errorCode(result), errorName(result));
        }
        return result;
    }
}
