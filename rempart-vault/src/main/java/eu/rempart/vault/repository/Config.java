package eu.rempart.vault.repository;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.chunker.Polynomial;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The repository's {@code config} file: format version, repository id, chunker polynomial. */
public record Config(int version, String id, Polynomial chunkerPolynomial) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Config {
        if (version != 1 && version != 2) {
            throw new VaultException(VaultException.Problem.UNSUPPORTED_VERSION, String.valueOf(version),
                    "unsupported repository version " + version + " (supported: 1, 2)");
        }
        if (id == null || !id.matches("[0-9a-f]{64}")) {
            throw new VaultException("invalid repository id in config");
        }
    }

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", version);
        n.put("id", id);
        n.put("chunker_polynomial", chunkerPolynomial.toHex());
        try {
            return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VaultException("cannot encode config", e);
        }
    }

    public static Config parse(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new VaultException("invalid config: not a JSON object");
            }
            Polynomial pol = Polynomial.parse(n.path("chunker_polynomial").asText());
            if (!pol.isIrreducible()) {
                throw new VaultException("invalid config: chunker polynomial is not irreducible");
            }
            return new Config(n.path("version").asInt(-1), n.path("id").asText(), pol);
        } catch (IOException | IllegalArgumentException e) {
            throw new VaultException("invalid config: " + e.getMessage(), e);
        }
    }
}
