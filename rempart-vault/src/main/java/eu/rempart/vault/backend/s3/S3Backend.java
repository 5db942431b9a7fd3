package eu.rempart.vault.backend.s3;

import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.BufferedPendingFile;
import eu.rempart.vault.backend.BufferedPendingFile.Content;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A repository in an S3-compatible bucket ({@code s3:http(s)://host:port/bucket[/prefix]}, or
 * {@code s3:s3.amazonaws.com/bucket} for AWS), in restic's default layout, so restic's own s3
 * backend reads it. Credentials come from the usual AWS variables ({@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, profiles); the region from {@code AWS_DEFAULT_REGION} or
 * {@link Options#region}. Every upload carries a Content-MD5 the store verifies; packs above the
 * part size go up in parts. The SDK retries transient failures with back-off.
 */
public final class S3Backend implements Backend {
    /**
     * @param pathStyle  address buckets as {@code host/bucket} (any explicit endpoint) rather than
     *                   {@code bucket.host} (AWS's default)
     * @param partSize   uploads larger than this go up in parts of this size (at least 5 MiB)
     * @param timeout    longest wait for one attempt of one request
     */
    public record Options(String region, Boolean pathStyle, long partSize, int retries, Duration timeout) {
        public static Options defaults() {
            return new Options(null, null, 16L << 20, 6, Duration.ofSeconds(60));
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String location;
    private final long partSize;

    /** @param spec what follows {@code s3:} */
    public S3Backend(String spec, Options o) throws IOException {
        String s = spec.contains("://") ? spec : "https://" + spec;
        URI u = URI.create(s);
        if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
            throw new IOException("invalid S3 repository (expected s3:http(s)://host:port/bucket[/prefix])");
        }
        String path = u.getPath().substring(1);
        int slash = path.indexOf('/');
        bucket = slash < 0 ? path : path.substring(0, slash);
        String p = slash < 0 ? "" : path.substring(slash + 1).replaceAll("/+$", "");
        prefix = p.isEmpty() ? "" : p + "/";
        URI endpoint = URI.create(u.getScheme() + "://" + u.getRawAuthority());
        location = "s3:" + endpoint + "/" + bucket + (p.isEmpty() ? "" : "/" + p);
        partSize = Math.max(5L << 20, o.partSize());
        boolean aws = u.getHost().endsWith("amazonaws.com");
        String region = o.region() != null ? o.region()
                : System.getenv("AWS_DEFAULT_REGION") != null ? System.getenv("AWS_DEFAULT_REGION")
                : System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : "us-east-1";
        boolean pathStyle = o.pathStyle() != null ? o.pathStyle() : !aws;
        s3 = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(o.timeout()).socketTimeout(o.timeout()))
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.create())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle)
                        .checksumValidationEnabled(false).build())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(o.retries() + 1))
                        .apiCallAttemptTimeout(o.timeout()))
                .build();
    }

    @Override
    public String location() {
        return location;
    }

    private String key(FileType type, String name) {
        return switch (type) {
            case CONFIG -> prefix + "config";
            case PACK -> prefix + "data/" + name.substring(0, 2) + "/" + name;
            default -> prefix + type.dir() + "/" + name;
        };
    }

    private IOException error(String what, FileType type, String name, SdkException e) {
        if (e instanceof NoSuchKeyException || (e instanceof S3Exception s && s.statusCode() == 404 && !(e instanceof NoSuchBucketException))) {
            return new NoSuchFileException(location + "/" + key(type, name).substring(prefix.length()));
        }
        String detail = e instanceof S3Exception s
                ? "server answered " + s.statusCode() + (s.awsErrorDetails() != null ? " " + s.awsErrorDetails().errorCode() : "")
                : e instanceof SdkClientException ? e.getMessage() : e.toString();
        return new IOException(what + " " + location + "/" + key(type, name).substring(prefix.length()) + ": " + detail, e);
    }

    @Override
    public void save(FileType type, String name, byte[] data) throws IOException {
        save(type, name, Content.of(data));
    }

    private void save(FileType type, String name, Content data) throws IOException {
        long length = data.length();
        String key = key(type, name);
        try {
            if (exists(type, name)) {
                // Immutable, like every backend. With Object Lock, an overwrite would be a new version.
                throw new FileAlreadyExistsException(location + "/" + key.substring(prefix.length()));
            }
            if (length > partSize) {
                saveMultipart(key, data);
            } else {
                s3.putObject(b -> b.bucket(bucket).key(key).contentLength(length).contentMD5(md5(data, 0, length)),
                        body(data, 0, length));
            }
        } catch (SdkException e) {
            throw error("saving", type, name, e);
        }
    }

    private void saveMultipart(String key, Content data) {
        long length = data.length();
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long start = 0; start < length; start += partSize) {
                final long off = start;
                final int part = parts.size() + 1;
                final long len = Math.min(partSize, length - off);
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(part)
                                .contentLength(len).contentMD5(md5(data, off, len)),
                        body(data, off, len)).eTag();
                parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (SdkException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id));
            } catch (SdkException ignored) {
                // the store expires abandoned uploads; the original error matters
            }
            throw e;
        }
    }

    /** The bytes as a request body without a copy, re-readable for the SDK's retries. */
    private static RequestBody body(Content data, long off, long len) {
        return RequestBody.fromContentProvider(() -> data.open(off, len), len, "application/octet-stream");
    }

    private static String md5(Content data, long off, long len) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            data.update(md, off, len);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Packs collect in one growing array, uploaded from it on commit (no copy). */
    @Override
    public PendingFile create(FileType type) {
        return new BufferedPendingFile((name, content) -> save(type, name, content));
    }

    @Override
    public byte[] load(FileType type, String name) throws IOException {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(type, name))).asByteArray();
        } catch (SdkException e) {
            throw error("reading", type, name, e);
        }
    }

    @Override
    public byte[] load(FileType type, String name, long offset, int length) throws IOException {
        String range = offset < 0 ? "bytes=-" + length : "bytes=" + offset + "-" + (offset + length - 1);
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(type, name)).range(range));
            return r.asByteArray();
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw new EOFException(location + "/" + key(type, name).substring(prefix.length()) + ": "
                        + length + " bytes at " + offset + " beyond the end of the file");
            }
            throw error("reading", type, name, e);
        } catch (SdkException e) {
            throw error("reading", type, name, e);
        }
    }

    @Override
    public long size(FileType type, String name) throws IOException {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key(type, name))).contentLength();
        } catch (SdkException e) {
            throw error("looking up", type, name, e);
        }
    }

    @Override
    public boolean exists(FileType type, String name) throws IOException {
        try {
            size(type, name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public List<FileInfo> list(FileType type) throws IOException {
        List<FileInfo> out = new ArrayList<>();
        if (type == FileType.CONFIG) {
            if (exists(type, "config")) {
                out.add(new FileInfo("config", size(type, "config")));
            }
            return out;
        }
        String dir = prefix + type.dir() + "/";
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(dir)).contents()) {
                String k = o.key();
                String name = k.substring(k.lastIndexOf('/') + 1);
                if (name.matches("[0-9a-f]{64}")) {
                    out.add(new FileInfo(name, o.size()));
                }
            }
        } catch (SdkException e) {
            throw error("listing", type, "", e);
        }
        return out;
    }

    @Override
    public void remove(FileType type, String name) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key(type, name)));
        } catch (SdkException e) {
            throw error("removing", type, name, e);
        }
    }

    /** Creates the bucket if it does not exist; the layout's "directories" need no objects. */
    @Override
    public void create() throws IOException {
        if (exists(FileType.CONFIG, "config")) {
            throw new FileAlreadyExistsException(location, null, "repository already exists");
        }
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (SdkException e2) {
                throw new IOException("creating bucket " + bucket + " at " + location + ": " + e2.getMessage(), e2);
            }
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw new IOException("bucket " + bucket + " at " + location + ": " + e.getMessage(), e);
            }
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (SdkException e2) {
                throw new IOException("creating bucket " + bucket + " at " + location + ": " + e2.getMessage(), e2);
            }
        } catch (SdkException e) {
            throw new IOException("bucket " + bucket + " at " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
