package eu.rempart.sentinel.isolate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Run by IsolationTest inside the network namespace ({@code ip netns exec NS java ...}): serves
 * each {@code ADDR:PORT} argument (answers "ok" and closes), prints "ready", then answers probe
 * lines {@code ADDR PORT TIMEOUT_MS} read on stdin with "ok", "timeout" or "failed ..." so one JVM
 * does all the connections of a test.
 */
public final class NsPeer {
    private NsPeer() {
    }

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            int colon = a.lastIndexOf(':');
            ServerSocket ss = new ServerSocket();
            ss.bind(new InetSocketAddress(InetAddress.getByName(a.substring(0, colon)), Integer.parseInt(a.substring(colon + 1))));
            Thread t = new Thread(() -> serve(ss), "serve " + a);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.trim().split(" ");
            System.out.println(probe(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2])));
            System.out.flush();
        }
    }

    private static void serve(ServerSocket ss) {
        while (true) {
            try (Socket s = ss.accept(); OutputStream o = s.getOutputStream()) {
                o.write("ok\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // one failed client must not stop the server
            }
        }
    }

    private static String probe(String host, int port, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            String got = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return "ok".equals(got) ? "ok" : "failed: got " + got;
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "failed: " + e;
        }
    }
}
