package org.lvmsync.transport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The argument vector that runs {@code lvmsync --apply -} on another host through a
 * remote shell: {@code <rsh words...> <host> lvmsync --apply - [--snapback F] [-v] [-d]
 * [--skip-past-end] -- <destdevice>}. The {@code --} ends the options for the original's
 * parser as for ours, so a destination starting with {@code -} is a destination.
 *
 * <p>ssh joins everything after the host with spaces and hands the result to the remote
 * user's shell, so every word of the remote command is quoted for that shell: words of
 * plain characters stay as they are, anything else goes in single quotes with each
 * embedded {@code '} written as {@code '\''}. No local shell is involved at all.
 *
 * <p>The two paths (destination, snapback file) may start with {@code ~} or {@code ~user}:
 * that prefix stays unquoted so the remote shell expands it to a home directory there, as
 * it did for the original, which built one unquoted command string ({@code host:~/vm.img}).
 */
public final class RemoteCommand {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=+,@%-]+");
    /** {@code ~} or {@code ~user} (POSIX portable user name characters), then the end or a '/'. */
    private static final Pattern HOME_PREFIX = Pattern.compile("~[A-Za-z0-9._-]*(?=/|$)");

    private RemoteCommand() {
    }

    /** The remote command words, unquoted; the paths among them are marked for {@link #argv}. */
    public static List<String> remoteWords(String destination, Optional<Path> snapback, boolean verbose,
                                           boolean debug, boolean skipPastEnd) {
        return remoteWords(destination, snapback, verbose, debug, skipPastEnd, List.of());
    }

    /** The same, with {@code applyOptions} (option words of ours) before the {@code --} that ends the options. */
    public static List<String> remoteWords(String destination, Optional<Path> snapback, boolean verbose,
                                           boolean debug, boolean skipPastEnd, List<String> applyOptions) {
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
        words.addAll(applyOptions);
        words.add("--");
        words.add(destination);
        return words;
    }

    /**
     * The local argv: rsh words, the host, then each remote word quoted for the remote
     * shell; the word after {@code --snapback} and the one after {@code --} are paths,
     * whose {@code ~} prefix the remote shell expands.
     */
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
        String previous = null;
        for (String word : remoteWords) {
            boolean path = "--snapback".equals(previous) || "--".equals(previous);
            argv.add(path ? quotePath(word) : quote(word));
            previous = word;
        }
        return argv;
    }

    /**
     * Quotes a path for a POSIX shell, leaving a leading {@code ~} or {@code ~user} and the
     * slash after it unquoted: the shell expands a tilde prefix only up to an unquoted slash.
     */
    public static String quotePath(String path) {
        Matcher home = HOME_PREFIX.matcher(path);
        if (!home.lookingAt()) {
            return quote(path);
        }
        String rest = path.substring(home.end());   // "" or "/..."
        return rest.length() <= 1 ? path : home.group() + "/" + quote(rest.substring(1));
    }

    /** Quotes one word for a POSIX shell. */
    public static String quote(String word) {
        if (!word.isEmpty() && PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
