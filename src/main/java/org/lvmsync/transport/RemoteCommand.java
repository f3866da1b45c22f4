package org.lvmsync.transport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The argument vector that runs {@code lvmsync --apply -} on another host through a
 * remote shell: {@code <rsh words...> <host> lvmsync --apply - [--snapback F] [-v] [-d]
 * [--skip-past-end] <destdevice>}.
 *
 * <p>ssh joins everything after the host with spaces and hands the result to the remote
 * user's shell, so every word of the remote command is quoted for that shell: words of
 * plain characters stay as they are, anything else goes in single quotes with each
 * embedded {@code '} written as {@code '\''}. No local shell is involved at all.
 */
public final class RemoteCommand {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=+,@%-]+");

    private RemoteCommand() {
    }

    /** The remote command words, unquoted. */
    public static List<String> remoteWords(String destination, Optional<Path> snapback, boolean verbose,
                                           boolean debug, boolean skipPastEnd) {
        List<String> words = new ArrayList<>(List.of("lvmsync", "--apply", "-"));
        snapback.ifPresent(file -> {
            words.add("--snapback");
            words.add(file.toString());
        });
        if (verbose) {
            words.add("-v");
        }
        if (debug) {
            words.add("-d");
        }
        if (skipPastEnd) {
            // only ours knows this option; an original 3.3.2 receiver skips by itself
            words.add("--skip-past-end");
        }
        // "--" would protect a destination starting with '-', but the original's option
        // parser may not know it; a device path starts with '/' anyway.
        words.add(destination);
        return words;
    }

    /** The local argv: rsh words, the host, then each remote word quoted for the remote shell. */
    public static List<String> argv(List<String> rsh, String host, List<String> remoteWords) {
        if (rsh.isEmpty()) {
            throw new IllegalArgumentException("empty remote shell command");
        }
        if (host.isEmpty() || host.startsWith("-")) {
            // a host starting with '-' would be read by ssh as an option
            throw new IllegalArgumentException("invalid host '" + host + "'");
        }
        List<String> argv = new ArrayList<>(rsh);
        argv.add(host);
        for (String word : remoteWords) {
            argv.add(quote(word));
        }
        return argv;
    }

    /** Quotes one word for a POSIX shell. */
    public static String quote(String word) {
        if (!word.isEmpty() && PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
