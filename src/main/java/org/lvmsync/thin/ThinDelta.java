package org.lvmsync.thin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/**
 * A drop-in for {@code thin_delta} (thin-provisioning-tools 0.9.0): the same options and
 * byte-for-byte the same XML on stdout, from our own reading of the metadata.
 *
 * <pre>
 *   [--metadata-snap[=BLOCK] | -m[BLOCK]] --snap1 ID --snap2 ID [--verbose] METADATA
 * </pre>
 * {@code --thin1}/{@code --thin2} are accepted for {@code --snap1}/{@code --snap2}, long
 * options may be shortened to a unique prefix, and options and the device may come in any
 * order, as with getopt_long. A block number given to {@code -m} as a separate word
 * ({@code -m 17 DEV}) is also taken, where thin_delta would take 17 for the device.
 *
 * <p>Unlike thin_delta, which reads both devices' whole trees into memory before writing,
 * this streams: memory stays flat, and a subtree both devices share is read once. The
 * output still lists every mapped range, "same" ones included, as thin_delta's does, so
 * shared subtrees must be read here (the sync path's diff, {@link ThinDiff}, skips them).
 */
public final class ThinDelta {
    /** Parsed command line; {@code useMetadataSnap} with an empty {@code metadataSnap} means the held root. */
    public record Options(Path metadata, boolean useMetadataSnap, OptionalLong metadataSnap,
                          long snap1, long snap2, boolean verbose) {
        public MetadataRoot root() {
            return useMetadataSnap ? new MetadataRoot.Held(metadataSnap) : MetadataRoot.live();
        }
    }

    private static final String USAGE = "usage: thin_delta [--metadata-snap[=BLOCK]] --snap1 ID --snap2 ID [--verbose] "
            + "<metadata device or file>";
    private static final String[][] LONG_OPTIONS = {
        {"thin1", "snap1"}, {"snap1", "snap1"}, {"thin2", "snap2"}, {"snap2", "snap2"},
        {"metadata-snap", "metadata-snap"}, {"verbose", "verbose"},
    };

    private ThinDelta() {
    }

    /** Parses thin_delta's command line; a mistake is a USAGE LvmsyncException with one line. */
    public static Options parse(List<String> args) {
        Parser p = new Parser();
        p.parse(args);
        return p.options();
    }

    /** Maps {@code options.metadata()} read-only, diffs, and writes the XML to {@code out}. */
    public static void run(Options options, PrintStream out) throws IOException {
        try (MappedMetadata source = MappedMetadata.open(options.metadata())) {
            write(ThinMetadata.open(source, options.root()), options.snap1(), options.snap2(), options.verbose(), out);
        }
        if (out.checkError()) {
            throw new IOException("writing the diff failed (standard output closed?)");
        }
    }

    /** The XML of the diff of {@code snap1} (left) and {@code snap2} (right). Both ids are looked up first. */
    public static void write(ThinMetadata metadata, long snap1, long snap2, boolean verbose, PrintStream out) {
        TreeCursor left = metadata.mappings(snap1);
        TreeCursor right = metadata.mappings(snap2);
        DeltaXml xml = new DeltaXml(out, verbose);
        xml.begin(metadata.superblock(), metadata.superblockLocation() != 0, snap1, snap2);
        Lockstep.walk(left, right, true, xml);
        xml.finish();
    }

    private static LvmsyncException usage(String problem) {
        return new LvmsyncException(FailureClass.USAGE, "thin_delta: " + problem + " (" + USAGE + ")");
    }

    /** getopt_long's rules for thin_delta's "hVm::" and long options, without the help and version words. */
    private static final class Parser {
        private final List<String> operands = new ArrayList<>();
        private boolean useMetadataSnap;
        private Long metadataSnap;
        private int bareMetadataSnapOperand = -1;
        private Long snap1;
        private Long snap2;
        private boolean verbose;

        void parse(List<String> args) {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--")) {
                    operands.addAll(args.subList(i + 1, args.size()));
                    return;
                } else if (a.startsWith("--")) {
                    i = longOption(args, i);
                } else if (a.startsWith("-m")) {
                    metadataSnap(a.length() > 2 ? a.substring(2) : null);
                } else if (a.startsWith("-") && a.length() > 1) {
                    throw usage("unknown option " + a);
                } else {
                    operands.add(a);
                }
            }
        }

        private int longOption(List<String> args, int i) {
            String word = args.get(i).substring(2);
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String attached = eq < 0 ? null : word.substring(eq + 1);
            switch (resolve(name)) {
                case "snap1", "snap2" -> {
                    String value = attached;
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw usage("--" + name + " needs a thin device id");
                        }
                        value = args.get(++i);
                    }
                    long id = number(value, "thin id " + (resolve(name).equals("snap1") ? 1 : 2));
                    if (resolve(name).equals("snap1")) {
                        snap1 = id;
                    } else {
                        snap2 = id;
                    }
                }
                case "metadata-snap" -> metadataSnap(attached);
                case "verbose" -> {
                    if (attached != null) {
                        throw usage("--verbose takes no value");
                    }
                    verbose = true;
                }
                default -> throw new AssertionError(name);
            }
            return i;
        }

        private void metadataSnap(String attached) {
            useMetadataSnap = true;
            if (attached != null) {
                metadataSnap = number(attached, "metadata snapshot block");
            } else {
                bareMetadataSnapOperand = operands.size();
            }
        }

        private static String resolve(String name) {
            String found = null;
            for (String[] option : LONG_OPTIONS) {
                if (option[0].equals(name)) {
                    return option[1];
                }
                if (!name.isEmpty() && option[0].startsWith(name)) {
                    if (found != null && !found.equals(option[1])) {
                        throw usage("option --" + name + " is ambiguous");
                    }
                    found = option[1];
                }
            }
            if (found == null) {
                throw usage("unknown option --" + name);
            }
            return found;
        }

        private static long number(String text, String what) {
            if (text.isEmpty() || !text.chars().allMatch(Character::isDigit)) {
                throw usage("couldn't parse " + what + ": '" + text + "'");
            }
            try {
                return Long.parseUnsignedLong(text);
            } catch (NumberFormatException e) {
                throw usage("couldn't parse " + what + ": '" + text + "' is too large");
            }
        }

        Options options() {
            if (metadataSnap == null && bareMetadataSnapOperand == 0 && operands.size() == 2
                    && operands.get(0).chars().allMatch(Character::isDigit) && !operands.get(0).isEmpty()) {
                metadataSnap = number(operands.remove(0), "metadata snapshot block");
            }
            if (operands.isEmpty()) {
                throw usage("no input device provided");
            }
            if (operands.size() > 1) {
                throw usage("one metadata device or file expected, got " + operands);
            }
            if (snap1 == null) {
                throw usage("--snap1 not specified");
            }
            if (snap2 == null) {
                throw usage("--snap2 not specified");
            }
            OptionalLong block = metadataSnap == null ? OptionalLong.empty() : OptionalLong.of(metadataSnap);
            return new Options(Path.of(operands.get(0)), useMetadataSnap, block, snap1, snap2, verbose);
        }
    }
}
