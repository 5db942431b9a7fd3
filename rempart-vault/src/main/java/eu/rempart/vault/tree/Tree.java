package eu.rempart.vault.tree;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import eu.rempart.vault.GoTime;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * A directory listing stored as a tree blob: {@code {"nodes":[...]}} plus a newline, nodes sorted
 * by name, fields in restic's order and encoding.
 */
public final class Tree {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Comparator<Node> BY_NAME = (a, b) -> a.compareName(b.name());

    private Tree() {
    }

    /** Encodes nodes (sorted here by name; duplicate names are an error) as restic would. */
    public static byte[] encode(List<Node> nodes) {
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(BY_NAME);
        StringBuilder sb = new StringBuilder(64 + sorted.size() * 320);
        sb.append("{\"nodes\":[");
        for (int i = 0; i < sorted.size(); i++) {
            if (i > 0) {
                if (sorted.get(i).nameEquals(sorted.get(i - 1).name())) {
                    throw new VaultException("duplicate name in tree: " + sorted.get(i).displayName());
                }
                sb.append(',');
            }
            encodeNode(sb, sorted.get(i));
        }
        sb.append("]}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void encodeNode(StringBuilder sb, Node n) {
        sb.append("{\"name\":");
        GoStrings.jsonString(sb, GoStrings.quote(n.name()));
        sb.append(",\"type\":");
        GoStrings.jsonString(sb, n.type().json());
        if (n.mode() != 0) {
            sb.append(",\"mode\":").append(n.mode());
        }
        time(sb, "mtime", n.mtime());
        time(sb, "atime", n.atime());
        time(sb, "ctime", n.ctime());
        sb.append(",\"uid\":").append(n.uid());
        sb.append(",\"gid\":").append(n.gid());
        optString(sb, "user", n.user());
        optString(sb, "group", n.group());
        optLong(sb, "inode", n.inode());
        optLong(sb, "device_id", n.deviceId());
        optLong(sb, "size", n.size());
        optLong(sb, "links", n.links());
        byte[] target = n.linkTarget();
        if (target != null && target.length > 0) {
            optString(sb, "linktarget", GoStrings.lossyUtf8(target));
            if (!GoStrings.isValidUtf8(target)) {
                // restic >= 0.17 reads the exact bytes from here; older versions use linktarget.
                sb.append(",\"linktarget_raw\":\"").append(Base64.getEncoder().encodeToString(target)).append('"');
            }
        }
        if (!n.xattrs().isEmpty()) {
            sb.append(",\"extended_attributes\":[");
            boolean first = true;
            for (ExtendedAttribute x : n.xattrs()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append("{\"name\":");
                GoStrings.jsonString(sb, x.name());
                sb.append(",\"value\":");
                byte[] v = x.value();
                if (v.length == 0) {
                    sb.append("\"\"");
                } else {
                    sb.append('"').append(Base64.getEncoder().encodeToString(v)).append('"');
                }
                sb.append('}');
            }
            sb.append(']');
        }
        optLong(sb, "device", n.device());
        sb.append(",\"content\":");
        if (n.content() == null) {
            sb.append("null");
        } else {
            sb.append('[');
            for (int i = 0; i < n.content().size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append('"').append(n.content().get(i).toHex()).append('"');
            }
            sb.append(']');
        }
        if (n.subtree() != null) {
            sb.append(",\"subtree\":\"").append(n.subtree().toHex()).append('"');
        }
        optString(sb, "error", n.error());
        sb.append('}');
    }

    private static void time(StringBuilder sb, String field, Instant t) {
        sb.append(",\"").append(field).append("\":\"").append(GoTime.format(t == null ? GoTime.ZERO : t)).append('"');
    }

    private static void optString(StringBuilder sb, String field, String v) {
        if (v != null && !v.isEmpty()) {
            sb.append(",\"").append(field).append("\":");
            GoStrings.jsonString(sb, v);
        }
    }

    private static void optLong(StringBuilder sb, String field, long v) {
        if (v != 0) {
            sb.append(",\"").append(field).append("\":").append(Long.toUnsignedString(v));
        }
    }

    /** Decodes a tree blob. */
    public static List<Node> decode(byte[] json) {
        List<Node> nodes = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VaultException("invalid tree: not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                if ("nodes".equals(f) && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        nodes.add(decodeNode(p));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new VaultException("invalid tree: " + e.getMessage(), e);
        }
        return nodes;
    }

    private static Node decodeNode(JsonParser p) throws IOException {
        byte[] name = null;
        NodeType type = null;
        long mode = 0;
        Instant mtime = GoTime.ZERO;
        Instant atime = GoTime.ZERO;
        Instant ctime = GoTime.ZERO;
        long uid = 0;
        long gid = 0;
        String user = null;
        String group = null;
        long inode = 0;
        long deviceId = 0;
        long size = 0;
        long links = 0;
        byte[] target = null;
        byte[] targetRaw = null;
        List<ExtendedAttribute> xattrs = new ArrayList<>();
        long device = 0;
        List<Id> content = null;
        Id subtree = null;
        String error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (f) {
                case "name" -> name = GoStrings.unquote(p.getText());
                case "type" -> type = NodeType.fromJson(p.getText());
                case "mode" -> mode = p.getLongValue();
                case "mtime" -> mtime = GoTime.parse(p.getText());
                case "atime" -> atime = GoTime.parse(p.getText());
                case "ctime" -> ctime = GoTime.parse(p.getText());
                case "uid" -> uid = p.getLongValue();
                case "gid" -> gid = p.getLongValue();
                case "user" -> user = p.getText();
                case "group" -> group = p.getText();
                case "inode" -> inode = unsigned(p);
                case "device_id" -> deviceId = unsigned(p);
                case "size" -> size = unsigned(p);
                case "links" -> links = unsigned(p);
                case "linktarget" -> target = p.getText().getBytes(StandardCharsets.UTF_8);
                case "linktarget_raw" -> targetRaw = Base64.getDecoder().decode(p.getText());
                case "device" -> device = unsigned(p);
                case "subtree" -> subtree = Id.parse(p.getText());
                case "error" -> error = p.getText();
                case "content" -> {
                    content = new ArrayList<>();
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        content.add(Id.parse(p.getText()));
                    }
                }
                case "extended_attributes" -> {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String xn = null;
                        byte[] xv = new byte[0];
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String xf = p.currentName();
                            JsonToken xt = p.nextToken();
                            if ("name".equals(xf)) {
                                xn = p.getText();
                            } else if ("value".equals(xf) && xt == JsonToken.VALUE_STRING) {
                                xv = Base64.getDecoder().decode(p.getText());
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (xn != null) {
                            xattrs.add(new ExtendedAttribute(xn, xv));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (name == null || type == null) {
            throw new VaultException("invalid tree: node without name or type");
        }
        return new Node(name, type, mode, mtime, atime, ctime, uid, gid, user, group, inode, deviceId, size, links,
                targetRaw != null ? targetRaw : target, xattrs, device, content, subtree, error);
    }

    private static long unsigned(JsonParser p) throws IOException {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue() : p.getLongValue();
    }
}
