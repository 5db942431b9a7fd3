package eu.rempart.vault.testing;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3 server for the tests: S3Proxy with a file-system store, on 127.0.0.1, with AWS
 * signature authentication. It serves restic's s3 backend as well as ours.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "rempart-test-access";
    public static final String SECRET_KEY = "rempart-test-secret-0123456789";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3Server(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    public static S3Server start(Path dir) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext ctx = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(ctx.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return new S3Server(proxy, ctx);
    }

    /** What follows {@code s3:} for a repository in {@code bucket} under {@code prefix}. */
    public String repo(String bucket, String prefix) {
        return "s3:http://127.0.0.1:" + proxy.getPort() + "/" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The environment a client needs: the credentials and a region. */
    public static Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_DEFAULT_REGION", "us-east-1");
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
