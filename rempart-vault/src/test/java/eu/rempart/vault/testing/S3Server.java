package eu.rempart.vault.testing;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3 server for the tests: S3Proxy with a file-system store, on 127.0.0.1, with AWS
 * signature authentication. It serves restic's s3 backend as well as ours. {@link #main} runs it
 * on its own, for the end-to-end benchmark ({@code bench/run --backend s3}).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "rempart-test-access";
    public static final String SECRET_KEY = "rempart-test-secret-0123456789";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private boolean credentialsSet;

    private S3Server(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    /** Starts a server on a free port, storing bucket {@code b} as the directory {@code dir/b}. */
    public static S3Server start(Path dir) throws Exception {
        return start(dir, 0, ACCESS_KEY, SECRET_KEY);
    }

    /**
     * Starts a server as {@link #start(Path)} does, and lets S3 clients in this JVM find its
     * credentials (system properties, part of the AWS SDK's default chain) until it is closed.
     */
    public static S3Server startForThisJvm(Path dir) throws Exception {
        return withCredentialsForThisJvm(start(dir));
    }

    private static S3Server withCredentialsForThisJvm(S3Server s) {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        s.credentialsSet = true;
        return s;
    }

    /**
     * Starts a server on {@code port} (0: a free one) that accepts the given credentials, storing
     * bucket {@code b} as the directory {@code dir/b}.
     */
    public static S3Server start(Path dir, int port, String accessKey, String secretKey) throws Exception {
        return start(dir, port, accessKey, secretKey, null);
    }

    /**
     * Starts a server that speaks https only, on a free port, with the certificate in the PKCS#12
     * {@code keystore} (password {@link SelfSigned#PASSWORD}); {@link #repoOverTls} names its
     * repositories. Clients find its credentials as with {@link #startForThisJvm}.
     */
    public static S3Server startTlsForThisJvm(Path dir, Path keystore) throws Exception {
        return withCredentialsForThisJvm(start(dir, 0, ACCESS_KEY, SECRET_KEY, keystore));
    }

    private static S3Server start(Path dir, int port, String accessKey, String secretKey, Path keystore)
            throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext ctx = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
        S3Proxy.Builder b = S3Proxy.builder().blobStore(ctx.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey);
        if (keystore == null) {
            b.endpoint(URI.create("http://127.0.0.1:" + port));
        } else {
            b.secureEndpoint(URI.create("https://127.0.0.1:" + port)).keyStore(keystore.toString(), SelfSigned.PASSWORD);
        }
        S3Proxy proxy = b.build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String state = proxy.getState();
        if (!"STARTED".equals(state)) {
            proxy.stop();
            ctx.close();
            throw new IllegalStateException("S3Proxy did not start on 127.0.0.1:" + port + " (" + state + ")");
        }
        return new S3Server(proxy, ctx);
    }

    /** The port the server listens on. */
    public int port() {
        return proxy.getPort();
    }

    /**
     * Runs a server until the process is killed: {@code S3Server STORE_DIR [PORT]} (no port or 0:
     * a free one). Prints one line {@code endpoint http://127.0.0.1:PORT} once it accepts requests.
     * It accepts the credentials its clients use, {@code AWS_ACCESS_KEY_ID} and
     * {@code AWS_SECRET_ACCESS_KEY} from its environment (when unset, {@link #env()}'s). Only
     * warnings and errors are logged (Logback's default would log every request at DEBUG).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: S3Server STORE_DIR [PORT]");
            System.exit(2);
        }
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(dir);
        String accessKey = System.getenv().getOrDefault("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        String secretKey = System.getenv().getOrDefault("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        S3Server server = start(dir, args.length > 1 ? Integer.parseInt(args[1]) : 0, accessKey, secretKey);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("S3Server: stopping: " + e);
            }
        }));
        System.out.println("endpoint http://127.0.0.1:" + server.port());
        System.out.flush();
        Thread.currentThread().join(); // S3Proxy's threads serve; this one waits for the kill
    }

    /** What follows {@code s3:} for a repository in {@code bucket} under {@code prefix}. */
    public String repo(String bucket, String prefix) {
        return "s3:http://127.0.0.1:" + proxy.getPort() + "/" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** {@link #repo} on a server started with a certificate. */
    public String repoOverTls(String bucket, String prefix) {
        return "s3:https://127.0.0.1:" + proxy.getSecurePort() + "/" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The environment a client needs: the credentials and a region. */
    public static Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_DEFAULT_REGION", "us-east-1");
    }

    @Override
    public void close() throws Exception {
        if (credentialsSet) {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        proxy.stop();
        context.close();
    }
}
