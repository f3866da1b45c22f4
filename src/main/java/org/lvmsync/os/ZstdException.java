package org.lvmsync.os;

import java.io.IOException;

/**
 * libzstd refused: {@code decompress: Data corruption detected (zstd error 20)}. Callers
 * that read untrusted frames turn it into their own corrupt-input error; the code tells
 * which limit was hit (see the {@code ZSTD_error_*} constants of the bindings).
 */
public class ZstdException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int code;

    public ZstdException(String operation, int code, String name) {
        super(operation + ": " + name + " (zstd error " + code + ")");
        this.code = code;
    }

    /** The library's ZSTD_ErrorCode. */
    public int code() {
        return code;
    }
}
