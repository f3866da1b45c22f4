package org.lvmsync.dm;

import java.util.List;

/** Shared helpers of the table/status parsers: tokens and numbers, with errors that quote the line. */
final class Params {
    private Params() {
    }

    static String[] tokens(String params) {
        String trimmed = params.strip();
        return trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
    }

    static long number(String token, String what, String line) throws DmFormatException {
        try {
            long value = Long.parseLong(token);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new DmFormatException(what + " '" + token + "' is not a number in '" + line + "'");
        }
    }

    /** "used/total" as two numbers. */
    static long[] ratio(String token, String what, String line) throws DmFormatException {
        int slash = token.indexOf('/');
        if (slash < 0) {
            throw new DmFormatException(what + " '" + token + "' is not used/total in '" + line + "'");
        }
        return new long[] {number(token.substring(0, slash), what, line), number(token.substring(slash + 1), what, line)};
    }

    /** "<count> <arg>..." starting at {@code from}: the feature arguments of a table line. */
    static List<String> features(String[] t, int from, String line) throws DmFormatException {
        if (t.length <= from) {
            return List.of();
        }
        long count = number(t[from], "feature count", line);
        if (count != t.length - from - 1) {
            throw new DmFormatException("feature count " + count + " does not match the "
                    + (t.length - from - 1) + " arguments in '" + line + "'");
        }
        return List.of(t).subList(from + 1, t.length);
    }

    static void expectType(Target target, String... types) throws DmFormatException {
        for (String type : types) {
            if (type.equals(target.type())) {
                return;
            }
        }
        throw new DmFormatException("expected a " + String.join(" or ", types) + " target, found '" + target + "'");
    }
}
