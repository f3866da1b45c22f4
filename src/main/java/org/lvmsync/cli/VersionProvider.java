package org.lvmsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code lvmsync 0.1.0-SNAPSHOT (Java)}: the version Maven filtered into version.properties. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }

    /** What --version prints. */
    public static String line() {
        return "lvmsync " + version() + " (Java)";
    }

    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/org/lvmsync/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
