package eu.rempart.vault.tls;

import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files, as rest-server and restic take them: a certificate chain and its
 * private key (PKCS#8, or the older PKCS#1 RSA and SEC 1 EC forms OpenSSL writes) for a server;
 * trusted certificates ({@code --cacert}) for a client.
 */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Pem() {
    }

    /** A server context for the certificate chain in {@code certFile} and the key in {@code keyFile}. */
    public static SSLContext serverContext(Path certFile, Path keyFile) throws IOException {
        try {
            List<Certificate> chain = certificates(certFile);
            PrivateKey key = privateKey(keyFile);
            char[] none = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS certificate " + certFile + " or key " + keyFile + " unusable: " + e.getMessage(), e);
        }
    }

    /** A client context that trusts the system's authorities and the certificates in {@code files}. */
    public static SSLContext clientContext(List<Path> files) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, clientTrust(files), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the certificates " + files + ": " + e.getMessage(), e);
        }
    }

    /** Trust in the system's authorities and the certificates in {@code files}, for clients that take it so. */
    public static javax.net.ssl.TrustManager[] clientTrust(List<Path> files) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            sys.init((KeyStore) null);
            for (javax.net.ssl.TrustManager tm : sys.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509TrustManager x) {
                    for (java.security.cert.X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("system-" + i++, c);
                    }
                }
            }
            for (Path f : files) {
                for (Certificate c : certificates(f)) {
                    ks.setCertificateEntry("cacert-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the certificates " + files + ": " + e.getMessage(), e);
        }
    }

    static List<Certificate> certificates(Path f) throws IOException, GeneralSecurityException {
        List<Certificate> out = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(f))));
        if (out.isEmpty()) {
            throw new IOException(f + ": no certificate");
        }
        return out;
    }

    static PrivateKey privateKey(Path f) throws IOException, GeneralSecurityException {
        Matcher m = BLOCK.matcher(Files.readString(f, StandardCharsets.US_ASCII));
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            PrivateKeyInfo info = switch (m.group(1)) {
                case "PRIVATE KEY" -> PrivateKeyInfo.getInstance(der);
                case "RSA PRIVATE KEY" -> new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        ASN1Primitive.fromByteArray(der));
                case "EC PRIVATE KEY" -> {
                    ECPrivateKey ec = ECPrivateKey.getInstance(der);
                    yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                            ec.getParametersObject()), ec);
                }
                default -> null; // e.g. the EC PARAMETERS block openssl writes first
            };
            if (info == null) {
                continue;
            }
            String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
            String alg = switch (oid) {
                case "1.2.840.113549.1.1.1" -> "RSA";
                case "1.2.840.10045.2.1" -> "EC";
                case "1.3.101.112" -> "Ed25519";
                default -> throw new GeneralSecurityException("unsupported key algorithm " + oid);
            };
            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        }
        throw new IOException(f + ": no unencrypted private key (PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }
}
