package eu.rempart.vault.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.pack.PackedBlob;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of one index file: {@code {"supersedes":[..],"packs":[{"id":..,"blobs":[..]}]}}.
 * Streamed with Jackson's token API because index files are the largest JSON documents we read.
 */
public final class IndexFile {
    private static final JsonFactory JSON = new JsonFactory();

    private IndexFile() {
    }

    /** The decoded content: blobs grouped by pack, plus superseded index ids. */
    public record Content(List<Id> supersedes, Map<Id, List<PackedBlob>> packs) {
    }

    /**
     * Each pack's entries from the first index file, in name order, that lists it: how prune and
     * index repair read several index files that list one pack (after an interrupted run).
     */
    public static java.util.SortedMap<Id, List<PackedBlob>> firstListings(Map<Id, Content> files) {
        java.util.SortedMap<Id, List<PackedBlob>> out = new java.util.TreeMap<>();
        for (Id id : new java.util.TreeSet<>(files.keySet())) {
            files.get(id).packs().forEach(out::putIfAbsent);
        }
        return out;
    }

    public static byte[] encode(List<Id> supersedes, Map<Id, List<PackedBlob>> packs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + packs.size() * 1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!supersedes.isEmpty()) {
                g.writeArrayFieldStart("supersedes");
                for (Id id : supersedes) {
                    g.writeString(id.toHex());
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("packs");
            for (Map.Entry<Id, List<PackedBlob>> e : packs.entrySet()) {
                g.writeStartObject();
                g.writeStringField("id", e.getKey().toHex());
                g.writeArrayFieldStart("blobs");
                for (PackedBlob b : e.getValue()) {
                    g.writeStartObject();
                    g.writeStringField("id", b.id().toHex());
                    g.writeStringField("type", b.type().json());
                    g.writeNumberField("offset", b.offset());
                    g.writeNumberField("length", b.length());
                    if (b.compressed()) {
                        g.writeNumberField("uncompressed_length", b.uncompressedLength());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    public static Content decode(byte[] json, String what) {
        List<Id> supersedes = new ArrayList<>();
        Map<Id, List<PackedBlob>> packs = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, what);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if ("supersedes".equals(field) && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        supersedes.add(Id.parse(p.getText()));
                    }
                } else if ("packs".equals(field) && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        readPack(p, packs, what);
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new VaultException(what + ": invalid index: " + e.getMessage(), e);
        }
        return new Content(supersedes, packs);
    }

    private static void readPack(JsonParser p, Map<Id, List<PackedBlob>> packs, String what) throws IOException {
        Id packId = null;
        List<Object[]> raw = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if ("id".equals(field)) {
                packId = Id.parse(p.getText());
            } else if ("blobs".equals(field) && v == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Id id = null;
                    BlobType type = null;
                    long offset = -1;
                    long length = -1;
                    long ulen = 0;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        p.nextToken();
                        switch (f) {
                            case "id" -> id = Id.parse(p.getText());
                            case "type" -> type = BlobType.fromJson(p.getText());
                            case "offset" -> offset = p.getLongValue();
                            case "length" -> length = p.getLongValue();
                            case "uncompressed_length" -> ulen = p.getLongValue();
                            default -> p.skipChildren();
                        }
                    }
                    if (id == null || type == null || offset < 0 || length <= 0 || length > Integer.MAX_VALUE
                            || ulen < 0 || ulen > Integer.MAX_VALUE) {
                        throw new VaultException(what + ": invalid blob entry");
                    }
                    raw.add(new Object[] {id, type, offset, (int) length, (int) ulen});
                }
            } else {
                p.skipChildren();
            }
        }
        if (packId == null) {
            throw new VaultException(what + ": pack without id");
        }
        List<PackedBlob> blobs = packs.computeIfAbsent(packId, k -> new ArrayList<>(raw.size()));
        for (Object[] r : raw) {
            blobs.add(new PackedBlob((Id) r[0], (BlobType) r[1], packId, (long) r[2], (int) r[3], (int) r[4]));
        }
    }

    private static void expect(JsonToken got, JsonToken want, String what) {
        if (got != want) {
            throw new VaultException(what + ": invalid index: expected " + want + " got " + got);
        }
    }
}
