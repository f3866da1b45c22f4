package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandWordsTest {
    @Test
    void splitsLikeRsync() {
        assertEquals(List.of("ssh"), CommandWords.split("ssh"));
        assertEquals(List.of("ssh", "-p", "2222"), CommandWords.split("  ssh -p\t2222 "));
        assertEquals(List.of("ssh", "-o", "ProxyJump a b", "-i", "/k ey"),
                CommandWords.split("ssh -o \"ProxyJump a b\" -i '/k ey'"));
        assertEquals(List.of("a'b", "c\"d"), CommandWords.split("'a''b' \"c\"\"d\""));
        assertEquals(List.of("x\\y", "ab"), CommandWords.split("x\\y a'b'"));
        assertEquals(List.of("ssh", ""), CommandWords.split("ssh ''"));
        assertEquals(List.of("a;rm", "-rf", "$HOME"), CommandWords.split("a;rm -rf $HOME"));
    }

    @Test
    void refusesBrokenCommands() {
        assertThrows(IllegalArgumentException.class, () -> CommandWords.split("ssh 'oops"));
        assertThrows(IllegalArgumentException.class, () -> CommandWords.split("   "));
    }
}
