package eu.rempart.vault.backend.s3;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.BufferedPendingFile;
import eu.rempart.vault.backend.BufferedPendingFile.Content;
import eu.rempart.vault.backend.SpooledPendingFile;
import eu.rempart.vault.backend.StoreException;
import eu.rempart.vault.backend.ObjectLock;
import eu.rempart.vault.backend.ReadAhead;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRule;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A repository in an S3-compatible bucket ({@code s3:http(s)://host:port/bucket[/prefix]}, or
 * {@code s3:s3.amazonaws.com/bucket} for AWS), in restic's default layout, so restic's own s3
 * backend reads it. Credentials come from the usual AWS variables ({@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, profiles); the region from {@code AWS_DEFAULT_REGION} or
 * {@link Options#region}. Every upload carries a checksum the store verifies: the SHA-256 of the
 * body that the request's signature covers ({@code x-amz-content-sha256}, sent whole rather than
 * in signed chunks), over https too (see {@code signingPayloads}); writes with a retention also
 * carry the Content-MD5 that Object Lock requires. Packs above the part size go up in parts. The SDK
 * retries transient failures with back-off. (A pack's name is its SHA-256 and would make a free
 * {@code x-amz-checksum-sha256}, but stores that predate S3's additional checksums reject that
 * header: S3Proxy 2.6 answers "Unknown header".)
 *
 * <p>In a bucket with Object Lock, every file but the short-lived locks is written with the
 * bucket's default retention stated explicitly (mode and date), so it is protected even where a
 * store would not apply the bucket default. A removal then only adds a delete marker: the
 * protected version stays in the bucket.
 */
public final class S3Backend implements Backend, ObjectLock {
    /**
     * @param pathStyle  address buckets as {@code host/bucket} (any explicit endpoint) rather than
     *                   {@code bucket.host} (AWS's default)
     * @param partSize   uploads larger than this go up in parts of this size (at least 5 MiB)
     * @param timeout    longest wait for one attempt of one request
     */
    public record Options(String region, Boolean pathStyle, long partSize, int retries, Duration timeout) {
        /**
         * Parts of 64 MiB: a pack of the default size (16 MiB, and up to 24 MiB with its last blob)
         * goes up in one request. With 16 MiB parts nearly every pack was a multipart upload, four
         * requests one after another (create, two parts, complete), and the store then joined the
         * parts: through S3Proxy a 3 GB first backup took 18.7-19.4 s (store CPU 16.5-17.1 s) against
         * 15.6-16.0 s (12.2-12.5 s) in one request each. restic uploads in parts only above 200 MiB.
         */
        public static Options defaults() {
            return new Options(null, null, 64L << 20, 6, Duration.ofSeconds(60));
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String location;
    private final long partSize;
    private final BufferedPendingFile.Blocks blocks = new BufferedPendingFile.Blocks();
    private final int retries;
    private final Duration timeout;
    /** The bucket's Object Lock defaults, read once (see {@link #lockDefaults}); null until asked. */
    private final AtomicReference<FutureTask<Optional<Retention>>> lockDefaults = new AtomicReference<>();
    private final ReadAhead readAhead = new ReadAhead(this::openStream);

    /**
     * @param spec  what follows {@code s3:}
     * @param trust for an https store: what to trust (e.g. {@code --cacert}); null for the system's
     *              authorities
     */
    public S3Backend(String spec, Options o, javax.net.ssl.TrustManager[] trust) throws IOException {
        this(spec, o, trust, List.of());
    }

    /** @param interceptors see every request and response (tests look at the headers sent) */
    S3Backend(String spec, Options o, javax.net.ssl.TrustManager[] trust, List<ExecutionInterceptor> interceptors)
            throws IOException {
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
        retries = o.retries();
        timeout = o.timeout();
        boolean aws = u.getHost().endsWith("amazonaws.com");
        String region = o.region() != null ? o.region()
                : System.getenv("AWS_DEFAULT_REGION") != null ? System.getenv("AWS_DEFAULT_REGION")
                : System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : "us-east-1";
        boolean pathStyle = o.pathStyle() != null ? o.pathStyle() : !aws;
        boolean plainHttp = "http".equalsIgnoreCase(u.getScheme());
        UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder()
                .connectionTimeout(o.timeout()).socketTimeout(o.timeout());
        if (plainHttp) {
            // Plain http: the client still builds a TLS context at once, which parsed the JDK's
            // whole trust store (some 150 certificates) on every command, for no connection.
            http.tlsTrustManagersProvider(() -> new javax.net.ssl.TrustManager[0]);
        } else if (trust != null) {
            http.tlsTrustManagersProvider(() -> trust);
        }
        s3 = S3Client.builder()
                .httpClientBuilder(http)
                .authSchemeProvider(signingPayloads(S3AuthSchemeProvider.defaultProvider()))
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.create())
                // Bodies are signed whole (see signingPayloads): the spooled pack is re-read for the hash, where
                // aws-chunked encoding would copy it into signed 128 KiB frames as it goes.
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle)
                        .checksumValidationEnabled(false).chunkedEncodingEnabled(false).build())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(o.retries() + 1))
                        .apiCallAttemptTimeout(o.timeout()).executionInterceptors(withBodyAtOnce(interceptors)))
                .build();
    }

    /**
     * Every body is signed whole, over https too, where the SDK leaves it unsigned by default: the
     * signature then covers the body's SHA-256, which the store checks, and that is the upload's
     * checksum. Unsigned, a Content-MD5 had to go with it, and the JDK's MD5 (920 MB/s here, warm)
     * cost 2.6 s of CPU per 2.35 GB uploaded where SHA-256 (1.95 GB/s, with SHA-NI) costs 1.2 s.
     */
    private static S3AuthSchemeProvider signingPayloads(S3AuthSchemeProvider defaults) {
        return params -> defaults.resolveAuthScheme(params).stream()
                .map(option -> option.toBuilder().putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true).build())
                .toList();
    }

    /**
     * The SDK sends every upload's headers alone first ("Expect: 100-continue") and its body only
     * once the store has answered: one more round trip per upload, to spare a body the store would
     * refuse, which only happens on errors. From a practice to an off-site store (10-60 ms) that was
     * two round trips for each pack, index, snapshot and lock. restic's client sends the body at once.
     */
    private static final ExecutionInterceptor BODY_WITH_HEADERS = new ExecutionInterceptor() {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            SdkHttpRequest r = context.httpRequest();
            return r.firstMatchingHeader("Expect").isPresent() ? r.toBuilder().removeHeader("Expect").build() : r;
        }
    };

    /** Configured interceptors run after the SDK's own (one of which adds the header). */
    private static List<ExecutionInterceptor> withBodyAtOnce(List<ExecutionInterceptor> interceptors) {
        List<ExecutionInterceptor> all = new ArrayList<>();
        all.add(BODY_WITH_HEADERS);
        all.addAll(interceptors);
        return all;
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

    /** The file's location for messages, without credentials. */
    private String where(FileType type, String name) {
        return location + "/" + key(type, name).substring(prefix.length());
    }

    private IOException error(String what, FileType type, String name, SdkException e) {
        if (e instanceof NoSuchKeyException || (e instanceof S3Exception s && s.statusCode() == 404 && !(e instanceof NoSuchBucketException))) {
            return new NoSuchFileException(where(type, name));
        }
        String detail = e instanceof S3Exception || e instanceof SdkClientException ? describe(e) : e.toString();
        return failure(where(type, name), what + " " + where(type, name) + ": " + detail, e);
    }

    /**
     * {@code e} as the failure to report: a {@link StoreException} where its user can act on it
     * (store gone or stalled, refused credentials or operation, TLS), else an IOException.
     */
    private IOException failure(String where, String message, SdkException e) {
        if (e instanceof S3Exception s) {
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            if (s.statusCode() == 403 && ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code))) {
                return new StoreException(StoreException.Problem.CREDENTIALS, location, "403 " + code, message, e);
            }
            if (s.statusCode() == 403) {
                return new StoreException(StoreException.Problem.FORBIDDEN, where, describe(e), message, e);
            }
            return new IOException(message, e);
        }
        if (e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials")) {
            return new StoreException(StoreException.Problem.NO_CREDENTIALS, location, "", message, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return new StoreException(StoreException.Problem.TLS, where, String.valueOf(t.getMessage()),
                        message + " (for a private certificate, give it with --cacert)", e);
            }
            if (t instanceof ApiCallAttemptTimeoutException || t instanceof java.net.SocketTimeoutException) {
                return new StoreException(StoreException.Problem.TIMEOUT, where, String.valueOf(timeout.toSeconds()),
                        message, e);
            }
        }
        if (e instanceof SdkClientException) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String last = root.getMessage() == null ? root.getClass().getSimpleName()
                    : root.getClass().getSimpleName() + ": " + root.getMessage();
            return new StoreException(StoreException.Problem.UNREACHABLE, where, last, message, e);
        }
        return new IOException(message, e);
    }

    @Override
    public void save(FileType type, String name, byte[] data) throws IOException {
        save(type, name, Content.of(data));
    }

    private void save(FileType type, String name, Content data) throws IOException {
        long length = data.length();
        String key = key(type, name);
        try {
            // Immutable, like every backend. S3 has no create-only write here, but every file of
            // the format except the config is named by the SHA-256 of its bytes (packs, index,
            // snapshots, keys, locks, as restic writes them): a second upload could only store the
            // same bytes again, and a check before each one cost a request and a round trip. The
            // config alone is looked for first.
            if (type == FileType.CONFIG && exists(type, name)) {
                throw new FileAlreadyExistsException(location + "/" + key.substring(prefix.length()));
            }
            if (type == FileType.LOCK) {
                lockDefaults(true); // read while the command works, for its first retained write
            }
            Retained lock = type == FileType.LOCK ? null : newFileRetention();
            if (length > partSize) {
                saveMultipart(key, data, lock);
            } else {
                String md5 = md5(data, 0, length, lock);
                s3.putObject(b -> {
                    b.bucket(bucket).key(key).contentLength(length).contentMD5(md5);
                    if (lock != null) {
                        b.objectLockMode(lock.mode().name()).objectLockRetainUntilDate(lock.until());
                    }
                }, body(data, 0, length));
            }
        } catch (SdkException e) {
            throw error("saving", type, name, e);
        }
    }

    /** The protection a new file gets here (null: none): the bucket's default, from now. */
    private Retained newFileRetention() throws IOException {
        FutureTask<Optional<Retention>> read = lockDefaults(false);
        read.run(); // nothing if it ran or runs elsewhere
        Optional<Retention> d;
        try {
            d = read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the Object Lock configuration");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
        return d.map(r -> new Retained(r.mode(), Instant.now().plus(r.period()))).orElse(null);
    }

    /**
     * The reading of the bucket's Object Lock defaults, made once: on a thread of its own if
     * {@code background} (a command's lock file goes up first, and its first retained write then
     * finds the answer there: a request and a round trip fewer on its way), else run by whoever
     * waits for it.
     */
    private FutureTask<Optional<Retention>> lockDefaults(boolean background) {
        FutureTask<Optional<Retention>> t = lockDefaults.get();
        if (t != null) {
            return t;
        }
        FutureTask<Optional<Retention>> mine = new FutureTask<>(() -> {
            try {
                return Optional.ofNullable(status().defaults());
            } catch (IOException e) {
                // Credentials limited to objects may not read bucket settings; the bucket's own
                // default retention still applies to what is written.
                return Optional.empty();
            }
        });
        if (!lockDefaults.compareAndSet(null, mine)) {
            return lockDefaults.get();
        }
        if (background) {
            Thread reader = new Thread(mine, "rempart-s3-lock-defaults");
            reader.setDaemon(true);
            reader.start();
        }
        return mine;
    }

    private void saveMultipart(String key, Content data, Retained lock) throws IOException {
        long length = data.length();
        String id = s3.createMultipartUpload(b -> {
            b.bucket(bucket).key(key);
            if (lock != null) {
                b.objectLockMode(lock.mode().name()).objectLockRetainUntilDate(lock.until());
            }
        }).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long start = 0; start < length; start += partSize) {
                final long off = start;
                final int part = parts.size() + 1;
                final long len = Math.min(partSize, length - off);
                String md5 = md5(data, off, len, lock);
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(part)
                                .contentLength(len).contentMD5(md5),
                        body(data, off, len)).eTag();
                parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (SdkException | IOException e) {
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

    /**
     * The Content-MD5 of those bytes, for writes with a retention only (S3 requires one there); the
     * signed payload hash checks every body already.
     */
    private String md5(Content data, long off, long len, Retained lock) throws IOException {
        if (lock == null) {
            return null;
        }
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            data.update(md, off, len);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pack is spooled to a temporary file and sent from there on commit, retries included. */
    @Override
    public PendingFile create(FileType type) {
        return new SpooledPendingFile((name, content) -> save(type, name, content), blocks);
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
        byte[] b = new byte[length];
        int n = readUpTo(type, name, offset, b, 0, length);
        return n == length ? b : java.util.Arrays.copyOf(b, n);
    }

    /**
     * Streams a range straight into {@code dst}: the SDK's byte-array responses copied every
     * read twice, and an 8 MiB window three times. Also serves {@link #load} with a negative
     * offset (the last bytes). @return the bytes read (fewer only at the end)
     */
    @Override
    public int readUpTo(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            ResponseInputStream<GetObjectResponse> in = openRange(type, name, offset, length);
            try (in) {
                return in.readNBytes(dst, dstOff, length);
            } catch (IOException e) {
                retryOrThrow(attempt, e);
            }
        }
    }

    /** The SDK retries until a response starts; a connection lost within the body is retried here. */
    private void retryOrThrow(int attempt, IOException e) throws IOException {
        if (attempt >= Math.min(retries, 3)) {
            throw e;
        }
    }

    private ResponseInputStream<GetObjectResponse> openRange(FileType type, String name, long offset, int length)
            throws IOException {
        String range = offset < 0 ? "bytes=-" + length : "bytes=" + offset + "-" + (offset + length - 1);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(key(type, name)).range(range));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw new EOFException(where(type, name) + ": "
                        + length + " bytes at " + offset + " beyond the end of the file");
            }
            throw error("reading", type, name, e);
        } catch (SdkException e) {
            throw error("reading", type, name, e);
        }
    }

    /** A range for {@link ReadAhead}, whose body the caller reads as it needs it. */
    private ReadAhead.Range openStream(FileType type, String name, long offset, long length) throws IOException {
        ResponseInputStream<GetObjectResponse> in = openRange(type, name, offset, (int) Math.min(length, Integer.MAX_VALUE));
        Long n = in.response().contentLength();
        if (n == null) {
            in.abort();
            throw new IOException(where(type, name) + ": the store did not say how many bytes it sends");
        }
        return new ReadAhead.Range(in, n, in::abort);
    }

    /** Reads ahead (see {@link ReadAhead}): a check streams every pack blob by blob. */
    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        readAhead.read(type, name, offset, dst, dstOff, length);
    }

    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length,
            long until) throws IOException {
        readAhead.read(type, name, offset, dst, dstOff, length, until);
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
                if (Id.isFileName(name)) {
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
            readAhead.forget(type, name);
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
        if (!bucketExists()) {
            createBucket(false);
        }
    }

    private boolean bucketExists() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (NoSuchBucketException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure(location, "bucket " + bucket + " at " + location + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw failure(location, "bucket " + bucket + " at " + location + ": " + e.getMessage(), e);
        }
    }

    private void createBucket(boolean objectLock) throws IOException {
        try {
            s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(objectLock ? Boolean.TRUE : null));
        } catch (S3Exception e) {
            if (objectLock && e.statusCode() == 501) {
                throw new IOException("the S3 server of " + location + " does not support Object Lock ("
                        + describe(e) + ")", e);
            }
            throw failure(location, "creating bucket " + bucket + " at " + location + ": " + describe(e), e);
        } catch (SdkException e) {
            throw failure(location, "creating bucket " + bucket + " at " + location + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- Object Lock

    @Override
    public void enable(Retention defaults) throws IOException {
        if (exists(FileType.CONFIG, "config")) {
            throw new FileAlreadyExistsException(location, null, "repository already exists");
        }
        if (!bucketExists()) {
            createBucket(true);
        }
        DefaultRetention rule = DefaultRetention.builder()
                .mode(ObjectLockRetentionMode.fromValue(defaults.mode().name()))
                .days(Math.toIntExact(Math.max(1, defaults.period().toDays()))).build();
        try {
            // Also switches Object Lock on for an existing bucket where the store allows it (AWS: versioned buckets).
            s3.putObjectLockConfiguration(b -> b.bucket(bucket).objectLockConfiguration(ObjectLockConfiguration.builder()
                    .objectLockEnabled(ObjectLockEnabled.ENABLED)
                    .rule(ObjectLockRule.builder().defaultRetention(rule).build()).build()));
        } catch (SdkException e) {
            throw new IOException("Object Lock on bucket " + bucket + " at " + location + ": " + describe(e)
                    + " (Object Lock can only be enabled when a bucket is created: use a new bucket)", e);
        }
        FutureTask<Optional<Retention>> known = new FutureTask<>(() -> Optional.of(defaults));
        known.run();
        lockDefaults.set(known);
    }

    @Override
    public Status status() throws IOException {
        ObjectLockConfiguration c;
        try {
            c = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration();
        } catch (S3Exception e) {
            // 404 ObjectLockConfigurationNotFoundError: no Object Lock; 501: a store without it at all
            if (e.statusCode() == 404 && !(e instanceof NoSuchBucketException) || e.statusCode() == 501) {
                return new Status(false, null);
            }
            throw failure(location, "reading the Object Lock configuration of " + location + ": " + describe(e), e);
        } catch (SdkException e) {
            throw failure(location, "reading the Object Lock configuration of " + location + ": " + describe(e), e);
        }
        if (c == null || c.objectLockEnabled() != ObjectLockEnabled.ENABLED) {
            return new Status(false, null);
        }
        if (c.rule() == null || c.rule().defaultRetention() == null) {
            return new Status(true, null);
        }
        DefaultRetention d = c.rule().defaultRetention();
        Duration period = d.days() != null ? Duration.ofDays(d.days())
                : d.years() != null ? Duration.ofDays(365L * d.years()) : null;
        if (period == null || d.mode() == null || d.mode() == ObjectLockRetentionMode.UNKNOWN_TO_SDK_VERSION) {
            return new Status(true, null);
        }
        return new Status(true, new Retention(Mode.valueOf(d.modeAsString()), period));
    }

    @Override
    public Optional<Retained> retention(FileType type, String name) throws IOException {
        HeadObjectResponse h;
        try {
            h = s3.headObject(b -> b.bucket(bucket).key(key(type, name)));
        } catch (SdkException e) {
            throw error("looking up", type, name, e);
        }
        if (h.objectLockRetainUntilDate() == null || h.objectLockModeAsString() == null) {
            return Optional.empty();
        }
        return Optional.of(new Retained(Mode.valueOf(h.objectLockModeAsString()), h.objectLockRetainUntilDate()));
    }

    @Override
    public void retain(FileType type, String name, Mode mode, Instant until) throws IOException {
        try {
            s3.putObjectRetention(b -> b.bucket(bucket).key(key(type, name)).retention(ObjectLockRetention.builder()
                    .mode(ObjectLockRetentionMode.fromValue(mode.name())).retainUntilDate(until).build()));
        } catch (SdkException e) {
            throw error("extending the retention of", type, name, e);
        }
    }

    private static String describe(SdkException e) {
        if (e instanceof S3Exception s) {
            return "server answered " + s.statusCode()
                    + (s.awsErrorDetails() != null ? " " + s.awsErrorDetails().errorCode() : "");
        }
        if (e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials")) {
            // the SDK lists every provider it tried, a page long
            return "no S3 credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile)";
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        s3.close();
    }
}
