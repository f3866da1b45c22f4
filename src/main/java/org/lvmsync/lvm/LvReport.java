package org.lvmsync.lvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/**
 * Reads the output of {@code lvs --reportformat json --units b --nosuffix -o }{@link #FIELDS}:
 * <pre>
 *   {"report": [ {"lv": [ {"lv_name":"th-1", "vg_name":"vg", "origin":"", ...}, ... ]} ]}
 * </pre>
 * Strictly: every asked-for field must be there as a string, numbers must be numbers.
 * Members LVM may add beside {@code report} (such as {@code log}) are ignored.
 */
public final class LvReport {
    /** The fields lvmsync asks for, in this order. */
    public static final String FIELDS = "lv_name,vg_name,origin,pool_lv,thin_id,segtype,lv_attr,lv_uuid,lv_size";

    private LvReport() {
    }

    /** The LVs of {@code json}; a report that is not of that shape is an ENVIRONMENT failure. */
    public static List<LvInfo> parse(String json) {
        try {
            List<LvInfo> lvs = new ArrayList<>();
            for (Object part : list(member(map(Json.parse(json), "the report"), "report"), "report")) {
                for (Object row : list(member(map(part, "a report part"), "lv"), "lv")) {
                    lvs.add(row(map(row, "an lv entry")));
                }
            }
            return lvs;
        } catch (IllegalArgumentException e) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT, "cannot read LVM's report (lvs --reportformat json): "
                    + e.getMessage() + "; is this LVM 2.02.158 or newer?", e);
        }
    }

    private static LvInfo row(Map<String, Object> row) {
        String thinId = field(row, "thin_id");
        String size = field(row, "lv_size");
        return new LvInfo(field(row, "lv_name"), field(row, "vg_name"), field(row, "origin"), field(row, "pool_lv"),
                thinId.isEmpty() ? OptionalLong.empty() : OptionalLong.of(number(thinId, "thin_id")),
                field(row, "segtype"), field(row, "lv_attr"), field(row, "lv_uuid"),
                size.isEmpty() ? 0 : number(size, "lv_size"));
    }

    private static String field(Map<String, Object> row, String name) {
        Object v = row.get(name);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(v == null ? "an lv entry lacks \"" + name + "\""
                    : "\"" + name + "\" is not a string");
        }
        return s;
    }

    private static long number(String text, String name) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + name + "\" is '" + text + "', not a number");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + name + "\" is '" + text + "', too large");
        }
    }

    private static Object member(Map<String, Object> map, String name) {
        if (!map.containsKey(name)) {
            throw new IllegalArgumentException("no \"" + name + "\" member");
        }
        return map.get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String what) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + " is not an object");
        }
        return (Map<String, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v, String what) {
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException("\"" + what + "\" is not an array");
        }
        return (List<Object>) l;
    }
}
