package eu.rempart.cli;

import eu.rempart.vault.server.RestServer;
import eu.rempart.vault.tls.Pem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

@Command(name = "vault", description = "repository server for other machines",
        subcommands = VaultCommand.Serve.class)
final class VaultCommand {
    @ParentCommand
    Cli cli;

    @Command(name = "serve", description = "serve repositories over restic's REST protocol (as rest-server does)")
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        VaultCommand vault;

        @Option(names = "--path", required = true, paramLabel = "DIR", description = "directory holding the repositories")
        Path path;

        @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8000",
                description = "address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0:8000 for the network)")
        String listen;

        @Option(names = "--append-only", description = "clients may add data but never delete or overwrite any (locks excepted)")
        boolean appendOnly;

        @Option(names = "--htpasswd-file", paramLabel = "FILE", description = "users and bcrypt hashes (default: DIR/.htpasswd)")
        Path htpasswd;

        @Option(names = "--no-auth", description = "serve without authentication (loopback or trusted networks only)")
        boolean noAuth;

        @Option(names = "--private-repos", description = "each user reaches only the repositories under /USER/")
        boolean privateRepos;

        @Option(names = "--tls", description = "serve https")
        boolean tls;

        @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain (default: DIR/public_key)")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (default: DIR/private_key)")
        Path tlsKey;

        @Option(names = "--max-size", paramLabel = "SIZE", description = "quota per repository, e.g. 500G (default: none)")
        String maxSize;

        @Option(names = "--log", paramLabel = "FILE", description = "access log, '-' for standard output")
        String log;

        @Override
        public Integer call() throws Exception {
            Cli cli = vault.cli;
            Path root = path.toAbsolutePath().normalize();
            Path users = null;
            if (!noAuth) {
                users = htpasswd != null ? htpasswd : root.resolve(".htpasswd");
                if (!Files.isReadable(users)) {
                    throw new CliException(ExitCodes.ERROR, "error.serveNoHtpasswd", users);
                }
            } else if (privateRepos) {
                throw new CliException(ExitCodes.ERROR, "error.servePrivateNeedsAuth");
            }
            SSLContext ssl = null;
            if (tls) {
                ssl = Pem.serverContext(tlsCert != null ? tlsCert : root.resolve("public_key"),
                        tlsKey != null ? tlsKey : root.resolve("private_key"));
            }
            RestServer.Options o = new RestServer.Options(root, address(listen), appendOnly, users, privateRepos,
                    ssl, maxSize == null ? 0 : Cli.size(maxSize, "--max-size", false), accessLog(cli));
            RestServer server = RestServer.start(o);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            InetSocketAddress a = server.address();
            String url = (tls ? "https" : "http") + "://" + a.getHostString() + ":" + a.getPort() + "/";
            if (cli.json) {
                cli.printJson(Cli.JSON.createObjectNode().put("message_type", "serving").put("url", url)
                        .put("path", root.toString()).put("append_only", appendOnly).put("auth", !noAuth));
            } else {
                cli.say("serve.listening", url, root);
                if (appendOnly) {
                    cli.say("serve.appendOnly");
                }
            }
            cli.out.flush();
            stopped.await();
            return ExitCodes.OK;
        }

        private Consumer<String> accessLog(Cli cli) throws IOException {
            if (log == null) {
                return null;
            }
            PrintStream ps = log.equals("-") ? cli.out
                    : new PrintStream(Files.newOutputStream(Path.of(log), StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
            return line -> {
                synchronized (ps) {
                    ps.println(line);
                    ps.flush();
                }
            };
        }

        static InetSocketAddress address(String s) {
            int colon = s.lastIndexOf(':');
            try {
                int port = Integer.parseInt(s.substring(colon + 1));
                String host = colon <= 0 ? "0.0.0.0" : s.substring(0, colon).replaceAll("^\\[|\\]$", "");
                return new InetSocketAddress(host, port);
            } catch (RuntimeException e) {
                throw new CliException(ExitCodes.ERROR, "error.badListen", s);
            }
        }
    }
}
