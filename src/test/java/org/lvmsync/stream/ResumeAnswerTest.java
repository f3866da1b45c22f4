package org.lvmsync.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResumeAnswerTest {
    @Test
    void answersRoundTrip() {
        UUID id = UUID.fromString("0b3c5d7e-9f01-8234-a567-89abcdef0123");
        assertEquals("RESUME 1 0b3c5d7e-9f01-8234-a567-89abcdef0123 1048576", ResumeAnswer.at(id, 1 << 20).line());
        assertEquals(Optional.of(ResumeAnswer.at(id, 1 << 20)), ResumeAnswer.parse(ResumeAnswer.at(id, 1 << 20).line()));
        assertEquals(Optional.of(ResumeAnswer.none()), ResumeAnswer.parse("RESUME 1 none"));
    }

    @Test
    void anythingElseIsNoAnswer() {
        for (String junk : new String[] {"", "RESUME", "RESUME 1", "RESUME 2 none", "resume 1 none", "RESUME 1 none ",
            "RESUME 1 0b3c5d7e-9f01-8234-a567-89abcdef0123", "RESUME 1 0b3c5d7e-9f01-8234-a567-89abcdef0123 -1",
            "RESUME 1 0b3c5d7e-9f01-8234-a567-89abcdef0123 01", "RESUME 1 0B3C5D7E-9F01-8234-A567-89ABCDEF0123 0",
            "RESUME 1 0b3c5d7e-9f01-8234-a567-89abcdef0123 99999999999999999999",
            "RESUME 1 0b3c5d7e-9f01-8234-a567-89abcdef0123 9223372036854775808", "Welcome to host!", "x".repeat(500)}) {
            assertTrue(ResumeAnswer.parse(junk).isEmpty(), junk);
        }
    }
}
