package io.tcpwatch.agent.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP application for tests that run it in a network namespace of their own: {@code serve PORT
 * COUNT} answers COUNT connections (a line in, a line out, then close) and exits; {@code connect
 * HOST PORT} sends a line, reads the answer and closes. Every wait is bounded.
 */
public final class TcpPeer {

    private TcpPeer() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("serve")) {
            serve(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        } else {
            connect(args[1], Integer.parseInt(args[2]));
        }
    }

    private static void serve(int port, int count) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(port));
            server.setSoTimeout(180_000);
            System.out.println("listening on " + port);
            System.out.flush();
            for (int i = 0; i < count; i++) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(30_000);
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    s.getOutputStream().write(("you said " + line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void connect(String host, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write("hello\n".getBytes(StandardCharsets.UTF_8));
            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (answer == null) {
                throw new IllegalStateException("no answer from " + host + ":" + port);
            }
            System.out.println(answer);
        }
    }
}
