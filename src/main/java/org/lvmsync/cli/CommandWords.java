package org.lvmsync.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an {@code --rsh} command into words the way rsync does, so the same
 * {@code -e 'ssh -p 2222 -o "ProxyJump a b"'} works for both tools: words are separated by
 * spaces or tabs; single or double quotes keep spaces inside a word; inside quotes the
 * quote character doubled stands for itself; backslashes are ordinary characters. The
 * words are passed to exec directly, never to a shell.
 */
public final class CommandWords {
    private CommandWords() {
    }

    /** @throws IllegalArgumentException for an unterminated quote or an empty command */
    public static List<String> split(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote != 0) {
                if (c != quote) {
                    word.append(c);
                } else if (i + 1 < command.length() && command.charAt(i + 1) == quote) {
                    word.append(c);
                    i++;
                } else {
                    quote = 0;
                }
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + " quote in " + command);
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("the remote shell command is empty");
        }
        return words;
    }
}
