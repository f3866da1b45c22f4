package org.lvmsync.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RemoteCommandTest {
    @Test
    void plainWordsStayReadable() {
        assertEquals("/dev/vg0/lv-1", RemoteCommand.quote("/dev/vg0/lv-1"));
        assertEquals("--apply", RemoteCommand.quote("--apply"));
        assertEquals("-", RemoteCommand.quote("-"));
    }

    @Test
    void everythingElseIsSingleQuoted() {
        assertEquals("''", RemoteCommand.quote(""));
        assertEquals("'/dev/vg/my lv'", RemoteCommand.quote("/dev/vg/my lv"));
        assertEquals("'a'\\''b'", RemoteCommand.quote("a'b"));
        assertEquals("'$(reboot)'", RemoteCommand.quote("$(reboot)"));
        assertEquals("'x;y|z&`w`\"'", RemoteCommand.quote("x;y|z&`w`\""));
        assertEquals("'line\nbreak'", RemoteCommand.quote("line\nbreak"));
    }

    @Test
    void argvKeepsRshWordsAndQuotesRemoteWords() {
        List<String> words = RemoteCommand.remoteWords("/dev/vg/it's", Optional.of(Path.of("/var/snap backs/x")),
                true, true, false);
        assertEquals(List.of("lvmsync", "--apply", "-", "--snapback", "/var/snap backs/x", "-v", "-d", "--",
                "/dev/vg/it's"), words);
        assertEquals(List.of("ssh", "-p", "2222", "root@dst", "lvmsync", "--apply", "-", "--snapback",
                        "'/var/snap backs/x'", "-v", "-d", "--", "'/dev/vg/it'\\''s'"),
                RemoteCommand.argv(List.of("ssh", "-p", "2222"), "root@dst", words));
    }

    @Test
    void minimalCommandAndSkipPastEnd() {
        assertEquals(List.of("lvmsync", "--apply", "-", "--", "/dev/vg/lv"),
                RemoteCommand.remoteWords("/dev/vg/lv", Optional.empty(), false, false, false));
        assertEquals(List.of("lvmsync", "--apply", "-", "--skip-past-end", "--", "/dev/vg/lv"),
                RemoteCommand.remoteWords("/dev/vg/lv", Optional.empty(), false, false, true));
    }

    /** Options of ours for the remote apply (a full copy's zero fill) go before the '--', never after it. */
    @Test
    void applyOptionsGoBeforeTheEndOfOptions() {
        assertEquals(List.of("lvmsync", "--apply", "-", "-v", "--zero-fill", "4096", "--", "/dev/vg/lv"),
                RemoteCommand.remoteWords("/dev/vg/lv", Optional.empty(), true, false, false,
                        List.of("--zero-fill", "4096")));
    }

    /** Defect 9 of issue 10: {@code host:~/vm.img} is expanded by the remote shell, as the original's was. */
    @Test
    void aLeadingTildeIsLeftForTheRemoteShell() {
        assertEquals("~/vm.img", RemoteCommand.quotePath("~/vm.img"));
        assertEquals("~", RemoteCommand.quotePath("~"));
        assertEquals("~/", RemoteCommand.quotePath("~/"));
        assertEquals("~backup/vm.img", RemoteCommand.quotePath("~backup/vm.img"));
        assertEquals("~/'my vm.img'", RemoteCommand.quotePath("~/my vm.img"));
        assertEquals("~bob.x-1/'it'\\''s'", RemoteCommand.quotePath("~bob.x-1/it's"));
        assertEquals("'~$(reboot)/x'", RemoteCommand.quotePath("~$(reboot)/x"));
        assertEquals("'/srv/~/x'", RemoteCommand.quotePath("/srv/~/x"));
        assertEquals("'~'", RemoteCommand.quote("~"), "only paths are expanded");
        List<String> argv = RemoteCommand.argv(List.of("ssh"), "h",
                RemoteCommand.remoteWords("~/vm.img", Optional.of(Path.of("~/undo")), false, false, false));
        assertEquals(List.of("ssh", "h", "lvmsync", "--apply", "-", "--snapback", "~/undo", "--", "~/vm.img"), argv);
    }

    @Test
    void hostsThatLookLikeOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> RemoteCommand.argv(List.of("ssh"), "-oProxyCommand=x", List.of("lvmsync")));
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.argv(List.of(), "h", List.of("lvmsync")));
    }
}
