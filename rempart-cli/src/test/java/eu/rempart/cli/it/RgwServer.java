package eu.rempart.cli.it;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An S3 server that enforces Object Lock: Ceph's RADOS Gateway from Debian's radosgw package, in
 * a throw-away single-node cluster (one monitor, one in-memory OSD) on 127.0.0.1, started and
 * stopped by {@code .ci/rgw-server}.
 */
final class RgwServer implements AutoCloseable {
    static final String ACCESS_KEY = "rempart-rgw-access";
    static final String SECRET_KEY = "rempart-rgw-secret-0123456789";
    private static final Path SCRIPT = Path.of("..", ".ci", "rgw-server").toAbsolutePath().normalize();

    private final Path dir;
    final int port;

    private RgwServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/radosgw")) && Files.isExecutable(SCRIPT);
    }

    static RgwServer start(Path dir) throws IOException, InterruptedException {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "start", dir.toString(), String.valueOf(port))
                .redirectErrorStream(true);
        pb.environment().putAll(Map.of("RGW_MON_PORT", String.valueOf(freePort()), "RGW_MEM_MB", "1024",
                "RGW_ACCESS_KEY", ACCESS_KEY, "RGW_SECRET_KEY", SECRET_KEY));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            RgwServer s = new RgwServer(dir, port);
            s.close();
            throw new IOException("rgw-server start failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new RgwServer(dir, port);
    }

    String repo(String bucket) {
        return "s3:http://127.0.0.1:" + port + "/" + bucket;
    }

    static Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_DEFAULT_REGION", "us-east-1");
    }

    /** A client of our own, to look at and attack the stored objects directly. */
    S3Client client() {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        if (Files.isDirectory(dir.resolve("run"))) {
            Process p = new ProcessBuilder(SCRIPT.toString(), "stop", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                p.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
